//! tokio thread-per-core: a current-thread runtime on each of `Config::workers` threads.

use std::io;
use std::sync::Arc;

use server_core::backend::{Accepted, Assigned, Backend, CoreRuntime, serve_connection, serve_per_core};
use server_core::{Config, Handler, ServerHandle};
use tokio::net::TcpStream;

use crate::{TokioIo, TokioRuntime};

/// The tokio backend, thread-per-core: each worker thread runs a current-thread tokio runtime (its own
/// epoll instance and timer wheel) and serves, to the end, the connections server-core's acceptor hands
/// it (the least loaded worker gets the next one). No work stealing: a connection never leaves its
/// worker, so nothing crosses cores per request, and a worker busy with one slow handler cannot hand
/// its other connections to an idle one either.
pub struct TokioPerCore;

impl Backend for TokioPerCore {
    fn start<H: Handler>(
        listener: std::net::TcpListener,
        config: Config,
        handler: H,
    ) -> io::Result<ServerHandle> {
        serve_per_core::<CurrentThread, H>(listener, config, &TokioRuntime, handler)
    }
}

struct CurrentThread(tokio::runtime::Runtime);

impl CoreRuntime for CurrentThread {
    const NAME: &'static str = "tokio-per-core";

    fn build() -> io::Result<Self> {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map(CurrentThread)
    }

    fn run<H: Handler>(self, assigned: Assigned, handler: Arc<H>) {
        self.0.block_on(async move {
            while let Some(Accepted { guard, stream }) = assigned.next().await {
                // Connection futures are `Send` here, so plain `spawn` (on this thread's runtime, which
                // has no other worker to hand them to) serves without a `LocalSet`'s extra queue.
                // On failure `from_std` closes the stream; `convert` keeps the registry off it.
                let converted = guard.convert(|| {
                    stream
                        .set_nonblocking(true)
                        .and_then(|()| TcpStream::from_std(stream))
                });
                let Ok(stream) = converted else {
                    continue; // the connection is dropped: that client sees a close
                };
                let conn = Accepted {
                    guard,
                    stream: TokioIo::new(stream),
                };
                tokio::spawn(serve_connection(conn, Arc::clone(&handler)));
            }
        });
    }
}
