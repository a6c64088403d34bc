//! `ref-xitca-tokio`: xitca-web's TechEmpower entry on tokio, a reference row of the bench (issue #49).
//!
//! Follows TechEmpower/FrameworkBenchmarks `frameworks/Rust/xitca-web/src/main.rs` (with `db.rs`,
//! `db_pool.rs`, `ser.rs`, `util.rs` beside it), commit 82f73f2bbac7e27f7c4ae70f00f546aae301d787
//! (2026-03-02, "[xitca-web] dep update"), built with the features of its xitca-web.dockerfile
//! (pg, router, template, zero-copy, perf-json, perf-allocator) but one: without `io-uring`, so that
//! its workers serve through tokio's epoll reactor (xitca-server's tokio current-thread runtime per
//! worker) rather than tokio-uring; `--features io-uring` builds the entry's exact variant.
//! Changed for the bench only: the address is the first argument (`HOST:PORT`, port 0 allowed; the
//! bound address is printed on stdout), the worker count is `available_parallelism()` (the CPUs of
//! the taskset), `GET /wait?ms=N` (tokio's timer, at most 60 s), the database is `DATABASE_URL`
//! (without it, no db routes) with `DB_POOL` connections in all (default: the entry's one per
//! worker), and `/queries` and `/updates` read `queries=N` (the entry reads `q=N`).
//! Versions: the entry's (xitca-http 0.8.2, xitca-server 0.6.1, ...), but xitca-postgres, which it takes
//! from git (HFQR/xitca-web bd86c7c, 0.5.0), is crates.io's newest, 0.4.0 (patched for stable Rust
//! only in its compio driver, which this binary does not use; see vendor/xitca-postgres/PATCH.md).
//! SIGTERM/SIGINT stop it gracefully (xitca-server's signal handling).

#[cfg(feature = "perf-allocator")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod db;
mod db_pool;
mod ser;
mod util;

use xitca_http::{
    HttpServiceBuilder,
    body::Once,
    bytes::Bytes,
    h1::RequestBody,
    http::{
        self, HeaderValue, IntoResponse as _, RequestExt, StatusCode,
        const_header_value::{JSON, TEXT_HTML_UTF8, TEXT_UTF8},
        header::{CONTENT_TYPE, SERVER},
    },
    util::{
        middleware::context::{Context, ContextBuilder},
        service::{
            route::get,
            router::{Router, RouterError},
        },
    },
};
use xitca_service::{Service, ServiceExt, fn_service};

use ser::{HELLO, Message};
use util::{HandleResult, QueryParse};

type Request<B> = http::Request<RequestExt<B>>;

type Response = http::Response<Once<Bytes>>;

type Ctx<'a> = Context<'a, Request<RequestBody>, Option<db_pool::Client>>;

/// The db routes are inserted only when the client is there.
fn db(cli: &Option<db_pool::Client>) -> &db_pool::Client {
    cli.as_ref().expect("db routes are served with DATABASE_URL only")
}

fn main() -> std::io::Result<()> {
    let router = Router::new()
        .insert(
            "/plaintext",
            get(fn_service(async |ctx: Ctx| {
                let (req, _) = ctx.into_parts();
                let mut res = req.into_response(const { Bytes::from_static(HELLO.as_bytes()) });
                res.headers_mut().insert(CONTENT_TYPE, TEXT_UTF8);
                Ok(res)
            })),
        )
        .insert(
            "/json",
            get(fn_service(async |ctx: Ctx| {
                let (req, _) = ctx.into_parts();
                json_response(req, Message::HELLO)
            })),
        )
        .insert(
            "/wait",
            get(fn_service(async |ctx: Ctx| {
                let (req, _) = ctx.into_parts();
                tokio::time::sleep(util::wait_time(req.uri().query())).await;
                let mut res = req.into_response(const { Bytes::from_static(b"ok") });
                res.headers_mut().insert(CONTENT_TYPE, TEXT_UTF8);
                Ok(res)
            })),
        );
    let router = if util::db_url().is_none() {
        router
    } else {
        router
        .insert(
            "/db",
            get(fn_service(async |ctx: Ctx| {
                let (req, cli) = ctx.into_parts();
                let cli = db(cli);
                cli.db().await.and_then(|w| json_response(req, &w))
            })),
        )
        .insert(
            "/fortunes",
            get(fn_service(async |ctx: Ctx| {
                let (req, cli) = ctx.into_parts();
                let cli = db(cli);
                let fortunes = cli.fortunes().await?.render_once()?;
                let mut res = req.into_response(Bytes::from(fortunes));
                res.headers_mut().insert(CONTENT_TYPE, TEXT_HTML_UTF8);
                Ok(res)
            })),
        )
        .insert(
            "/queries",
            get(fn_service(async |ctx: Ctx| {
                let (req, cli) = ctx.into_parts();
                let cli = db(cli);
                let num = req.uri().query().parse_query();
                cli.queries(num).await.and_then(|w| json_response(req, &w))
            })),
        )
        .insert(
            "/updates",
            get(fn_service(async |ctx: Ctx| {
                let (req, cli) = ctx.into_parts();
                let cli = db(cli);
                let num = req.uri().query().parse_query();
                cli.updates(num).await.and_then(|w| json_response(req, &w))
            })),
        )
    };
    // The entry's `HttpServiceBuilder::h1().io_uring()`, with the `io-uring` feature only.
    #[cfg(feature = "io-uring")]
    let h1 = HttpServiceBuilder::h1().io_uring();
    #[cfg(not(feature = "io-uring"))]
    let h1 = HttpServiceBuilder::h1();
    let service = router
        .enclosed(ContextBuilder::new(db_pool::Client::create))
        .enclosed_fn(async |service, req| {
            let mut res = service.call(req).await.unwrap_or_else(error_handler);
            res.headers_mut().insert(SERVER, HeaderValue::from_static("x"));
            Ok::<_, core::convert::Infallible>(res)
        })
        .enclosed(h1);

    // As xitca-server's Builder::bind does it (its default backlog), but reporting the bound port.
    let listener = std::net::TcpListener::bind(util::listen_addr())?;
    let socket = socket2::SockRef::from(&listener);
    socket.set_reuse_address(true)?;
    socket.listen(2048)?;
    let addr = listener.local_addr()?;
    let server = xitca_server::Builder::new()
        .worker_threads(util::workers())
        .listen("xitca-web", listener, service)
        .build();
    println!("listening on {addr}");
    server.wait()
}

/// The default connector (db_pool.rs): connections driven by a task on the worker's tokio runtime.
fn with_connector(pool: xitca_postgres::pool::PoolBuilder) -> xitca_postgres::pool::PoolBuilder {
    pool
}

#[cold]
#[inline(never)]
fn error_handler(e: RouterError<util::Error>) -> Response {
    let status = match e {
        RouterError::Match(_) => StatusCode::NOT_FOUND,
        RouterError::NotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
        RouterError::Service(e) => {
            eprintln!("Internal Error: {e}");
            StatusCode::INTERNAL_SERVER_ERROR
        }
    };
    http::Response::builder()
        .status(status)
        .body(Once::new(Bytes::new()))
        .unwrap()
}

fn json_response<Ext>(req: Request<Ext>, val: &impl serde_core::Serialize) -> HandleResult<Response> {
    let buf = ser::json_serialize(val)?;
    let mut res = req.into_response(Bytes::from(buf));
    res.headers_mut().insert(CONTENT_TYPE, JSON);
    Ok(res)
}
