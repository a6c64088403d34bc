//! `ref-actix`: actix-web's TechEmpower entries, a reference row of the bench (issue #49).
//!
//! Follows TechEmpower/FrameworkBenchmarks `frameworks/Rust/actix/`, commit
//! 1e047d88e11f68131c6586d9c197ed3798f7defb (2025-10-13): `src/main_web.rs` (the `default` test,
//! actix-web: /json and /plaintext, the server built as there) and `src/main_pg_deadpool.rs` (the
//! `web-pg-deadpool` test, actix-web with tokio-postgres through a deadpool pool: /db, /queries,
//! /fortunes, /updates, its handlers verbatim, a statement prepared per query as there), with
//! `src/utils.rs`, `src/models.rs` and `templates/fortune.hbs`. One server serves both sets of routes.
//! Changed for the bench only: the address is the first argument (`HOST:PORT`, port 0 allowed; bound
//! as actix-server binds, SO_REUSEADDR and the entry's backlog of 1024, and printed on stdout), the
//! worker count is `available_parallelism()` (the CPUs of the taskset; actix's own default too),
//! `GET /wait?ms=N` (actix-rt's, i.e. tokio's, timer; at most 60 s), the database is `DATABASE_URL`
//! (without it, no db routes) and the pool's size `DB_POOL` (default: the entry's 40), `/queries`
//! and `/updates` read `queries=N` (the entry reads `q=N`), and models.rs loses its diesel derives
//! (the diesel test is not built). SIGTERM/SIGINT stop it gracefully (actix-server's signals).
//! Versions: those of the entry's Cargo.lock (actix-web 4.9.0, actix-http 3.9.0, actix-server 2.2.0,
//! actix-rt 2.10.0, tokio-postgres 0.7.13, deadpool-postgres 0.14.1, yarte 0.15.7); snmalloc is built
//! with the cc crate rather than cmake.

#[global_allocator]
static ALLOC: snmalloc_rs::SnMalloc = snmalloc_rs::SnMalloc;

mod models;
mod utils;

use std::fmt::Write;
use std::time::Duration;

use actix_http::{HttpService, KeepAlive};
use actix_service::map_config;
use actix_web::{
    dev::{AppConfig, Server},
    http::{
        header::{HeaderValue, CONTENT_TYPE, SERVER},
        StatusCode,
    },
    web::{self, Bytes, BytesMut},
    App, HttpRequest, HttpResponse,
};
use deadpool_postgres::{Config, Pool, PoolConfig, Runtime};
use futures::{stream::FuturesUnordered, TryStreamExt};
use models::{Fortune, World};
use rand::{prelude::SmallRng, Rng, SeedableRng};
use simd_json_derive::Serialize;
use tokio_postgres::{types::ToSql, NoTls};
use utils::{Queries, Result, Writer, CONNECTION_POOL_SIZE, JSON_MSG_SIZE};
use yarte::ywrite_html;

// main_web.rs

#[derive(Serialize)]
pub struct Message {
    pub message: &'static str,
}

async fn json() -> HttpResponse<Bytes> {
    let message = Message {
        message: "Hello, World!",
    };

    let mut body = BytesMut::with_capacity(JSON_MSG_SIZE);
    message.json_write(&mut Writer(&mut body)).unwrap();

    let mut res = HttpResponse::with_body(StatusCode::OK, body.freeze());
    res.headers_mut()
        .insert(SERVER, HeaderValue::from_static("A"));
    res.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    res
}

async fn plaintext() -> HttpResponse<Bytes> {
    let mut res = HttpResponse::with_body(StatusCode::OK, Bytes::from_static(b"Hello, World!"));
    res.headers_mut()
        .insert(SERVER, HeaderValue::from_static("A"));
    res.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    res
}

// The bench's: GET /wait?ms=N, N ms (at most 60 s; 0 when missing or not a number) on actix-rt's timer.
async fn wait(req: HttpRequest) -> HttpResponse<Bytes> {
    let ms = req
        .query_string()
        .split('&')
        .find_map(|kv| kv.strip_prefix("ms=")?.parse::<u64>().ok())
        .unwrap_or(0);
    actix_rt::time::sleep(Duration::from_millis(ms.min(60_000))).await;
    let mut res = HttpResponse::with_body(StatusCode::OK, Bytes::from_static(b"ok"));
    res.headers_mut()
        .insert(SERVER, HeaderValue::from_static("A"));
    res.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    res
}

// main_pg_deadpool.rs

async fn find_random_world(pool: &Pool) -> Result<World> {
    let conn = pool.get().await?;
    let world = conn
        .prepare("SELECT * FROM world WHERE id=$1")
        .await
        .unwrap();

    let mut rng = SmallRng::from_os_rng();
    let id = (rng.random::<u32>() % 10_000 + 1) as i32;

    let row = conn.query_one(&world, &[&id]).await?;

    Ok(World {
        id: row.get(0),
        randomnumber: row.get(1),
    })
}

async fn find_random_worlds(pool: &Pool, num_of_worlds: usize) -> Result<Vec<World>> {
    let mut futs = FuturesUnordered::new();
    for _ in 0..num_of_worlds {
        futs.push(find_random_world(pool));
    }

    let mut worlds = Vec::with_capacity(num_of_worlds);
    while let Some(world) = futs.try_next().await? {
        worlds.push(world);
    }

    Ok(worlds)
}

#[actix_web::get("/db")]
async fn db(data: web::Data<Pool>) -> Result<HttpResponse<Vec<u8>>> {
    let world = find_random_world(&data).await?;
    let mut bytes = Vec::with_capacity(48);
    serde_json::to_writer(&mut bytes, &world)?;

    let mut res = HttpResponse::with_body(StatusCode::OK, bytes);
    res.headers_mut()
        .insert(SERVER, HeaderValue::from_static("Actix"));
    res.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));

    Ok(res)
}

#[actix_web::get("/queries")]
async fn queries(
    data: web::Data<Pool>,
    query: web::Query<Queries>,
) -> Result<HttpResponse<Vec<u8>>> {
    let n_queries = query.q;

    let worlds = find_random_worlds(&data, n_queries).await?;

    let mut bytes = Vec::with_capacity(35 * n_queries);
    serde_json::to_writer(&mut bytes, &worlds)?;

    let mut res = HttpResponse::with_body(StatusCode::OK, bytes);
    res.headers_mut()
        .insert(SERVER, HeaderValue::from_static("Actix"));
    res.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));

    Ok(res)
}

#[actix_web::get("/updates")]
async fn updates(
    data: web::Data<Pool>,
    query: web::Query<Queries>,
) -> Result<HttpResponse<Vec<u8>>> {
    let mut worlds = find_random_worlds(&data, query.q).await?;

    let mut rng = SmallRng::from_os_rng();

    let mut updates = "UPDATE world SET randomnumber = CASE id ".to_string();
    let mut params: Vec<&(dyn ToSql + Sync)> = Vec::with_capacity(query.q as usize * 3);

    let mut n_params = 1;
    for world in worlds.iter_mut() {
        let new_random_number = (rng.random::<u32>() % 10_000 + 1) as i32;
        write!(&mut updates, "when ${} then ${} ", n_params, n_params + 1).unwrap();
        world.randomnumber = new_random_number;
        n_params += 2;
    }

    // need separate loop to borrow immutably
    for world in worlds.iter() {
        params.push(&world.id);
        params.push(&world.randomnumber);
    }

    updates.push_str("ELSE randomnumber END WHERE id IN (");
    for world in worlds.iter() {
        write!(&mut updates, "${},", n_params).unwrap();
        params.push(&world.id);
        n_params += 1;
    }

    updates.pop(); // drop trailing comma
    updates.push(')');

    let conn = data.get().await?;
    let stmt = conn.prepare(&updates).await?;
    conn.query(&stmt, &params).await?;

    let mut bytes = Vec::with_capacity(35 * worlds.len());
    serde_json::to_writer(&mut bytes, &worlds)?;

    let mut res = HttpResponse::with_body(StatusCode::OK, bytes);
    res.headers_mut()
        .insert(SERVER, HeaderValue::from_static("Actix"));
    res.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));

    Ok(res)
}

#[actix_web::get("/fortunes")]
async fn fortune(data: web::Data<Pool>) -> Result<HttpResponse<Vec<u8>>> {
    let conn = data.get().await?;
    let stmt = conn.prepare("SELECT * FROM Fortune").await?;
    let params: &[&'static str] = &[];
    let s = conn.query_raw(&stmt, params).await?;

    let mut stream = Box::pin(s);
    let mut fortunes = Vec::new();

    while let Some(row) = stream.try_next().await? {
        fortunes.push(Fortune {
            id: row.get(0),
            message: row.get(1),
        });
    }

    fortunes.push(Fortune {
        id: 0,
        message: "Additional fortune added at request time.".to_string(),
    });

    fortunes.sort_by(|a, b| a.message.cmp(&b.message));

    let mut body = Vec::with_capacity(2048);
    ywrite_html!(body, "{{> fortune }}");

    let mut res = HttpResponse::with_body(StatusCode::OK, body);
    res.headers_mut()
        .insert(SERVER, HeaderValue::from_static("Actix"));
    res.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );

    Ok(res)
}

/// main_pg_deadpool.rs's pool, on `DATABASE_URL` (the entry's host, database, user and password are
/// constants), of `DB_POOL` connections (the entry's CONNECTION_POOL_SIZE, 40, without it).
fn database() -> Option<Pool> {
    let url = std::env::var("DATABASE_URL").ok().filter(|url| !url.is_empty())?;
    let size = std::env::var("DB_POOL")
        .ok()
        .and_then(|size| size.parse().ok())
        .unwrap_or(CONNECTION_POOL_SIZE);

    let mut cfg = Config::new();
    cfg.url = Some(url);
    let pc = PoolConfig::new(size);
    cfg.pool = pc.into();
    Some(cfg.create_pool(Some(Runtime::Tokio1), NoTls).unwrap())
}

/// The first argument, `HOST:PORT`, bound as actix-server's `bind` binds (SO_REUSEADDR, the backlog).
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

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let listener = listener(1024)?;
    let addr = listener.local_addr()?;
    let pool = database();
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());

    // start http server (main_web.rs's; main_pg_deadpool.rs's HttpServer had the same keep-alive,
    // client request timeout and backlog)
    let server: Server = Server::build()
        .backlog(1024)
        .workers(workers)
        .listen("tfb-actix-web", listener, move || {
            let pool = pool.clone();
            HttpService::build()
                .keep_alive(KeepAlive::Os)
                .client_request_timeout(Duration::ZERO)
                .h1(map_config(
                    App::new()
                        .service(web::resource("/json").to(json))
                        .service(web::resource("/plaintext").to(plaintext))
                        .service(web::resource("/wait").to(wait))
                        .configure(|cfg| {
                            if let Some(pool) = pool {
                                cfg.app_data(web::Data::new(pool))
                                    .service(fortune)
                                    .service(db)
                                    .service(queries)
                                    .service(updates);
                            }
                        }),
                    |_| AppConfig::default(),
                ))
                .tcp()
        })?
        .run();
    println!("listening on {addr}");
    server.await
}
