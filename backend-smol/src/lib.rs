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
//! speak the `futures-io` traits and share [`FuturesIo`] and the runtime hooks: only accept and
//! spawn differ.

use std::io;
use std::os::fd::{AsRawFd, BorrowedFd};
use std::time::{Duration, Instant};

use futures_lite::{AsyncReadExt, AsyncWriteExt};
use server_core::{BoxFuture, Deadline, Runtime, Timer, Transport};

#[cfg(feature = "async-std")]
mod async_std_backend;
#[cfg(feature = "smol")]
mod smol_backend;

#[cfg(feature = "async-std")]
pub use async_std_backend::AsyncStd;
#[cfg(feature = "smol")]
pub use smol_backend::Smol;

/// A `futures-io` stream as a [`Transport`], with one lazily re-armed `async-io` timer for its
/// timeouts (a fresh `Timer` per read would cost a reactor wake-up syscall per request).
pub struct FuturesIo<S> {
    stream: S,
    deadline: Deadline<IoTimer>,
}

impl<S> FuturesIo<S> {
    /// Wraps a connected stream.
    pub fn new(stream: S) -> Self {
        FuturesIo {
            stream,
            deadline: Deadline::default(),
        }
    }
}

impl<S> Transport for FuturesIo<S>
where
    S: futures_io::AsyncRead + futures_io::AsyncWrite + AsRawFd + Unpin + Send,
{
    async fn read(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize> {
        self.deadline.limit(timeout, self.stream.read(buf)).await
    }

    async fn write_all(&mut self, buf: &[u8], timeout: Duration) -> io::Result<()> {
        self.deadline.limit(timeout, self.stream.write_all(buf)).await
    }

    fn shutdown_write(&mut self) {
        // SAFETY: the descriptor belongs to `self.0`, which outlives this borrow.
        let fd = unsafe { BorrowedFd::borrow_raw(self.stream.as_raw_fd()) };
        let _ = socket2::SockRef::from(&fd).shutdown(std::net::Shutdown::Write);
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

/// async-io's timer and the `blocking` crate's pool: what smol and async-std both run on.
pub(crate) struct AsyncIoRuntime;

impl Runtime for AsyncIoRuntime {
    fn sleep(&self, dur: Duration) -> BoxFuture<'static, ()> {
        Box::pin(async move {
            async_io::Timer::after(dur).await;
        })
    }
}
