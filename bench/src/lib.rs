//! The benchmark workload and the backends by name, shared by the `serve` binary and the bench
//! driver. The route contract is in `shared/DESIGN.md` and `docs/method.md`.

pub mod driver;

use std::io;
use std::time::{Duration, Instant};

use serde::Serialize;
use server_core::{Backend, Config, Request, Response, Router, ServerHandle};

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
    pub const ALL: [BackendName; 8] = [
        BackendName::Tokio,
        BackendName::TokioBlockingPool,
        BackendName::TokioHyper,
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
            BackendName::Smol => "smol",
            BackendName::AsyncStd => "async-std",
            BackendName::Threads => "threads",
            BackendName::Coroutine => "coroutine",
            BackendName::CoroutineMinihttp => "coroutine-minihttp",
        }
    }

    /// Starts the workload on this backend.
    pub fn start(self, config: Config) -> io::Result<ServerHandle> {
        match self {
            BackendName::Tokio => backend_tokio::Tokio::bind(config, workload()),
            BackendName::TokioBlockingPool => backend_tokio::TokioBlockingPool::bind(config, workload()),
            BackendName::TokioHyper => backend_tokio::Hyper::bind(config, workload()),
            BackendName::Smol => backend_smol::Smol::bind(config, workload()),
            BackendName::AsyncStd => backend_smol::AsyncStd::bind(config, workload()),
            BackendName::Threads => backend_threads::Threads::bind(config, workload()),
            BackendName::Coroutine => backend_coroutine::Coroutine::bind(config, workload()),
            BackendName::CoroutineMinihttp => backend_coroutine::MiniHttp::bind(config, workload()),
        }
    }
}

#[derive(Serialize)]
struct Message {
    message: &'static str,
}

/// The standard routes, written once for every backend.
pub fn workload() -> Router {
    Router::new()
        .get("/plaintext", |_req: Request| Response::text("Hello, World!"))
        .get("/json", |_req: Request| {
            Response::json(&Message {
                message: "Hello, World!",
            })
        })
        .get("/wait", |req: Request| async move {
            server_core::sleep(Duration::from_millis(query(&req, "ms"))).await;
            Response::text("ok")
        })
        .get("/cpu", |req: Request| {
            Response::text(burn_cpu(Duration::from_micros(query(&req, "us"))).to_string())
        })
        .get("/cpu-offload", |req: Request| async move {
            let work = Duration::from_micros(query(&req, "us"));
            Response::text(server_core::unblock(move || burn_cpu(work)).await.to_string())
        })
        .post("/echo", |req: Request| Response::bytes(req.into_body()))
}

/// `key=N` from the query string; 0 when absent or malformed.
fn query(req: &Request, key: &str) -> u64 {
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
