//! # backend-tokio: a task per connection on tokio's work-stealing runtime
//!
//! One tokio task per connection on a multi-thread runtime with `Config::workers` threads. A task
//! runs until it would block on I/O or a timer, then yields its worker to another task; idle workers
//! steal queued tasks from busy ones. This is the async model: thousands of connections cost a few
//! hundred bytes of task state each, but scheduling is cooperative, so a handler that burns CPU
//! without yielding holds its worker and every task queued behind it (the benchmarks show it).
//!
//! - timeouts: `tokio::time::timeout` around each read and write;
//! - [`server_core::sleep`]: `tokio::time::sleep`; [`server_core::unblock`]: server-core's offload
//!   pool rather than `spawn_blocking` (its threads go to `SCHED_IDLE`, and must not later run the
//!   application's own blocking tasks);
//! - [`TokioBlockingPool`]: runs whole handlers on the blocking pool instead of inline, the blunt
//!   cure for CPU-heavy handlers (at the cost of a thread hop per request);
//! - [`TokioPerCore`]: thread-per-core instead of work stealing: a current-thread runtime per worker
//!   thread, each serving the connections handed to it to the end;
//! - feature `hyper`: [`Hyper`] serves the same handler through hyper's HTTP/1 server, as the
//!   reference engine (see its docs for where hyper answers differently).

use std::future::Future;
use std::io;
use std::net::{SocketAddr, TcpListener as StdListener};
use std::os::fd::{AsRawFd, RawFd};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use server_core::backend::{
    Accepted, Backend, Deadline, Job, Listener, Runtime, Shared, Timer, Transport, accept_loop, respond,
    serve_connection,
};
use server_core::{BoxFuture, Config, Handler, Outbound, Request, Response, ServerHandle};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::compat::TokioAsyncReadCompatExt;

#[cfg(feature = "hyper")]
mod hyper_engine;
mod per_core;
#[cfg(feature = "hyper")]
pub use hyper_engine::Hyper;
pub use per_core::TokioPerCore;

/// The tokio backend: server-core's engine on tokio tasks, handlers run inline in the task.
pub struct Tokio;

impl Backend for Tokio {
    fn start<H: Handler>(listener: StdListener, config: Config, handler: H) -> io::Result<ServerHandle> {
        serve(listener, config, handler, |conn, handler| {
            serve_connection(conn.map(TokioIo::new), handler)
        })
    }
}

/// The tokio backend with every handler run on tokio's blocking pool (`spawn_blocking`) instead of
/// inline: a handler that burns CPU then stalls only a pool thread, never a worker.
pub struct TokioBlockingPool;

impl Backend for TokioBlockingPool {
    fn start<H: Handler>(listener: StdListener, config: Config, handler: H) -> io::Result<ServerHandle> {
        Tokio::start(listener, config, OnBlockingPool(Arc::new(handler)))
    }
}

struct OnBlockingPool<H>(Arc<H>);

impl<H: Handler> Handler for OnBlockingPool<H> {
    fn call(&self, req: Request) -> impl Future<Output = Response> + Send {
        let handler = Arc::clone(&self.0);
        let runtime = tokio::runtime::Handle::current();
        // Dropping the connection's future (its client left) drops `cancel`, which ends the handler
        // on its pool thread too: a blocking task cannot be aborted from outside.
        let (cancel, mut cancelled) = tokio::sync::oneshot::channel::<()>();
        let job = tokio::task::spawn_blocking(move || {
            runtime.block_on(async move {
                let mut call = std::pin::pin!(respond(&*handler, req, &TokioRuntime));
                std::future::poll_fn(|cx| match call.as_mut().poll(cx) {
                    Poll::Ready(out) => Poll::Ready(Some(out)),
                    Poll::Pending => Pin::new(&mut cancelled).poll(cx).map(|_| None),
                })
                .await
            })
        });
        async move {
            let _cancel = cancel;
            match job.await {
                Ok(Some((resp, false))) => resp,
                // Re-raise so that the caller's guard answers 500 and closes, as for an inline panic.
                Ok(Some((_, true)) | None) | Err(_) => panic!("handler panicked on the blocking pool"),
            }
        }
    }
}

/// Builds the runtime, starts the accept loop on it, and spawns `conn_task` per connection.
pub(crate) fn serve<H, F, Fut>(
    listener: StdListener,
    config: Config,
    handler: H,
    conn_task: F,
) -> io::Result<ServerHandle>
where
    H: Handler,
    F: Fn(Accepted<TcpStream>, Arc<H>) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(config.workers.max(1))
        .thread_name("tokio-worker")
        .enable_all()
        .build()?;
    let addr = listener.local_addr()?;
    listener.set_nonblocking(true)?;
    let listener = {
        let _context = runtime.enter();
        TcpListener::from_std(listener)?
    };
    let shared = Shared::new(config, &TokioRuntime);
    let handler = Arc::new(handler);
    let spawn = move |conn: Accepted<TcpStream>| {
        tokio::spawn(conn_task(conn, Arc::clone(&handler)));
    };
    runtime.spawn(accept_loop(TokioListener(listener), Arc::clone(&shared), spawn));
    Ok(ServerHandle::new(addr, shared, move || {
        runtime.shutdown_background()
    }))
}

struct TokioListener(TcpListener);

impl AsRawFd for TokioListener {
    fn as_raw_fd(&self) -> RawFd {
        self.0.as_raw_fd()
    }
}

impl Listener for TokioListener {
    type Stream = TcpStream;
    async fn accept(&mut self) -> io::Result<TcpStream> {
        self.0.accept().await.map(|(stream, _)| stream)
    }
}

/// A tokio stream with its connection's lazily re-armed timer.
struct TokioIo {
    stream: TcpStream,
    deadline: Deadline<TokioTimer>,
}

impl TokioIo {
    fn new(stream: TcpStream) -> Self {
        TokioIo {
            stream,
            deadline: Deadline::default(),
        }
    }
}

impl Transport for TokioIo {
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
        let _ = socket2::SockRef::from(&self.stream).shutdown(std::net::Shutdown::Write);
    }

    const READINESS: bool = true;

    fn readable(&mut self, timeout: Duration) -> impl Future<Output = io::Result<()>> {
        // Polled rather than `readable()`, whose future carries a waiter node of its own.
        let stream = &self.stream;
        self.deadline
            .limit(timeout, std::future::poll_fn(|cx| stream.poll_read_ready(cx)))
    }

    fn try_read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // `poll_read` rather than `try_read`: after a short read it marks the socket not ready, which
        // spares the next call a `recv` that could only say `EAGAIN`. Its waker is replaced by
        // `readable`'s before the task waits.
        let mut buf = tokio::io::ReadBuf::new(buf);
        let mut cx = Context::from_waker(std::task::Waker::noop());
        match Pin::new(&mut self.stream).poll_read(&mut cx, &mut buf) {
            Poll::Ready(read) => read.map(|()| buf.filled().len()),
            Poll::Pending => Err(io::ErrorKind::WouldBlock.into()),
        }
    }
}

/// tokio's `Sleep`, boxed once per connection so that it can be reset in place.
struct TokioTimer(Pin<Box<tokio::time::Sleep>>);

impl Future for TokioTimer {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.0.as_mut().poll(cx)
    }
}

impl Timer for TokioTimer {
    fn at(deadline: Instant) -> Self {
        TokioTimer(Box::pin(tokio::time::sleep_until(deadline.into())))
    }
    fn reset(&mut self, deadline: Instant) {
        self.0.as_mut().reset(deadline.into());
    }
}

/// tokio's timer, reactor and tasks (on a per-core worker, that worker's own).
pub(crate) struct TokioRuntime;

impl Runtime for TokioRuntime {
    fn sleep(&self, dur: Duration) -> BoxFuture<'static, ()> {
        Box::pin(tokio::time::sleep(dur))
    }
    fn timer(&self, dur: Duration) -> BoxFuture<'static, ()> {
        self.sleep(dur)
    }
    fn connect(&self, addr: SocketAddr) -> BoxFuture<'static, io::Result<Outbound>> {
        Box::pin(async move {
            let stream = TcpStream::connect(addr).await?;
            stream.set_nodelay(true)?;
            Ok(Outbound::new(stream.compat()))
        })
    }
    fn spawn(&self, task: BoxFuture<'static, ()>) {
        tokio::spawn(task);
    }
    /// A blocking pool of its own (a runtime that runs nothing else), not the application's
    /// `spawn_blocking` pool: offloaded jobs move their threads to `SCHED_IDLE` (see
    /// [`server_core::unblock`]), which the application's own blocking work must not inherit.
    fn offload(&self, job: Job) {
        static POOL: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
        POOL.get_or_init(|| {
            tokio::runtime::Builder::new_current_thread()
                .thread_name("offload")
                .max_blocking_threads(500)
                .build()
                .expect("building the offload pool's runtime")
        })
        .spawn_blocking(job);
    }
}
