//! The database client on every backend, against a PostgreSQL this test starts: rows read one
//! SELECT each (counted back from `pg_stat_statements`), pipelined on one connection per thread,
//! updates persisted, and a database that is not there answered at once.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use db::fixture::{self, Postgres};
use db::{Db, Strategy, World};
use server_core::backend::Backend;
use server_core::conformance::{Client, test_config};
use server_core::{Request, Response, Router};

/// Connection stacks: a database handler's futures overflow 64 KiB coroutine stacks in a debug build
/// (seen: "coroutine ... has overflowed its stack"), so the coroutine backend gets 1 MiB here.
const STACK: usize = 1 << 20;

fn postgres() -> &'static Postgres {
    static SERVER: OnceLock<Postgres> = OnceLock::new();
    SERVER.get_or_init(|| Postgres::start().expect("starting PostgreSQL"))
}

/// `/worlds?ids=1,2,3` answers `id:number` per row, read together; `/set?id=I&to=N` updates a row.
fn app(db: Db) -> Router {
    let reader = db.clone();
    Router::new()
        .get("/worlds", move |req: Request| {
            let db = reader.clone();
            async move {
                let ids: Vec<i32> = param(&req, "ids")
                    .split(',')
                    .filter_map(|id| id.parse().ok())
                    .collect();
                match async { db.conn().await?.worlds(&ids).await }.await {
                    Ok(rows) => Response::text(
                        rows.iter()
                            .map(|w| format!("{}:{}", w.id, w.random_number))
                            .collect::<Vec<_>>()
                            .join(","),
                    ),
                    Err(e) => unavailable(e),
                }
            }
        })
        .get("/set", move |req: Request| {
            let db = db.clone();
            async move {
                let world = World {
                    id: param(&req, "id").parse().unwrap_or(0),
                    random_number: param(&req, "to").parse().unwrap_or(0),
                };
                match async { db.conn().await?.update(&[world]).await }.await {
                    Ok(()) => Response::text("ok"),
                    Err(e) => unavailable(e),
                }
            }
        })
}

fn unavailable(e: db::Error) -> Response {
    db::error_response(&e)
}

fn param(req: &Request, key: &str) -> String {
    let query = req.uri().query().unwrap_or("");
    let value = query
        .split('&')
        .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='));
    value.unwrap_or("").to_string()
}

fn get(path: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nHost: t\r\n\r\n").into_bytes()
}

/// The SELECTs of a World row by id that the database has run so far.
fn selects(pg: &Postgres) -> u64 {
    let sql = "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements \
               WHERE query LIKE 'SELECT id, randomnumber FROM world WHERE id = $1%'";
    pg.query(sql).unwrap().trim().parse().unwrap()
}

/// Every backend's test takes its own rows and runs alone against the counter (a lock), so that
/// counts and updates of one cannot be confused with another's.
fn check<B: Backend>(name: &str, first_id: i32) {
    static ALONE: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _alone = ALONE.lock().unwrap_or_else(|e| e.into_inner());
    const CLIENTS: u64 = 8;
    const EACH: u64 = 5;
    const ROWS: i32 = 20;
    let pg = postgres();
    let db = Db::new(&pg.url(), Strategy::PerThread).unwrap();
    let config = || server_core::Config {
        stack_size: STACK,
        ..test_config()
    };
    let server = B::bind(config(), app(db)).unwrap();
    let addr = server.local_addr();
    let before = selects(pg);
    let ids: Vec<String> = (first_id..first_id + ROWS).map(|i| i.to_string()).collect();
    let path = format!("/worlds?ids={}", ids.join(","));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let path = path.clone();
            std::thread::spawn(move || {
                let mut c = Client::connect(addr);
                (0..EACH).map(|_| c.request(&get(&path))).collect::<Vec<_>>()
            })
        })
        .collect();
    for reply in clients.into_iter().flat_map(|c| c.join().unwrap()) {
        let body = String::from_utf8(reply.body).unwrap();
        assert_eq!(reply.status, 200, "{name}: {body}");
        let rows: Vec<&str> = body.split(',').collect();
        assert_eq!(rows.len(), ids.len(), "{name}: {body}");
        for (row, id) in rows.iter().zip(&ids) {
            let (got, number) = row.split_once(':').unwrap();
            assert_eq!(got, id, "{name}: rows in request order");
            let number: i32 = number.parse().unwrap();
            assert!((1..=10_000).contains(&number), "{name}: {row}");
        }
    }
    assert_eq!(
        selects(pg) - before,
        CLIENTS * EACH * ROWS as u64,
        "{name}: one SELECT per row"
    );

    let mut c = Client::connect(addr);
    let set = c.request(&get(&format!("/set?id={first_id}&to=4242")));
    assert_eq!(set.body, b"ok", "{name}");
    let stored = pg.query(&format!("SELECT randomnumber FROM world WHERE id = {first_id}"));
    assert_eq!(stored.unwrap().trim(), "4242", "{name}: the update persisted");
    assert!(server.shutdown());

    let db = Db::new(&fixture::unreachable_url().unwrap(), Strategy::PerThread).unwrap();
    let server = B::bind(config(), app(db)).unwrap();
    let began = Instant::now();
    let reply = Client::connect(server.local_addr()).request(&get("/worlds?ids=1"));
    assert_eq!(reply.status, 503, "{name}: no database, an answer");
    assert!(began.elapsed() < Duration::from_secs(1), "{name}: and at once");
    assert!(server.shutdown());
}

#[test]
fn tokio() {
    check::<backend_tokio::Tokio>("tokio", 1);
}

#[test]
fn tokio_per_core() {
    check::<backend_tokio::TokioPerCore>("tokio-per-core", 101);
}

#[test]
fn compio() {
    if let Err(why) = backend_compio::io_uring_available() {
        return eprintln!("SKIPPED compio: {why}");
    }
    check::<backend_compio::Compio>("compio", 201);
}

#[test]
fn smol() {
    check::<backend_smol::Smol>("smol", 301);
}

#[test]
fn async_std() {
    check::<backend_smol::AsyncStd>("async-std", 401);
}

#[test]
fn threads() {
    check::<backend_threads::Threads>("threads", 501);
}

#[test]
fn coroutine() {
    check::<backend_coroutine::Coroutine>("coroutine", 601);
}
