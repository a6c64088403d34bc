//! The benchmark workload and the backends by name, shared by the `serve` binary and the bench
//! driver. The route contract is in `shared/DESIGN.md` and `docs/method.md`.

pub mod axum_app;
pub mod driver;
pub mod techempower;

use std::io;
use std::time::{Duration, Instant};

use std::convert::Infallible;

use db::Db;
use futures_lite::stream;
use serde::Serialize;
use server_core::backend::Backend;
use server_core::tower::from_service;
use server_core::{
    Body, Bytes, Config, Handler, Request, Response, Router, ServerHandle, StatusCode, header, ws,
};

/// Every backend the bench knows, as `serve --backend` spells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BackendName {
    /// tokio tasks, server-core's engine.
    Tokio,
    /// tokio tasks, every handler on tokio's blocking pool.
    TokioBlockingPool,
    /// tokio tasks, hyper's engine (reference).
    TokioHyper,
    /// a current-thread tokio runtime per core.
    TokioPerCore,
    /// a compio (io_uring) runtime per core.
    Compio,
    /// smol's executor on N threads.
    Smol,
    /// async-std's runtime (deprecated upstream).
    AsyncStd,
    /// one OS thread per connection.
    Threads,
    /// one may coroutine per connection.
    Coroutine,
    /// may coroutines, may_minihttp's engine (reference).
    CoroutineMinihttp,
}

impl BackendName {
    /// All of them, in report order.
    pub const ALL: [BackendName; 10] = [
        BackendName::Tokio,
        BackendName::TokioBlockingPool,
        BackendName::TokioHyper,
        BackendName::TokioPerCore,
        BackendName::Compio,
        BackendName::Smol,
        BackendName::AsyncStd,
        BackendName::Threads,
        BackendName::Coroutine,
        BackendName::CoroutineMinihttp,
    ];

    /// The name as on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            BackendName::Tokio => "tokio",
            BackendName::TokioBlockingPool => "tokio-blocking-pool",
            BackendName::TokioHyper => "tokio-hyper",
            BackendName::TokioPerCore => "tokio-per-core",
            BackendName::Compio => "compio",
            BackendName::Smol => "smol",
            BackendName::AsyncStd => "async-std",
            BackendName::Threads => "threads",
            BackendName::Coroutine => "coroutine",
            BackendName::CoroutineMinihttp => "coroutine-minihttp",
        }
    }

    /// Why this machine cannot run the backend, if it cannot: compio where the kernel refuses io_uring.
    pub fn unavailable(self) -> Option<String> {
        match self {
            BackendName::Compio => backend_compio::io_uring_available().err(),
            _ => None,
        }
    }

    /// Whether the axum app runs here: not on may_minihttp, the reference engine, which runs its
    /// coroutines on may's default 32 KiB stacks: an axum app's futures overflowed them in a debug build
    /// (may then ends the process).
    pub fn serves_axum(self) -> bool {
        self != BackendName::CoroutineMinihttp
    }

    /// Starts `app` on this backend, `POST /upload` taking bodies up to `max_upload_bytes`, and
    /// TechEmpower's database routes on `db` when given (the native app only).
    pub fn start(
        self,
        config: Config,
        app: AppName,
        max_upload_bytes: u64,
        db: Option<Db>,
    ) -> io::Result<ServerHandle> {
        match app {
            AppName::Native => self.bind(config, workload(max_upload_bytes, db)),
            AppName::Axum => self.bind(config, from_service(axum_app::App::new(max_upload_bytes))),
        }
    }

    /// Starts `handler` on this backend.
    pub fn bind(self, config: Config, handler: impl Handler) -> io::Result<ServerHandle> {
        match self {
            BackendName::Tokio => backend_tokio::Tokio::bind(config, handler),
            BackendName::TokioBlockingPool => backend_tokio::TokioBlockingPool::bind(config, handler),
            BackendName::TokioHyper => backend_tokio::Hyper::bind(config, handler),
            BackendName::TokioPerCore => backend_tokio::TokioPerCore::bind(config, handler),
            BackendName::Compio => backend_compio::Compio::bind(config, handler),
            BackendName::Smol => backend_smol::Smol::bind(config, handler),
            BackendName::AsyncStd => backend_smol::AsyncStd::bind(config, handler),
            BackendName::Threads => backend_threads::Threads::bind(config, handler),
            BackendName::Coroutine => backend_coroutine::Coroutine::bind(config, handler),
            BackendName::CoroutineMinihttp => backend_coroutine::MiniHttp::bind(config, handler),
        }
    }
}

/// Which application `serve` runs: the same routes written against our `Handler`, or as an axum app.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AppName {
    /// The routes as a `server_core::Router` ([`workload`]).
    Native,
    /// The routes as an axum `Router` ([`axum_app`]), served through `server_core::tower`.
    Axum,
}

#[derive(Serialize)]
struct Message {
    message: &'static str,
}

/// The standard routes, written once for every backend. `POST /upload` takes bodies up to
/// `max_upload_bytes` (other bodies: `Config::max_body_bytes`); with a database, TechEmpower's
/// routes too ([`techempower`]).
pub fn workload(max_upload_bytes: u64, db: Option<Db>) -> Router {
    // One room for the app; a member may fall 1,024 messages behind before it is dropped.
    let room = ws::Room::new(1024);
    let router = match db {
        Some(db) => techempower::routes(Router::new(), db),
        None => Router::new(),
    };
    router
        .get("/plaintext", |_req: Request| Response::text("Hello, World!"))
        .get("/json", |_req: Request| {
            Response::json(&Message {
                message: "Hello, World!",
            })
        })
        .get("/wait", |req: Request| async move {
            server_core::sleep(wait_time(query(&req, "ms"))).await;
            Response::text("ok")
        })
        .get("/cpu", |req: Request| {
            Response::text(burn_cpu(cpu_time(query(&req, "us"))).to_string())
        })
        .get("/cpu-offload", |req: Request| async move {
            let work = cpu_time(query(&req, "us"));
            Response::text(server_core::unblock(move || burn_cpu(work)).await.to_string())
        })
        .get("/ws/echo", |req: Request| {
            ws::accept(req, ws::Limits::default(), ws::echo)
        })
        .get("/ws/broadcast", move |req: Request| {
            let room = room.clone();
            ws::accept(req, ws::Limits::default(), move |socket| room.join(socket))
        })
        .get("/bytes", |req: Request| {
            Response::bytes(cached_bytes(query(&req, "n")))
        })
        .post("/echo", |req: Request| async move {
            match req.into_body().collect().await {
                Ok(body) => Response::bytes(body),
                Err(e) => e.into_response(),
            }
        })
        .post("/upload", move |mut req: Request| async move {
            req.body_mut().set_limit(max_upload_bytes);
            let mut body = req.into_body();
            let mut total = 0u64;
            while let Some(chunk) = body.data().await {
                match chunk {
                    Ok(chunk) => total += chunk.len() as u64,
                    Err(e) => return e.into_response(),
                }
            }
            Response::text(total.to_string())
        })
        .get("/download", |req: Request| {
            Response::bytes(Bytes::new()).with_body(download(query(&req, "bytes"), query(&req, "chunk")))
        })
        .get("/sse", |req: Request| {
            let every = Duration::from_millis(query(&req, "every_ms"));
            Response::new(StatusCode::OK)
                .with_header(header::CONTENT_TYPE, "text/event-stream")
                .with_body(sse(query(&req, "events"), every, server_core::sleep))
        })
}

/// Longest `GET /wait` (`ms` is clamped to it): a client cannot park a connection for longer.
pub const MAX_WAIT: Duration = Duration::from_secs(60);
/// Most CPU one `GET /cpu` or `/cpu-offload` burns (`us` is clamped to it).
pub const MAX_CPU: Duration = Duration::from_secs(1);
/// Largest `GET /bytes` answer (`n` is clamped to it).
pub const MAX_BYTES: u64 = 16 << 20;

/// `GET /wait`'s wait: `ms` milliseconds, at most [`MAX_WAIT`].
pub fn wait_time(ms: u64) -> Duration {
    Duration::from_millis(ms).min(MAX_WAIT)
}

/// `GET /cpu`'s work: `us` microseconds of CPU, at most [`MAX_CPU`].
pub fn cpu_time(us: u64) -> Duration {
    Duration::from_micros(us).min(MAX_CPU)
}

/// `GET /bytes`'s body: the first `n` bytes (at most [`MAX_BYTES`]) of one buffer made at the first
/// request, answered whole as a cached static file is: every answer shares its memory.
pub fn cached_bytes(n: u64) -> Bytes {
    static FILE: std::sync::OnceLock<Bytes> = std::sync::OnceLock::new();
    let file = FILE.get_or_init(|| Bytes::from(vec![b'x'; MAX_BYTES as usize]));
    file.slice(..n.min(MAX_BYTES) as usize)
}

/// `GET /download`'s body: `total` bytes of `x` in chunks of `chunk` (clamped to 1 B..16 MiB),
/// produced as the connection takes them, with `Content-Length`.
pub fn download(total: u64, chunk: u64) -> Body {
    let chunk = chunk.clamp(1, 16 << 20);
    let piece = Bytes::from(vec![b'x'; chunk.min(total) as usize]);
    let pieces = (0..total.div_ceil(chunk))
        .map(move |i| Ok::<_, Infallible>(piece.slice(..chunk.min(total - i * chunk) as usize)));
    Body::from_stream(stream::iter(pieces)).with_length(total)
}

/// `GET /sse`'s body: `events` events `data: i`, the first at once, then one per `every`, waited
/// with `sleep` (the runtime-neutral one, or tokio's in the axum app).
pub fn sse<F>(events: u64, every: Duration, sleep: fn(Duration) -> F) -> Body
where
    F: Future<Output = ()> + Send + 'static,
{
    let events = stream::unfold(0, move |i| async move {
        if i == events {
            return None;
        }
        if i > 0 {
            sleep(every).await;
        }
        Some((Ok::<_, Infallible>(format!("data: {i}\n\n")), i + 1))
    });
    Body::from_stream(events)
}

/// `key=N` from the query string; 0 when absent or malformed.
pub fn query(req: &Request, key: &str) -> u64 {
    req.uri()
        .query()
        .and_then(|q| {
            q.split('&')
                .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('=')?.parse().ok())
        })
        .unwrap_or(0)
}

/// Burns about `work` of CPU on a real computation (an LCG, as the anchor servers do) and returns
/// its result so that it cannot be optimised away.
pub fn burn_cpu(work: Duration) -> u64 {
    let end = Instant::now() + work;
    let mut x: u64 = 1;
    while Instant::now() < end {
        for _ in 0..100 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
        }
    }
    x
}
