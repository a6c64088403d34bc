//! Outbound connections, the third runtime-neutral need beside [`sleep`](crate::sleep) and
//! [`unblock`](crate::unblock): a handler (a database client under it) opens a TCP connection with
//! [`connect`] and runs the task that drives a client connection with [`spawn`], without naming a
//! runtime. Each backend serves both natively (see [`Runtime`](crate::Runtime)): tokio's reactor
//! and tasks, async-io's reactor and the smol or async-std executor, compio's ring on the worker's
//! own thread; the blocking backends wait on async-io's reactor with their thread or coroutine
//! parked, and give each driving task a thread or coroutine of its own.
//!
//! The stream speaks `futures-io`'s `AsyncRead` and `AsyncWrite`, the traits no runtime owns; a
//! client written for tokio's traits takes it through `tokio_util::compat`.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_io::{AsyncRead, AsyncWrite};

use crate::BoxFuture;
use crate::runtime::{current, install};

/// What a backend hands back from [`Runtime::connect`](crate::Runtime::connect).
pub trait OutboundIo: AsyncRead + AsyncWrite + Send + Unpin + 'static {}

impl<T: AsyncRead + AsyncWrite + Send + Unpin + 'static> OutboundIo for T {}

/// An outbound TCP connection whose I/O the backend that opened it drives.
pub struct Outbound(Box<dyn OutboundIo>);

impl Outbound {
    /// Wraps a backend's stream.
    pub fn new(io: impl OutboundIo) -> Self {
        Outbound(Box::new(io))
    }
}

impl std::fmt::Debug for Outbound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Outbound")
    }
}

impl AsyncRead for Outbound {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut *self.0).poll_read(cx, buf)
    }
}

impl AsyncWrite for Outbound {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut *self.0).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut *self.0).poll_flush(cx)
    }
    fn poll_close(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut *self.0).poll_close(cx)
    }
}

/// Opens a TCP connection to `addr` on whichever backend runs the handler, with `TCP_NODELAY` set
/// (a client's requests are small and wait for their answers).
///
/// # Panics
/// When called on a thread that has not run a backend's handler code.
pub fn connect(addr: SocketAddr) -> BoxFuture<'static, io::Result<Outbound>> {
    let rt = current("connect");
    let connecting = rt.connect(addr);
    // A blocking backend may have connected right here, and a coroutine resumed on another thread.
    install(rt);
    connecting
}

/// Runs `task` to its end beside the backend's connections: the driver of a client connection
/// (tokio-postgres's `Connection`). On a per-core backend it runs on the calling worker, so a
/// connection opened there is driven there; on a blocking backend on a thread or coroutine of its own.
///
/// # Panics
/// When called on a thread that has not run a backend's handler code.
pub fn spawn(task: impl Future<Output = ()> + Send + 'static) {
    current("spawn").spawn(Box::pin(task));
}

#[cfg(feature = "async-io")]
/// A connection on async-io's reactor: how the blocking backends (a thread or a coroutine per
/// connection) wait for an outbound socket, the caller parked until the reactor's thread wakes it.
/// A blocking socket would not do: a database client's driver reads and writes one socket at once.
pub async fn connect_async_io(addr: SocketAddr) -> io::Result<Outbound> {
    let stream = async_io::Async::<std::net::TcpStream>::connect(addr).await?;
    stream.get_ref().set_nodelay(true)?;
    Ok(Outbound::new(stream))
}
