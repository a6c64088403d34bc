//! # server: one handler, the backend of your choice
//!
//! Depend on this crate, write a [`Handler`] (a closure, a [`Router`], or your own type), and pick
//! how it is scheduled with **exactly one** Cargo feature. Your code does not change:
//!
//! | feature | backend | model |
//! |---|---|---|
//! | `tokio` (default) | `backend_tokio::Tokio` | tokio tasks, work-stealing |
//! | `tokio-per-core` | `backend_tokio::TokioPerCore` | a current-thread tokio runtime per core |
//! | `compio` | `backend_compio::Compio` | a compio runtime per core, io_uring completions |
//! | `hyper` | `backend_tokio::Hyper` | tokio tasks, hyper's HTTP/1 engine (reference) |
//! | `smol` | `backend_smol::Smol` | smol executor on N threads |
//! | `async-std` | `backend_smol::AsyncStd` | async-std's runtime (deprecated upstream) |
//! | `threads` | `backend_threads::Threads` | one OS thread per connection |
//! | `coroutine` | `backend_coroutine::Coroutine` | one may coroutine per connection |
//! | `minihttp` | `backend_coroutine::MiniHttp` | may coroutines, may_minihttp's engine (reference) |
//!
//! ```toml
//! [dependencies]
//! server = { version = "0.1", default-features = false, features = ["coroutine"] }
//! ```
//!
//! ```no_run
//! use server::{Config, Request, Response};
//!
//! fn main() -> std::io::Result<()> {
//!     server::run(Config::default(), |_req: Request| Response::text("Hello, World!"))
//! }
//! ```
//!
//! Enabling none, or two at once, stops the build with a message saying what to do: a server has
//! one scheduling model, and silently preferring one would hide which you are measuring.
//!
//! This crate is the application's side of the contract: handlers, routing, messages and bodies,
//! configuration, the runtime-neutral waits, offload and outbound connections, and [`bind`] /
//! [`run`] / `serve_service`. What a backend is made of (connection loops, transports, the
//! engine) is `server_core::backend`, for someone writing one; `tests/surface.rs` keeps this list
//! to the application API.

#[cfg(feature = "tower")]
pub use server_core::tower;
#[cfg(feature = "ws")]
pub use server_core::ws;
pub use server_core::{
    Body, BodyError, BoxError, BoxFuture, BoxHandler, Bytes, Config, Disconnected, Elapsed, Handler,
    HeaderValue, Method, OFFLOAD_JOBS, OFFLOAD_WAIT, Outbound, Overloaded, PeerAddr, Request, Response,
    Router, Sender, ServerHandle, ShutdownSignals, Sleep, StatusCode, Timeout, TryUnblock, Unblock, connect,
    header, http, set_offload_limit, sleep, spawn, timeout, try_unblock, unblock,
};

use std::io;

use server_core::backend::Backend as _;

/// One `compile_error!` per pair of backend features enabled together, so that the message saying
/// what to do comes before any other error.
macro_rules! exclusive {
    ($first:literal $(, $rest:literal)*) => {
        $(
            #[cfg(all(feature = $first, feature = $rest))]
            compile_error!(concat!(
                "the `server` crate's backend features `", $first, "` and `", $rest, "` are both enabled; \
                 enable exactly one. `tokio` is on by default: to pick another backend, depend on `server` \
                 with `default-features = false, features = [\"<backend>\"]`."
            ));
        )*
        exclusive!($($rest),*);
    };
    () => {};
}
exclusive!(
    "tokio",
    "tokio-per-core",
    "compio",
    "hyper",
    "smol",
    "async-std",
    "threads",
    "coroutine",
    "minihttp"
);

#[cfg(not(any(
    feature = "tokio",
    feature = "tokio-per-core",
    feature = "compio",
    feature = "hyper",
    feature = "smol",
    feature = "async-std",
    feature = "threads",
    feature = "coroutine",
    feature = "minihttp"
)))]
compile_error!(
    "the `server` crate needs one backend feature: tokio (the default), tokio-per-core, compio, hyper, \
     smol, async-std, threads, coroutine or minihttp"
);

/// The backend the enabled feature selects.
#[cfg(all(feature = "tokio", not(feature = "hyper")))]
pub type Selected = backend_tokio::Tokio;
/// The backend the enabled feature selects.
#[cfg(feature = "tokio-per-core")]
pub type Selected = backend_tokio::TokioPerCore;
/// The backend the enabled feature selects.
#[cfg(feature = "compio")]
pub type Selected = backend_compio::Compio;
/// The backend the enabled feature selects.
#[cfg(feature = "hyper")]
pub type Selected = backend_tokio::Hyper;
/// The backend the enabled feature selects.
#[cfg(all(feature = "smol", not(feature = "async-std")))]
pub type Selected = backend_smol::Smol;
/// The backend the enabled feature selects.
#[cfg(feature = "async-std")]
pub type Selected = backend_smol::AsyncStd;
/// The backend the enabled feature selects.
#[cfg(feature = "threads")]
pub type Selected = backend_threads::Threads;
/// The backend the enabled feature selects.
#[cfg(all(feature = "coroutine", not(feature = "minihttp")))]
pub type Selected = backend_coroutine::Coroutine;
/// The backend the enabled feature selects.
#[cfg(feature = "minihttp")]
pub type Selected = backend_coroutine::MiniHttp;

/// The enabled backend's name, as the `serve` binary and the reports spell it.
pub const BACKEND: &str = if cfg!(feature = "hyper") {
    "tokio-hyper"
} else if cfg!(feature = "tokio-per-core") {
    "tokio-per-core"
} else if cfg!(feature = "compio") {
    "compio"
} else if cfg!(feature = "tokio") {
    "tokio"
} else if cfg!(feature = "async-std") {
    "async-std"
} else if cfg!(feature = "smol") {
    "smol"
} else if cfg!(feature = "threads") {
    "threads"
} else if cfg!(feature = "minihttp") {
    "coroutine-minihttp"
} else {
    "coroutine"
};

/// Starts serving `handler` on `config.addr` with the selected backend; returns at once with the
/// handle that reports the address and shuts the server down.
pub fn bind<H: Handler>(config: Config, handler: H) -> io::Result<ServerHandle> {
    Selected::bind(config, handler)
}

/// Serves a tower service (an axum `Router`, say) on `config.addr` with the selected backend until
/// SIGINT or SIGTERM, as [`run`] serves a handler: `server::serve_service(config, router)`. See
/// [`tower`] for what it does per request, and for how axum finds tokio on every backend.
///
/// | what axum reaches at run time | on every backend |
/// |---|---|
/// | `tokio::time::sleep`, `tokio::spawn`, `spawn_blocking`, tower-http timeouts, `Sse` keep-alive | works: a tokio context is entered for every poll (the backend's own on tokio, else a one-thread runtime) |
/// | `Json`, `Path`, `Query`, `Form`, `DefaultBodyLimit`, fallbacks, streaming bodies both ways | works |
/// | `ConnectInfo<SocketAddr>` | works with the `axum` feature and `Config::peer_addr` set (axum's own opt-in is `into_make_service_with_connect_info`); otherwise the extractor answers `500`. Not on `minihttp`, whose engine has no peer address |
/// | WebSocket upgrades (axum's `ws` feature) | yes on the async backends: axum's `WebSocketUpgrade` needs hyper's `OnUpgrade`, which only hyper can make, so an upgrade request is served through hyper's `with_upgrades()` over an in-memory pipe to the connection (one more copy each way than `ws::accept`, the native API); the Autobahn cases pass through it. Not on threads and coroutine: their one thread reads the client while axum's session, on a tokio task, would answer |
#[cfg(feature = "tower")]
pub fn serve_service<S>(config: Config, service: S) -> io::Result<()>
where
    tower::TowerHandler<S>: Handler,
{
    run(config, tower::from_service(service))
}

/// Serves `handler` on `config.addr` until SIGINT or SIGTERM, then shuts down gracefully (in-flight
/// requests finish within `config.shutdown_grace`). Prints the bound address to stderr.
pub fn run<H: Handler>(config: Config, handler: H) -> io::Result<()> {
    let signals = ShutdownSignals::block()?;
    let server = bind(config, handler)?;
    eprintln!(
        "serving on http://{} with the {BACKEND} backend; Ctrl-C stops",
        server.local_addr()
    );
    signals.wait()?;
    server.shutdown();
    Ok(())
}
