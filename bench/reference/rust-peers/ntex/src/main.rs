//! `ref-ntex`: ntex's TechEmpower entries on tokio, a reference row of the bench (issue #49).
//!
//! Follows TechEmpower/FrameworkBenchmarks `frameworks/Rust/ntex/`, commit
//! 4607de8a7d27cfea00c9dd9f009fce39f551dde1 (2026-02-17, "[ntex] Update ntex framework"): `src/main.rs`
//! (the `default` test, ntex [tokio]: /json and /plaintext through ntex's web App) and `src/main_db.rs`
//! (the `db` test, ntex [tokio,db]: /db, /query, /fortunes, /update as a raw service over one
//! pipelined PostgreSQL connection per worker), with `src/db.rs`, `src/utils.rs` and
//! `templates/fortune.hbs`, built as ntex.dockerfile and ntex-db.dockerfile build them (`--features
//! tokio`). One server serves both: main_db.rs's service answers its routes and hands every other
//! request to main.rs's web app.
//! Changed for the bench only: the address is the first argument (`HOST:PORT`, port 0 allowed; bound
//! as ntex-server binds, SO_REUSEADDR and the entry's backlog of 1024, and printed on stdout), the
//! worker count is `available_parallelism()` (the CPUs of the taskset; `enable_affinity` pins the
//! workers within them, as the entry does), `GET /wait?ms=N` (ntex's own timer, at most 60 s), the
//! database is `DATABASE_URL` (without it, no db routes; `DB_POOL` does not apply: the entry has no
//! pool, a connection per worker), the db routes are the bench's `/queries?queries=N` and
//! `/updates?queries=N` (the entry's are `/query?q=N` and `/update?q=N`). SIGTERM/SIGINT stop it
//! gracefully (ntex-server's signals).
//! Versions: the entry's Cargo.toml (it has no Cargo.lock): ntex 3 (3.12.3 resolved, the newest 3.x;
//! 4.x needs Rust 1.97), ntex-bytes 1, yarte 0.15, sonic-rs 0.5, mimalloc. Its database client is a git
//! fork of tokio-postgres on ntex's io (fafhrd91/postgres, branch ntex-3), and its yarte buffer a git
//! fork of buf-min for ntex-bytes 1: here crates.io's tokio-postgres 0.7 on the same tokio runtime
//! (see db.rs for the two changes that follow) and buf-min 0.7's `Buffer` implemented in utils.rs for
//! ntex-bytes 1's BytesMut (what the fork adds). compio-driver, a dependency only of the entry's
//! compio builds, is not used.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use ntex::http::header::{CONTENT_TYPE, SERVER};
use ntex::http::{HttpService, Request, Response, StatusCode};
use ntex::service::{cfg::SharedCfg, Service, ServiceCtx, ServiceFactory};
use ntex::{http, web, web::Error, web::HttpResponse};
use sonic_rs::Serialize;

mod db;
mod utils;

// main.rs

#[derive(Serialize)]
pub struct Message {
    pub message: &'static str,
}

#[web::get("/json")]
async fn json() -> web::HttpResponse {
    let body = utils::buffer(256, |buf| {
        sonic_rs::to_writer(
            utils::BVecWriter(buf),
            &Message {
                message: "Hello, World!",
            },
        )
        .unwrap();

        buf.take()
    });

    let mut response = web::HttpResponse::with_body(http::StatusCode::OK, body.into());
    response.headers_mut().insert(SERVER, utils::HDR_SERVER);
    response
        .headers_mut()
        .insert(CONTENT_TYPE, utils::HDR_JSON_CONTENT_TYPE);
    response
}

#[web::get("/plaintext")]
async fn plaintext() -> web::HttpResponse {
    let mut response = web::HttpResponse::with_body(
        http::StatusCode::OK,
        http::body::Body::Bytes(utils::BODY_PLAIN_TEXT),
    );
    response.headers_mut().insert(SERVER, utils::HDR_SERVER);
    response
        .headers_mut()
        .insert(CONTENT_TYPE, utils::HDR_TEXT_CONTENT_TYPE);
    response
}

// The bench's: GET /wait?ms=N, N ms (at most 60 s; 0 when missing or not a number) on ntex's timer.
#[web::get("/wait")]
async fn wait(req: web::HttpRequest) -> web::HttpResponse {
    let ms = req
        .query_string()
        .split('&')
        .find_map(|kv| kv.strip_prefix("ms=")?.parse::<u32>().ok())
        .unwrap_or(0);
    ntex::time::sleep(ntex::time::Millis(ms.min(60_000))).await;
    let mut response = web::HttpResponse::with_body(
        http::StatusCode::OK,
        http::body::Body::Bytes(ntex::util::Bytes::from_static(b"ok")),
    );
    response.headers_mut().insert(SERVER, utils::HDR_SERVER);
    response
        .headers_mut()
        .insert(CONTENT_TYPE, utils::HDR_TEXT_CONTENT_TYPE);
    response
}

// main_db.rs

struct App<W> {
    db: Option<db::PgConnection>,
    web: W,
}

impl<W> Service<Request> for App<W>
where
    W: Service<Request, Response = web::WebResponse, Error = Error>,
{
    type Response = Response;
    type Error = Error;

    async fn call(&self, req: Request, ctx: ServiceCtx<'_, Self>) -> Result<Response, Error> {
        // main_db.rs's routes, when there is a database; the rest is main.rs's web app.
        let Some(db) = &self.db else {
            return ctx.call(&self.web, req).await.map(Into::into);
        };
        match req.path() {
            "/db" => {
                let body = db.get_world().await;
                let mut res = HttpResponse::with_body(StatusCode::OK, body.into());
                res.headers_mut().insert(SERVER, utils::HDR_SERVER);
                res.headers_mut()
                    .insert(CONTENT_TYPE, utils::HDR_JSON_CONTENT_TYPE);
                Ok(res)
            }
            "/fortunes" => {
                let body = db.tell_fortune().await;
                let mut res = HttpResponse::with_body(StatusCode::OK, body.into());
                res.headers_mut().insert(SERVER, utils::HDR_SERVER);
                res.headers_mut()
                    .insert(CONTENT_TYPE, utils::HDR_HTML_CONTENT_TYPE);
                Ok(res)
            }
            "/queries" => {
                let worlds = db
                    .get_worlds(utils::get_query_param(req.uri().query()))
                    .await;
                let mut res = HttpResponse::with_body(StatusCode::OK, worlds.into());
                res.headers_mut().insert(SERVER, utils::HDR_SERVER);
                res.headers_mut()
                    .insert(CONTENT_TYPE, utils::HDR_JSON_CONTENT_TYPE);
                Ok(res)
            }
            "/updates" => {
                let worlds = db
                    .update(utils::get_query_param(req.uri().query()))
                    .await;
                let mut res = HttpResponse::with_body(StatusCode::OK, worlds.into());
                res.headers_mut().insert(SERVER, utils::HDR_SERVER);
                res.headers_mut()
                    .insert(CONTENT_TYPE, utils::HDR_JSON_CONTENT_TYPE);
                Ok(res)
            }
            _ => ctx.call(&self.web, req).await.map(Into::into),
        }
    }
}

struct AppFactory<F>(F);

impl<F> ServiceFactory<Request, SharedCfg> for AppFactory<F>
where
    F: ServiceFactory<Request, SharedCfg, Response = web::WebResponse, Error = Error, InitError = ()>,
{
    type Response = Response;
    type Error = Error;
    type Service = App<F::Service>;
    type InitError = ();

    async fn create(&self, cfg: SharedCfg) -> Result<Self::Service, Self::InitError> {
        // The entry's DB_URL is a constant: here DATABASE_URL, and no db routes without it.
        let db = match std::env::var("DATABASE_URL") {
            Ok(url) if !url.is_empty() => Some(db::PgConnection::connect(&url).await),
            _ => None,
        };
        Ok(App {
            db,
            web: self.0.create(cfg).await?,
        })
    }
}

/// The first argument, `HOST:PORT`, bound as ntex-server's `bind` binds (SO_REUSEADDR, the backlog).
fn listener(backlog: i32) -> std::io::Result<std::net::TcpListener> {
    use std::net::ToSocketAddrs;
    let arg = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:8080".into());
    let addr = arg
        .to_socket_addrs()?
        .next()
        .ok_or_else(|| std::io::Error::other(format!("not an address: {arg}")))?;
    let socket = socket2::Socket::new(socket2::Domain::for_address(addr), socket2::Type::STREAM, None)?;
    socket.set_reuse_address(true)?;
    socket.bind(&addr.into())?;
    socket.listen(backlog)?;
    Ok(socket.into())
}

#[ntex::main]
async fn main() -> std::io::Result<()> {
    let listener = listener(1024)?;
    let addr = listener.local_addr()?;
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());

    // start http server
    let server = ntex::server::build()
        .backlog(1024)
        .workers(workers)
        .enable_affinity()
        .listen("tfb", listener, async |_| {
            HttpService::h1(AppFactory(
                web::App::new().service(json).service(plaintext).service(wait).finish(),
            ))
        })?
        .config("tfb", utils::config())
        .run();
    println!("listening on {addr}");
    server.await
}
