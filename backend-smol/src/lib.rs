//! # backend-smol: a task per connection on smol's executor (and on async-std's)
//!
//! The same async model as tokio with different parts: smol's `Executor` (a shared injector queue
//! plus per-thread local queues, with stealing) run on `Config::workers` threads, `async-io`'s reactor
//! and timers, and the `blocking` crate's thread pool. A handler that burns CPU holds its worker
//! thread, exactly as on tokio.
//!
//! - timeouts: an `async-io` [`Timer`](async_io::Timer) raced against each read and write;
//! - [`server_core::sleep`]: `async_io::Timer`; [`server_core::unblock`]: server-core's offload pool (the `blocking` crate's).
//!
//! Feature `async-std`: [`AsyncStd`] serves on async-std's global runtime instead. **async-std is
//! deprecated upstream** (its maintainers point users to smol); it is here because many applications
//! still run on it and want to compare. Its worker count is the runtime's own (set with the
//! `ASYNC_STD_THREAD_COUNT` environment variable before first use), not `Config::workers`. Both paths
//! share [`AsyncIo`] and the runtime hooks: only spawn differs. async-std's own `TcpStream` is an
//! `Arc<Async<std::net::TcpStream>>` that hides the `Async`'s readiness wait; using the `Async`
//! directly is the same reactor and the same I/O, and lets an idle connection wait holding no buffer.

use std::future::Future;
use std::io::{self, Read};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::fd::{AsRawFd, RawFd};
use std::time::{Duration, Instant};

use async_io::Async;
use futures_lite::{AsyncReadExt, AsyncWriteExt};
use server_core::backend::{Deadline, Job, Listener, Runtime, Timer, Transport, offload_blocking};
use server_core::{BoxFuture, Outbound};

#[cfg(feature = "async-std")]
mod async_std_backend;
#[cfg(feature = "smol")]
mod smol_backend;

#[cfg(feature = "async-std")]
pub use async_std_backend::AsyncStd;
#[cfg(feature = "smol")]
pub use smol_backend::Smol;

/// A socket on async-io's reactor as a [`Transport`], with one lazily re-armed `async-io` timer for
/// its timeouts (a fresh `Timer` per read would cost a reactor wake-up syscall per request).
pub struct AsyncIo {
    stream: Async<TcpStream>,
    deadline: Deadline<IoTimer>,
    /// The last [`try_read`](Transport::try_read) found nothing.
    would_block: bool,
}

impl AsyncIo {
    /// Wraps a connected stream.
    pub fn new(stream: Async<TcpStream>) -> Self {
        AsyncIo {
            stream,
            deadline: Deadline::default(),
            would_block: false,
        }
    }
}

impl Transport for AsyncIo {
    fn read<'a>(
        &'a mut self,
        buf: &'a mut [u8],
        timeout: Duration,
    ) -> impl Future<Output = io::Result<usize>> + 'a {
        self.deadline.limit(timeout, self.stream.read(buf))
    }

    fn write_all<'a>(
        &'a mut self,
        buf: &'a [u8],
        timeout: Duration,
    ) -> impl Future<Output = io::Result<()>> + 'a {
        self.deadline.limit(timeout, self.stream.write_all(buf))
    }

    fn shutdown_write(&mut self) {
        let _ = self.stream.get_ref().shutdown(std::net::Shutdown::Write);
    }

    const READINESS: bool = true;

    fn readable(&mut self, timeout: Duration) -> impl Future<Output = io::Result<()>> {
        // async-io learns readiness only from its reactor, so until a read has found nothing the
        // answer is "try": a request that is already there costs one `read`, as in `Async::read`.
        // (Polled rather than `readable()`, whose future carries a registration of its own.)
        let (stream, try_first) = (&self.stream, !self.would_block);
        let ready = std::future::poll_fn(move |cx| match try_first {
            true => std::task::Poll::Ready(Ok(())),
            false => stream.poll_readable(cx),
        });
        self.deadline.limit(timeout, ready)
    }

    fn try_read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // The socket is non-blocking (`Async::new` made it so): `WouldBlock` when nothing is there.
        let read = self.stream.get_ref().read(buf);
        self.would_block = matches!(&read, Err(e) if e.kind() == io::ErrorKind::WouldBlock);
        read
    }
}

/// A listening socket on async-io's reactor.
pub(crate) struct AsyncIoListener(Async<TcpListener>);

impl AsRawFd for AsyncIoListener {
    fn as_raw_fd(&self) -> RawFd {
        self.0.as_raw_fd()
    }
}

impl Listener for AsyncIoListener {
    type Stream = Async<TcpStream>;
    async fn accept(&mut self) -> io::Result<Async<TcpStream>> {
        self.0.accept().await.map(|(stream, _)| stream)
    }
}

/// async-io's timer as a [`Timer`].
pub struct IoTimer(async_io::Timer);

impl std::future::Future for IoTimer {
    type Output = ();
    fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<()> {
        std::pin::Pin::new(&mut self.0).poll(cx).map(drop)
    }
}

impl Timer for IoTimer {
    fn at(deadline: Instant) -> Self {
        IoTimer(async_io::Timer::at(deadline))
    }
    fn reset(&mut self, deadline: Instant) {
        self.0.set_at(deadline);
    }
}

/// async-io's timer and reactor, and the executor that spawns: what smol and async-std both run on.
pub(crate) enum AsyncIoRuntime {
    /// async-std's global executor.
    #[cfg(feature = "async-std")]
    AsyncStd,
    /// One server's smol executor; once the server has stopped, a task spawned is dropped.
    #[cfg(feature = "smol")]
    Smol(std::sync::Weak<smol::Executor<'static>>),
}

impl Runtime for AsyncIoRuntime {
    fn sleep(&self, dur: Duration) -> BoxFuture<'static, ()> {
        Box::pin(async move {
            async_io::Timer::after(dur).await;
        })
    }
    fn timer(&self, dur: Duration) -> BoxFuture<'static, ()> {
        self.sleep(dur)
    }
    fn connect(&self, addr: SocketAddr) -> BoxFuture<'static, io::Result<Outbound>> {
        Box::pin(async move {
            let stream = Async::<TcpStream>::connect(addr).await?;
            stream.get_ref().set_nodelay(true)?;
            Ok(Outbound::new(stream))
        })
    }
    fn spawn(&self, task: BoxFuture<'static, ()>) {
        match self {
            #[cfg(feature = "async-std")]
            AsyncIoRuntime::AsyncStd => drop(async_std::task::spawn(task)),
            #[cfg(feature = "smol")]
            AsyncIoRuntime::Smol(executor) => {
                if let Some(executor) = executor.upgrade() {
                    executor.spawn(task).detach();
                }
            }
        }
    }
    fn offload(&self, job: Job) {
        offload_blocking(job);
    }
}
