//! # backend-compio: one compio runtime per core, on io_uring
//!
//! Thread-per-core on completions. Each of `Config::workers` threads runs a compio runtime with its
//! own io_uring instance and serves, to the end, the connections server-core's acceptor hands it
//! (see [`server_core::backend::serve_per_core`]). Where the epoll backends wait for readiness and then call
//! `read(2)` and `write(2)`, a compio worker submits the receive and the send themselves to its ring
//! and gets completions back: the kernel does the I/O, and one `io_uring_enter` submits and reaps a
//! whole batch of connections' operations. Nothing is shared between workers, and a connection's
//! future need not be `Send` (compio's operations hold its thread's driver).
//!
//! What completion I/O asks of the connection loop, and how this crate's transport answers it: the
//! kernel owns a buffer from submission to completion, so request heads are received into a
//! provided-buffer ring per worker (the kernel takes a buffer only when bytes arrive: a waiting
//! connection holds none) and bodies into a buffer of the connection's own, each then copied into the
//! engine's buffer; a receive cannot be dropped without risking bytes the kernel already took, so it is
//! kept in flight across the loop's reads; and a send completes later, so a write returns once its send
//! is submitted and the next write, a read or the connection's end settles it. See docs/models.md.
//!
//! - timeouts: compio's timer, one per connection, re-armed lazily ([`server_core::backend::Deadline`]);
//! - [`server_core::sleep`]: compio's timer; [`server_core::unblock`]: server-core's offload pool;
//! - a kernel that refuses io_uring (too old, `kernel.io_uring_disabled`, a seccomp filter): the
//!   server fails to start with an error that says so.
//! - compio's executor comes from `vendor/compio-executor` (`[patch.crates-io]` in the workspace's
//!   manifest): its cross-thread wake queue no longer keeps a worker spinning behind a preempted
//!   offload thread, which stalled a worker for ~0.3 s (vendor/compio-executor/PATCH.md). An
//!   application outside this workspace needs the same patch entry.

use std::future::Future;
use std::io;
use std::net::{SocketAddr, TcpListener};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::thread::{self, ThreadId};
use std::time::{Duration, Instant};

mod ring;

use compio::driver::op::OpCodeFlag;
use ring::Ring;
use server_core::backend::{
    Accepted, Assigned, Backend, CoreRuntime, Job, Runtime, Timer, offload_blocking, serve_connection,
    serve_per_core,
};
use server_core::{BoxFuture, Config, Handler, Outbound, ServerHandle};

/// The compio backend; see the crate docs.
pub struct Compio;

impl Backend for Compio {
    fn start<H: Handler>(listener: TcpListener, config: Config, handler: H) -> io::Result<ServerHandle> {
        serve_per_core::<Worker, H>(listener, config, &CompioRuntime, handler)
    }
}

/// Whether this machine lets the compio backend run: `Err` with the reason when the kernel refuses
/// io_uring. (Tests use it to say that they were skipped, and why.)
pub fn io_uring_available() -> Result<(), String> {
    static PROBE: std::sync::OnceLock<Result<(), String>> = std::sync::OnceLock::new();
    // On a thread of its own: a ring torn down leaves task work for the thread that made it, which
    // interrupts that thread's next blocking socket read with `EINTR` (seen in the caller's tests).
    let probe = || {
        std::thread::spawn(|| Worker::build().map(drop).map_err(|e| e.to_string()))
            .join()
            .unwrap_or_else(|_| Err("the io_uring probe panicked".into()))
    };
    PROBE.get_or_init(probe).clone()
}

struct Worker(compio::runtime::Runtime);

impl CoreRuntime for Worker {
    const NAME: &'static str = "compio";

    fn build() -> io::Result<Self> {
        runtime().map(Worker)
    }

    fn run<H: Handler>(self, assigned: Assigned, handler: Arc<H>) {
        self.0.block_on(async move {
            while let Some(Accepted { guard, stream }) = assigned.next().await {
                let conn = Accepted {
                    guard,
                    stream: Ring::new(stream),
                };
                compio::runtime::spawn(serve_connection(conn, Arc::clone(&handler))).detach();
            }
        });
    }
}

/// The compio runtime each worker runs, its ring set up for serving as described inside; public for
/// tools that measure the runtime alone (bench's `bare`).
pub fn runtime() -> io::Result<compio::runtime::Runtime> {
    // One thread submits to each ring, so the kernel may run completion work only when that
    // thread next enters it (`DEFER_TASKRUN`, Linux 6.1) instead of interrupting it with an IPI
    // whenever a packet arrives for a pending receive; older kernels get the default ring.
    // `TASKRUN_FLAG` makes the kernel say when such work is waiting, which is the only way the
    // loop's non-blocking polls between batches of tasks know to run it: without it, requests that
    // arrive while tasks are runnable wait until the worker has nothing left to run (10,000
    // connections waiting 500 ms each: a median answer in 591 ms without it, 501 ms with it).
    let mut plain = compio::driver::ProactorBuilder::new();
    plain
        // A completion per receive and per send of every connection can be due at once (10,000
        // connections answering their waits together): a completion queue that overflows makes
        // the kernel park completions on a slow list. 16,384 entries take 256 KiB, touched only
        // as they are used.
        .cqsize(16 * 1024)
        .buffer_pool_size(std::num::NonZero::new(ring::POOLED_BUFFERS).expect("not zero"))
        .buffer_pool_buffer_len(ring::POOLED_LEN)
        // compio asks the kernel which opcodes it supports on the first operation, through a
        // ring of its own (a descriptor): were that first operation to come while the process
        // is out of descriptors, every operation would be taken for unsupported and fail (a
        // panic in compio's fallback pool each). Asking here, at start, caches the answer.
        .detect_opcode_support(OpCodeFlag::Recv | OpCodeFlag::Send | OpCodeFlag::Shutdown);
    let mut tuned = plain.clone();
    tuned.single_issuer(true).defer_taskrun(true).taskrun_flag(true);
    let build = |proactor: &compio::driver::ProactorBuilder| {
        compio::runtime::RuntimeBuilder::new()
            .with_proactor(proactor.clone())
            .build()
    };
    build(&tuned).or_else(|_| build(&plain)).map_err(|e| {
        io::Error::new(
            e.kind(),
            format!(
                "io_uring is unavailable ({e}): the compio backend needs a kernel with io_uring \
                 enabled (Linux 5.19 or later; check /proc/sys/kernel/io_uring_disabled and any \
                 seccomp filter)"
            ),
        )
    })
}

/// compio's timer, boxed so that it can be replaced in place.
pub(crate) struct CompioTimer(Pin<Box<dyn Future<Output = ()>>>);

impl Future for CompioTimer {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.0.as_mut().poll(cx)
    }
}

impl Timer for CompioTimer {
    fn at(deadline: Instant) -> Self {
        CompioTimer(Box::pin(compio::time::sleep_until(deadline)))
    }
    fn reset(&mut self, deadline: Instant) {
        *self = Self::at(deadline);
    }
}

/// compio's timer, sockets and tasks, each on the calling worker's own runtime.
struct CompioRuntime;

impl Runtime for CompioRuntime {
    fn sleep(&self, dur: Duration) -> BoxFuture<'static, ()> {
        Box::pin(OnThisThread::new(compio::time::sleep(dur)))
    }
    fn timer(&self, dur: Duration) -> BoxFuture<'static, ()> {
        self.sleep(dur)
    }
    fn connect(&self, addr: SocketAddr) -> BoxFuture<'static, io::Result<Outbound>> {
        Box::pin(OnThisThread::new(async move {
            let stream = compio::net::TcpStream::connect(addr).await?;
            stream.set_nodelay(true)?;
            // compio's futures-io adapter: it keeps a buffer each way and an operation in flight.
            let stream = OnThisThread::new(Box::pin(compio::io::compat::AsyncStream::new(stream)));
            Ok(Outbound::new(stream))
        }))
    }
    fn spawn(&self, task: BoxFuture<'static, ()>) {
        compio::runtime::spawn(task).detach();
    }
    fn offload(&self, job: Job) {
        offload_blocking(job);
    }
}

/// A future or stream bound to the thread that made it (compio's timers and sockets live in their
/// thread's runtime), made `Send` so that it fits the handler contract. A handler's future on this backend never leaves its
/// connection's thread; should one be polled elsewhere, it panics (a 500) rather than touch another
/// thread's runtime, and if dropped elsewhere it is leaked rather than dropped there.
struct OnThisThread<F> {
    home: ThreadId,
    fut: std::mem::ManuallyDrop<F>,
}

impl<F> OnThisThread<F> {
    fn new(fut: F) -> Self {
        OnThisThread {
            home: thread::current().id(),
            fut: std::mem::ManuallyDrop::new(fut),
        }
    }
}

// SAFETY: the inner future is only polled or dropped on its home thread (checked in `poll` and `drop`).
unsafe impl<F> Send for OnThisThread<F> {}

impl<F> OnThisThread<F> {
    fn inner(self: Pin<&mut Self>) -> Pin<&mut F> {
        assert_eq!(
            thread::current().id(),
            self.home,
            "server_core's sleep, connect and their streams on the compio backend must be used on the \
             connection's own thread"
        );
        // SAFETY: `fut` is pinned with `self` (structural pinning): it is never moved out, and `drop`
        // drops it in place.
        unsafe { self.map_unchecked_mut(|this| &mut *this.fut) }
    }
}

impl<F: Future> Future for OnThisThread<F> {
    type Output = F::Output;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        self.inner().poll(cx)
    }
}

impl<S: futures_io::AsyncRead> futures_io::AsyncRead for OnThisThread<S> {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        self.inner().poll_read(cx, buf)
    }
}

impl<S: futures_io::AsyncWrite> futures_io::AsyncWrite for OnThisThread<S> {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.inner().poll_write(cx, buf)
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.inner().poll_flush(cx)
    }
    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.inner().poll_close(cx)
    }
}

impl<F> Drop for OnThisThread<F> {
    fn drop(&mut self) {
        if thread::current().id() == self.home {
            // SAFETY: dropped once, here, in place, on its home thread.
            unsafe { std::mem::ManuallyDrop::drop(&mut self.fut) };
        }
    }
}
