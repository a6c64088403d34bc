//! Issue 46's bounds, on every backend over real sockets: a database that does not answer costs a
//! request a bounded wait and then a 503, under every connection strategy (the blocking driver
//! through `unblock`), whether it never completes the TCP handshake (a listener whose accept queue
//! is full: its SYNs are dropped, as a blackholed host's are), completes it and then says nothing (a
//! listener that never accepts), or holds a query on a lock (a real PostgreSQL); and a full offload
//! queue costs a bounded wait and then a 503 with `Retry-After`, not a 500. Here because this
//! crate's tests already run every backend.
//!
//! The cases run one at a time: they share the process's offload bound, which one of them lowers.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

use db::fixture::Postgres;
use db::{Db, Strategy, Timeouts};
use server_core::backend::Backend;
use server_core::conformance::{Client, Reply, test_config};
use server_core::{Request, Response, Router, ServerHandle};

/// The bounds under test: short, so that the tests are.
const TIMEOUTS: Timeouts = Timeouts {
    connect: Duration::from_millis(300),
    query: Duration::from_millis(300),
};
/// What an answer may take beyond its bound on a loaded 2-core machine.
const SLACK: Duration = Duration::from_millis(1500);
/// Coroutine stacks big enough for a database handler in a debug build (see every_backend.rs).
const STACK: usize = 1 << 20;

const STRATEGIES: [Strategy; 3] = [
    Strategy::PerThread,
    Strategy::Pool {
        size: 2,
        wait: Duration::from_millis(300),
    },
    Strategy::Blocking { offload: true },
];

/// The longest a request may wait under `strategy`: the blocking driver's offloaded call is bounded
/// as a whole, by the connect and query bounds together.
fn bound(strategy: Strategy) -> Duration {
    match strategy {
        Strategy::Blocking { .. } => TIMEOUTS.connect + TIMEOUTS.query,
        _ => TIMEOUTS.connect.max(TIMEOUTS.query),
    }
}

fn postgres() -> &'static Postgres {
    static SERVER: OnceLock<Postgres> = OnceLock::new();
    SERVER.get_or_init(|| Postgres::start().expect("starting PostgreSQL"))
}

fn alone() -> std::sync::MutexGuard<'static, ()> {
    static ALONE: Mutex<()> = Mutex::new(());
    ALONE.lock().unwrap_or_else(|e| e.into_inner())
}

fn get(path: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nHost: t\r\n\r\n").into_bytes()
}

/// `/world` reads row 1; `/hold` keeps an offload place until `gate` opens; `/work` offloads a
/// trifle.
fn app(db: Db, gate: Arc<(Mutex<bool>, Condvar)>) -> Router {
    Router::new()
        .get("/world", move |_req: Request| {
            let db = db.clone();
            async move {
                match async { db.conn().await?.world(1).await }.await {
                    Ok(w) => Response::text(format!("{}:{}", w.id, w.random_number)),
                    Err(e) => db::error_response(&e),
                }
            }
        })
        .get("/hold", move |_req: Request| {
            let gate = gate.clone();
            async move {
                server_core::unblock(move || {
                    let (open, opened) = &*gate;
                    let mut open = open.lock().unwrap();
                    while !*open {
                        open = opened.wait(open).unwrap();
                    }
                })
                .await;
                Response::text("held")
            }
        })
        .get("/work", |_req: Request| async {
            Response::text(server_core::unblock(|| 6 * 7).await.to_string())
        })
}

fn serve<B: Backend>(url: &str, strategy: Strategy) -> ServerHandle {
    let db = Db::with_timeouts(url, strategy, TIMEOUTS).unwrap();
    let config = server_core::Config {
        stack_size: STACK,
        ..test_config()
    };
    B::bind(config, app(db, Arc::default())).unwrap()
}

/// `path`'s answer and how long it took.
fn timed(addr: SocketAddr, path: &str) -> (Reply, Duration) {
    let began = Instant::now();
    let reply = Client::connect(addr).request(&get(path));
    (reply, began.elapsed())
}

fn assert_bounded_503(name: &str, reply: &Reply, took: Duration, bound: Duration) {
    let body = String::from_utf8_lossy(&reply.body);
    assert_eq!(reply.status, 503, "{name}: {body}");
    assert_eq!(reply.header("retry-after"), Some("1"), "{name}");
    assert!(
        took + Duration::from_millis(50) >= bound && took < bound + SLACK,
        "{name}: a 503 after the bound of {bound:?}, took {took:?} ({body})"
    );
}

/// A listener the kernel completes handshakes for but nobody accepts on: a database that connects
/// and then says nothing.
fn silent() -> TcpListener {
    TcpListener::bind("127.0.0.1:0").unwrap()
}

/// A listener whose accept queue is full (`listen(0)` and one connection queued): a connect to it
/// gets no SYN-ACK, as with a blackholed host. The filler connection is returned to keep it full.
fn blackholed() -> (TcpListener, TcpStream) {
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    socket
        .bind(&SocketAddr::from(([127, 0, 0, 1], 0)).into())
        .unwrap();
    socket.listen(0).unwrap();
    let listener: TcpListener = socket.into();
    let filler = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    (listener, filler)
}

fn url(addr: SocketAddr) -> String {
    format!("postgres://postgres@{addr}/hello_world")
}

fn unanswering_database<B: Backend>(name: &str) {
    let _alone = alone();
    let quiet = silent();
    let (hole, _filler) = blackholed();
    for (what, addr) in [
        ("silent", quiet.local_addr().unwrap()),
        ("blackholed", hole.local_addr().unwrap()),
    ] {
        for strategy in STRATEGIES {
            let name = format!("{name} {strategy:?} {what}");
            let server = serve::<B>(&url(addr), strategy);
            let (reply, took) = timed(server.local_addr(), "/world");
            assert_bounded_503(&name, &reply, took, TIMEOUTS.connect);
            assert!(took < bound(strategy) + SLACK, "{name}: {took:?}");
            // The server carries on.
            let (again, _) = timed(server.local_addr(), "/work");
            assert_eq!(again.status, 200, "{name}");
            assert!(server.shutdown(), "{name}");
        }
    }
}

/// A query waiting on a lock: the request is answered when its bound passes (the client's timer or
/// PostgreSQL's `statement_timeout`, whichever is first), and served again once the lock is gone.
fn slow_query<B: Backend>(name: &str) {
    let _alone = alone();
    let pg = postgres();
    let servers: Vec<(Strategy, ServerHandle)> = STRATEGIES
        .map(|strategy| (strategy, serve::<B>(&pg.url(), strategy)))
        .into();
    for (strategy, server) in &servers {
        let (reply, _) = timed(server.local_addr(), "/world");
        assert_eq!(reply.status, 200, "{name} {strategy:?}: served before the lock");
    }
    std::thread::scope(|s| {
        let lock = "BEGIN; LOCK TABLE world IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(1.2); COMMIT";
        let locker = s.spawn(move || pg.query(lock).expect("locking world"));
        std::thread::sleep(Duration::from_millis(200));
        let asking: Vec<_> = servers
            .iter()
            .map(|(strategy, server)| {
                let addr = server.local_addr();
                (*strategy, s.spawn(move || timed(addr, "/world")))
            })
            .collect();
        for (strategy, asked) in asking {
            let (reply, took) = asked.join().unwrap();
            assert_bounded_503(
                &format!("{name} {strategy:?} locked"),
                &reply,
                took,
                TIMEOUTS.query,
            );
        }
        locker.join().unwrap();
    });
    for (strategy, server) in servers {
        let (reply, _) = timed(server.local_addr(), "/world");
        assert_eq!(reply.status, 200, "{name} {strategy:?}: served after the lock");
        assert!(server.shutdown(), "{name}");
    }
}

/// One offload place: while `/hold` has it, `/work` waits its bounded time and gets a 503 with
/// `Retry-After` on a connection that stays open; once it is free, a 200.
fn full_offload_queue<B: Backend>(name: &str) {
    let _alone = alone();
    let wait = Duration::from_millis(200);
    let gate: Arc<(Mutex<bool>, Condvar)> = Arc::default();
    let db = Db::new(&db::fixture::unreachable_url().unwrap(), Strategy::PerThread).unwrap();
    let server = B::bind(test_config(), app(db, gate.clone())).unwrap();
    let addr = server.local_addr();
    server_core::set_offload_limit(1, wait);
    let holder = std::thread::spawn(move || Client::connect(addr).request(&get("/hold")).status);
    std::thread::sleep(Duration::from_millis(200));

    let mut c = Client::connect(addr);
    let began = Instant::now();
    let reply = c.request(&get("/work"));
    assert_bounded_503(&format!("{name} offload"), &reply, began.elapsed(), wait);
    let (open, opened) = &*gate;
    *open.lock().unwrap() = true;
    opened.notify_all();
    assert_eq!(holder.join().unwrap(), 200, "{name}: the holder is served");
    let reply = c.request(&get("/work"));
    assert_eq!(
        (reply.status, &reply.body[..]),
        (200, &b"42"[..]),
        "{name}: same connection"
    );
    server_core::set_offload_limit(server_core::OFFLOAD_JOBS, server_core::OFFLOAD_WAIT);
    assert!(server.shutdown(), "{name}");
}

fn check<B: Backend>(name: &str) {
    unanswering_database::<B>(name);
    slow_query::<B>(name);
    full_offload_queue::<B>(name);
}

#[test]
fn tokio() {
    check::<backend_tokio::Tokio>("tokio");
}

#[test]
fn tokio_per_core() {
    check::<backend_tokio::TokioPerCore>("tokio-per-core");
}

#[test]
fn compio() {
    if let Err(why) = backend_compio::io_uring_available() {
        return eprintln!("SKIPPED compio: {why}");
    }
    check::<backend_compio::Compio>("compio");
}

#[test]
fn smol() {
    check::<backend_smol::Smol>("smol");
}

#[test]
fn async_std() {
    check::<backend_smol::AsyncStd>("async-std");
}

#[test]
fn threads() {
    check::<backend_threads::Threads>("threads");
}

#[test]
fn coroutine() {
    check::<backend_coroutine::Coroutine>("coroutine");
}
