//! `ref-xitca-compio`: xitca-web's TechEmpower compio entry (io_uring through compio, a runtime per
//! core), a reference row of the bench (issue #49).
//!
//! Follows TechEmpower/FrameworkBenchmarks `frameworks/Rust/xitca-web/src/main_compio.rs` (with
//! `db.rs`, `db_pool.rs`, `ser.rs`, `util.rs` beside it), commit 82f73f2bbac7e27f7c4ae70f00f546aae301d787
//! (2026-03-02, "[xitca-web] dep update"), built with the features of its xitca-web-compio.dockerfile
//! (compio, perf, perf-json, pg, router, template, zero-copy).
//! Changed for the bench only: the address is the first argument (`HOST:PORT`, port 0 allowed: a first
//! SO_REUSEPORT socket takes the port, every worker binds its own socket to it as in the entry, and
//! the first is closed before the bound address is printed on stdout); the worker count is
//! `available_parallelism()` (as the entry; the CPUs of the taskset), every worker on a thread of its
//! own (the entry runs the last one on the main thread, which here waits for SIGTERM/SIGINT and then
//! exits with status 0: the entry has no signal handling and no graceful shutdown); `GET /wait?ms=N`
//! (compio's timer, at most 60 s); the database is `DATABASE_URL` (without it, no db routes) with
//! `DB_POOL` connections in all (default: the entry's one per worker); `/queries` and `/updates` read
//! `queries=N` (the entry reads `q=N`).
//! Versions: the entry's (xitca-http 0.8.2, compio 0.17, ...), on stable Rust (the entry builds with
//! nightly-2026-02-24 for `#![feature(async_iterator)]`): xitca-postgres, which it takes from git
//! (HFQR/xitca-web bd86c7c, 0.5.0), is crates.io's newest, 0.4.0, whose compio driver is patched to
//! run as an ordinary future (`CompIoDriver::run`, see vendor/xitca-postgres/PATCH.md) instead of
//! the nightly async iterator the entry polls.

// this is a parity xitca-web implementation of "pure" io_uring runtime comparing performance with
// tokio_uring's epoll + io_uring runtime.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod db;
mod db_pool;
mod ser;
mod util;

use std::{cell::RefCell, io, net::SocketAddr, rc::Rc, time::Duration};

use compio::net::TcpOpts;
use xitca_http::{
    body::Once,
    bytes::Bytes,
    date::{DateTime, DateTimeState},
    h1::{RequestBody, dispatcher_compio::Dispatcher},
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

use self::{
    ser::{HELLO, Message},
    util::{HandleResult, QueryParse},
};

type Request<B> = http::Request<RequestExt<B>>;

type Response = http::Response<Once<Bytes>>;

type Ctx<'a> = Context<'a, Request<RequestBody>, Option<db_pool::Client>>;

/// The db routes are inserted only when the client is there.
fn db(cli: &Option<db_pool::Client>) -> &db_pool::Client {
    cli.as_ref().expect("db routes are served with DATABASE_URL only")
}

fn main() -> io::Result<()> {
    let cores = std::thread::available_parallelism().map(|num| num.get()).unwrap_or(56);

    let mut ids = core_affinity::get_core_ids().unwrap();

    // The first socket of the SO_REUSEPORT group: it takes the port (port 0 too) the workers bind.
    let first = {
        let addr = util::listen_addr();
        let socket = socket2::Socket::new(socket2::Domain::for_address(addr), socket2::Type::STREAM, None)?;
        socket.set_reuse_address(true)?;
        socket.set_reuse_port(true)?;
        socket.bind(&addr.into())?;
        socket.listen(128)?;
        std::net::TcpListener::from(socket)
    };
    let addr: SocketAddr = first.local_addr()?;
    let signals = block_signals();
    let (bound_tx, bound_rx) = std::sync::mpsc::channel::<io::Result<()>>();

    let worker = move |id: Option<core_affinity::CoreId>, bound: std::sync::mpsc::Sender<io::Result<()>>| -> io::Result<()> {
        if let Some(id) = id {
            let _ = core_affinity::set_for_current(id);
        }

        compio::runtime::RuntimeBuilder::new().build().unwrap().block_on(async {
            let listener =
                compio::net::TcpListener::bind_with_options(addr, TcpOpts::new().reuse_address(true).reuse_port(true))
                    .await;
            let _ = bound.send(listener.as_ref().map(|_| ()).map_err(|e| io::Error::new(e.kind(), e.to_string())));
            let listener = listener?;

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
                        compio::runtime::time::sleep(util::wait_time(req.uri().query())).await;
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
            let service = router
                .enclosed(ContextBuilder::new(db_pool::Client::create))
                .enclosed_fn(async |service, req| {
                    let mut res = service.call(req).await.unwrap_or_else(error_handler);
                    res.headers_mut().insert(SERVER, HeaderValue::from_static("x"));
                    Ok::<_, core::convert::Infallible>(res)
                });

            let router = service.call(()).await.unwrap();

            let service = Rc::new((router, Time::new()));

            loop {
                match listener.accept().await {
                    Ok((stream, addr)) => {
                        let service = service.clone();
                        compio::runtime::spawn(async move {
                            let _ = Dispatcher::<_, _, _, 64, { usize::MAX }, { usize::MAX }>::run(
                                stream, addr, &service.0, &service.1,
                            )
                            .await;
                        })
                        .detach();
                    }
                    Err(e) => return Err(e),
                };
            }
        })
    };

    let _handle = core::iter::repeat_with(|| {
        let id = ids.pop();
        let bound = bound_tx.clone();
        std::thread::spawn(move || worker(id, bound))
    })
    .take(cores)
    .collect::<Vec<_>>();

    for _ in 0..cores {
        bound_rx.recv().expect("every worker reports its bind")?;
    }
    drop(first);
    println!("listening on {addr}");

    // unrealistic due to no signal handling, not shutdown handling. when killing this process all resources that
    // need clean async shutdown will be leaked.
    // (Here: the main thread waits for SIGTERM or SIGINT, then the process exits.)
    wait_for(&signals);
    std::process::exit(0)
}

/// Blocks SIGINT and SIGTERM in this thread and in every thread it starts, for `wait_for`.
fn block_signals() -> libc::sigset_t {
    // SAFETY: a sigset_t is plain data, initialised by sigemptyset before use.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGINT);
        libc::sigaddset(&mut set, libc::SIGTERM);
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
        set
    }
}

fn wait_for(signals: &libc::sigset_t) {
    let mut signal = 0;
    // SAFETY: a valid set, blocked in every thread, and an int to write the signal to.
    unsafe { libc::sigwait(signals, &mut signal) };
}

/// The compio connector (db_pool.rs: the entry's `#[cfg(feature = "compio")]`).
fn with_connector(pool: xitca_postgres::pool::PoolBuilder) -> xitca_postgres::pool::PoolBuilder {
    pool.connector(CompIoConnector)
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

struct Time(Rc<RefCell<DateTimeState>>);

impl Time {
    fn new() -> Self {
        let state = Rc::new(RefCell::new(DateTimeState::default()));
        let state2 = state.clone();
        compio::runtime::spawn(async move {
            let mut interval = compio::runtime::time::interval(Duration::from_secs(1));
            loop {
                let _ = interval.tick().await;
                *state2.borrow_mut() = DateTimeState::default();
            }
        })
        .detach();
        Self(state)
    }
}

impl DateTime for Time {
    fn with_date<F, O>(&self, f: F) -> O
    where
        F: FnOnce(&[u8]) -> O,
    {
        let date = self.0.borrow();
        f(&date.date[..])
    }

    fn now(&self) -> tokio::time::Instant {
        self.0.borrow().now
    }
}

struct CompIoConnector;

impl xitca_postgres::pool::Connect for CompIoConnector {
    async fn connect(&self, cfg: xitca_postgres::Config) -> Result<xitca_postgres::Client, xitca_postgres::Error> {
        let (cli, drv) = compio::runtime::spawn_blocking(|| {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
                .block_on(xitca_postgres::Postgres::new(cfg).connect())
        })
        .await
        .unwrap()?;

        let drv = drv.try_into_tcp().expect("raw tcp is used for database connection");
        let drv = xitca_postgres::CompIoDriver::from_tcp(drv)?;

        // The entry polls `drv.into_async_iter()` to its end (nightly); the patched 0.4.0 runs the same loop.
        compio::runtime::spawn(async move {
            let _ = drv.run().await;
        })
        .detach();
        Ok(cli)
    }
}
