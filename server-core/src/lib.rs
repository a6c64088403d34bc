//! # server-core
//!
//! The one contract every backend of this workspace serves, and the one HTTP/1.1 engine they all
//! speak, so that two backends differ only in how they schedule work.
//!
//! ## The handler model
//!
//! A [`Handler`] turns a [`Request`] into a [`Response`], like Go's `http.Handler`. Its method returns a
//! future, which is what lets **one handler source run unchanged on every backend**:
//!
//! - on the async backends (tokio, smol, async-std) the connection's task `.await`s it;
//! - on the blocking backends (a thread per connection, a may coroutine per connection) the connection
//!   polls it once and, if it is not ready, parks its thread or coroutine until it is woken
//!   ([`backend::block_on`] with the backend's [`backend::Park`]).
//!
//! A synchronous handler (a closure returning a [`Response`]) produces a future that is ready at
//! once: it is polled one time, inline, with no allocation and no executor round trip.
//!
//! A handler that needs to wait or to burn CPU uses the runtime-neutral [`sleep`] and [`unblock`],
//! which each backend serves natively (see [`backend::Runtime`]):
//!
//! ```
//! use std::time::Duration;
//! use server_core::{Request, Response, Router};
//!
//! let app = Router::new()
//!     .get("/hello", |_req: Request| Response::text("Hello, World!"))
//!     .get("/slow", |_req: Request| async {
//!         server_core::sleep(Duration::from_millis(100)).await; // tokio timer, may sleep, ...
//!         Response::text("done")
//!     })
//!     .get("/work", |_req: Request| async {
//!         let n = server_core::unblock(|| (0..1_000_000u64).sum::<u64>()).await;
//!         Response::text(n.to_string())
//!     });
//! # let _ = app;
//! ```
//!
//! A backend then serves it: `backend_tokio::Tokio::bind(Config::default(), app)`, or through the
//! `server` facade crate with the backend picked by a Cargo feature.
//!
//! ## Bodies
//!
//! Requests and responses carry a [`Body`] (an `http_body::Body` of `Bytes`). A body that arrived with
//! its head, and a response built from bytes, is whole and costs nothing extra; otherwise a request
//! body streams from the connection as the handler reads it, and a response body may be a stream, any
//! `http_body::Body`, or a [`channel`](Body::channel). See the [`Body`] docs for uploads, downloads and
//! server-sent events.
//!
//! ## The engine
//!
//! [`backend::engine::Conn`] is a sans-IO HTTP/1.1 state machine: bytes in, requests out, responses in, bytes
//! out. It owns every protocol decision (keep-alive, pipelining order, `Content-Length` and chunked
//! bodies both ways, `Expect: 100-continue`, `HEAD`, `Date`/`Server`, what to do with a body the
//! handler did not read, and the error answers), and
//! [`backend::serve_connection`] drives it over any [`backend::Transport`], so no backend can answer differently.
//!
//! | bad input | answer |
//! |---|---|
//! | malformed request line or header, obs-fold, whitespace before the colon, NUL or bare CR in a value, HTTP/1.1 without `Host` | 400, close |
//! | both `Content-Length` and `Transfer-Encoding`, differing duplicate `Content-Length`, bad chunk size, `chunked` repeated or not last | 400, close |
//! | a transfer coding other than `chunked` (`gzip`, `gzip, chunked`, `deflate`) | 501, close (as Go and nginx) |
//! | header section over `max_header_bytes`, or more than `max_headers` fields | 431, close |
//! | body over its limit (`max_body_bytes`, or what the handler set with [`Body::set_limit`]) | 413, close (whatever the handler answers) |
//! | chunk framing (size lines, extensions) outweighing its data by over 16 KiB (Go's CVE-2023-39326 rule) | 400, close |
//! | a body not received within `body_read_timeout` of its last bytes, or `body_read_timeout` behind `min_body_rate` | 408, close |
//! | a client taking response bytes `write_timeout` behind `min_write_rate` (a stalled one: one 64 KiB slice's time later) | close; a connection's last send counts in `max_connections` until it is sent or cut |
//! | many pipelined requests whose answers are not read | no request decoded while 64 KiB of output waits: one batch beyond the socket buffer |
//! | the client leaves (end of input, unless `half_close`) while its handler or streamed body waits | the handler or producer is dropped (async backends; threads and coroutine notice at the next write) |
//! | head not complete within `header_read_timeout` | 408 (or a silent close if nothing arrived), close |
//! | keep-alive connection idle past `idle_timeout` | close |
//! | a version other than HTTP/1.0 and 1.1 | 505, close |
//! | handler panics | 500 for that request, close; the server carries on |
//! | [`unblock`] with [`OFFLOAD_JOBS`] jobs queued or running | a wait of at most [`OFFLOAD_WAIT`] for a place, then 503 with `Retry-After` |
//!
//! ## For backend authors
//!
//! Everything a backend needs is in [`backend`]: it implements [`backend::Backend`] with a
//! listener, a transport and a runtime of its own, and [`backend::accept_loop`] and
//! [`backend::serve_connection`] do the rest, including `max_connections` and graceful shutdown.
//! The `conformance` feature provides the test suite every backend must pass. It stays in this crate,
//! behind that feature: it is the contract's own test, versioned with it, and only the backends'
//! dev-dependencies enable it, so no application build compiles it.

mod body;
mod config;
mod deadline;
mod driver;
mod handler;
mod message;
mod outbound;
mod per_core;
mod rate;
mod router;
mod runtime;
mod server;
mod signal;

pub mod backend;
#[cfg(feature = "tower")]
pub mod tower;
#[cfg(feature = "ws")]
pub mod ws;

#[cfg(feature = "conformance")]
pub mod conformance;

pub use body::{Body, BodyError, BoxError, Disconnected, Sender};
pub use config::Config;
pub use handler::{BoxFuture, BoxHandler, Handler};
pub use message::{PeerAddr, Request, Response};
pub use outbound::{Outbound, connect, spawn};
pub use router::Router;
pub use runtime::{
    Elapsed, OFFLOAD_JOBS, OFFLOAD_WAIT, Overloaded, Sleep, Timeout, TryUnblock, Unblock, set_offload_limit,
    sleep, timeout, try_unblock, unblock,
};
pub use server::{ServerHandle, ShutdownSignal};
pub use signal::ShutdownSignals;

pub use bytes::Bytes;
pub use http::{self, HeaderValue, Method, StatusCode, header};

// The kit under the names the crate's own modules use for it.
use backend::engine;
#[allow(unused_imports)]
use backend::*;
