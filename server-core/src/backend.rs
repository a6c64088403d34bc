//! The backend author's kit: what it takes to serve the crate's [`Handler`](crate::Handler) on a new
//! scheduling model. An application needs none of it (it picks a backend and calls `bind`).
//!
//! A backend implements [`Backend`]: it binds (or is given) a listener, and in
//! [`start`](Backend::start) runs [`accept_loop`] over a [`Listener`] of its socket type and spawns
//! [`serve_connection`] for each [`Accepted`] connection, its stream wrapped in a [`Transport`] (how
//! to read and write it with a time limit). [`Shared`] holds the configuration and the connection
//! registry (`max_connections`, graceful shutdown); each connection's [`ConnGuard`] is its place in
//! it. A [`Runtime`] gives handlers their timer, offload pool, outbound connections and spawning
//! ([`sleep`](crate::sleep), [`unblock`](crate::unblock), [`connect`](crate::connect),
//! [`spawn`](crate::spawn)), installed by [`respond`] before each poll of handler code.
//!
//! The families, and what each supplies:
//! - **async, readiness or completion I/O** (tokio, smol, compio): a [`Transport`] whose reads and
//!   writes are futures, the runtime's timer through a [`Deadline`], a [`Runtime`].
//! - **blocking** (a thread or a coroutine per connection): a [`BlockingStream`] wrapped in
//!   [`Blocking`], a [`Park`] that [`block_on`] drives the connection with, and a
//!   [`BlockingRuntime`] (how to sleep and spawn; the rest is async-io's and the `blocking` crate's).
//! - **one runtime per core** (tokio-per-core, compio): a [`CoreRuntime`], and [`serve_per_core`]
//!   hands each worker the connections it is [`Assigned`].
//!
//! The conformance suite (the `conformance` feature, a dev-dependency of every backend crate) is the
//! test every backend must pass: `server_core::conformance_suite!(MyBackend);`.

#[path = "engine/mod.rs"]
pub mod engine;

pub use crate::deadline::{Deadline, Limit, Timer};
pub use crate::driver::{Blocking, BlockingStream, Transport, serve_connection};
pub use crate::handler::{Panicked, guarded, respond};
pub use crate::outbound::OutboundIo;
#[cfg(feature = "async-io")]
pub use crate::outbound::connect_async_io;
pub use crate::per_core::{Assigned, CoreRuntime, serve_per_core};
#[cfg(all(feature = "async-io", feature = "blocking"))]
pub use crate::runtime::BlockingRuntime;
#[cfg(feature = "blocking")]
pub use crate::runtime::offload_blocking;
#[cfg(feature = "async-io")]
pub use crate::runtime::timer_async_io;
pub use crate::runtime::{Job, Park, Runtime, ThreadPark, block_on};
pub use crate::server::{
    Accepted, Backend, BlockingListener, ConnGuard, IdleFlag, Listener, Shared, accept_loop, bind_listener,
    raise_fd_limit,
};
