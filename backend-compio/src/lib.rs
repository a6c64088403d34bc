//! # backend-compio: one compio runtime per core, on io_uring
//!
//! Thread-per-core on completions. Each of `Config::workers` threads runs a compio runtime with its
//! own io_uring instance and serves, to the end, the connections server-core's acceptor hands it
//! (see [`server_core::serve_per_core`]). Where the epoll backends wait for readiness and then call
//! `read(2)` and `write(2)`, a compio worker submits the receive and the send themselves to its ring
//! and gets completions back: the kernel does the I/O, and one `io_uring_enter` submits and reaps a
//! whole batch of connections' operations. Nothing is shared between workers, and a connection's
//! future need not be `Send` (compio's operations hold its thread's driver).
//!
//! What completion I/O asks of the connection loop: the kernel owns a buffer from submission to
//! completion, so operations take owned buffers, and a receive cannot simply be dropped (cancelling it
//! may lose bytes the kernel already took). [`Ring`] therefore keeps its receive in flight across the
//! loop's reads: a read the loop gives up on (its timeout passed, or the handler finished first) leaves
//! the receive pending, and the next read picks up its bytes. Each completed receive is copied into the
//! engine's buffer, and each write is copied into the ring's send buffer (the engine's buffers are
//! borrowed; see docs/models.md for what the copies cost).
//!
//! - timeouts: compio's timer, one per connection, re-armed lazily ([`server_core::Deadline`]);
//! - [`server_core::sleep`]: compio's timer; [`server_core::unblock`]: server-core's offload pool;
//! - a kernel that refuses io_uring (too old, `kernel.io_uring_disabled`, a seccomp filter): the
//!   server fails to start with an error that says so.

use std::future::{Future, poll_fn};
use std::io;
use std::net::{Shutdown, TcpListener, TcpStream};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::thread::{self, ThreadId};
use std::time::{Duration, Instant};

use compio::BufResult;
use compio::driver::{PollFirst, SharedFd};
use compio::driver::op::{Recv, RecvFlags, Send as SendOp, SendFlags};
use compio::runtime::Submit;
use server_core::{
    Accepted, Assigned, Backend, BoxFuture, Config, CoreRuntime, Deadline, Handler, Runtime, ServerHandle,
    Timer, Transport, serve_connection, serve_per_core,
};

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
    PROBE
        .get_or_init(|| Worker::build().map(drop).map_err(|e| e.to_string()))
        .clone()
}

struct Worker(compio::runtime::Runtime);

impl CoreRuntime for Worker {
    const NAME: &'static str = "compio";

    fn build() -> io::Result<Self> {
        // One thread submits to each ring, so the kernel may run completion work only when that
        // thread next enters it (`DEFER_TASKRUN`, Linux 6.1) instead of interrupting it with an IPI
        // whenever a packet arrives for a pending receive; older kernels get the default ring.
        let mut tuned = compio::driver::ProactorBuilder::new();
        tuned.single_issuer(true).defer_taskrun(true);
        let build = |proactor: &compio::driver::ProactorBuilder| {
            compio::runtime::RuntimeBuilder::new()
                .with_proactor(proactor.clone())
                .build()
        };
        build(&tuned)
            .or_else(|_| build(&compio::driver::ProactorBuilder::new()))
            .map(Worker)
            .map_err(|e| {
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

    fn run<H: Handler>(self, assigned: Assigned, handler: Arc<H>) {
        self.0.block_on(async move {
            while let Some(Accepted { guard, stream }) = assigned.next().await {
                let handler = Arc::clone(&handler);
                compio::runtime::spawn(async move {
                    let conn = Accepted {
                        guard,
                        stream: Ring::new(stream),
                    };
                    serve_connection(conn, &*handler).await
                })
                .detach();
            }
        });
    }
}

type Fd = SharedFd<TcpStream>;

/// A connection's socket on the worker's ring.
struct Ring {
    fd: Fd,
    /// The receive the kernel may still be filling; kept across reads so that none is lost.
    recv: Option<Submit<Recv<Vec<u8>, Fd>>>,
    /// Bytes received and not yet handed to the engine: `received[taken..]`.
    received: Vec<u8>,
    taken: usize,
    /// The send buffer, reused while no send is in flight.
    sending: Vec<u8>,
    deadline: Deadline<CompioTimer>,
}

impl Ring {
    fn new(stream: TcpStream) -> Self {
        Ring {
            fd: SharedFd::new(stream),
            recv: None,
            received: Vec::new(),
            taken: 0,
            sending: Vec::new(),
            deadline: Deadline::default(),
        }
    }
}

impl Transport for Ring {
    async fn read(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize> {
        if self.taken == self.received.len() {
            let Ring {
                fd,
                recv,
                received,
                taken,
                deadline,
                ..
            } = self;
            let op = recv.get_or_insert_with(|| {
                *taken = 0;
                // As much as the engine can take: an idle connection asks for little (1 KiB), so that
                // little is what the kernel holds while it waits.
                let mut into = std::mem::take(received);
                into.clear();
                into.reserve(buf.len());
                let mut op = Recv::new(fd.clone(), into, RecvFlags::empty());
                // The loop reads once it has answered everything received, so the next bytes are
                // usually not there yet: arm the socket's poll at once rather than first try a
                // receive that would fail.
                op.poll_first();
                compio::runtime::submit(op)
            });
            let BufResult(n, op) = deadline.limit(timeout, in_flight(op)).await?;
            self.recv = None;
            let mut into = compio::buf::IntoInner::into_inner(op);
            // SAFETY: the kernel wrote `n` bytes at the start of the buffer (none on an error).
            unsafe { into.set_len(*n.as_ref().unwrap_or(&0)) };
            self.received = into;
            self.taken = 0;
            n?;
        }
        let n = buf.len().min(self.received.len() - self.taken);
        buf[..n].copy_from_slice(&self.received[self.taken..self.taken + n]);
        self.taken += n;
        Ok(n)
    }

    async fn write_all(&mut self, buf: &[u8], timeout: Duration) -> io::Result<()> {
        let mut out = std::mem::take(&mut self.sending);
        out.clear();
        out.extend_from_slice(buf);
        while !out.is_empty() {
            let op = compio::runtime::submit(SendOp::new(self.fd.clone(), out, SendFlags::empty()));
            let BufResult(n, op) = self.deadline.limit(timeout, ok(op)).await?;
            out = compio::buf::IntoInner::into_inner(op);
            match n? {
                0 => return Err(io::ErrorKind::WriteZero.into()),
                n => drop(out.drain(..n)),
            }
        }
        self.sending = out;
        Ok(())
    }

    fn shutdown_write(&mut self) {
        let _ = self.fd.shutdown(Shutdown::Write);
    }
}

/// Polls the pending receive without owning it, so that giving up (a timeout) leaves it in flight.
fn in_flight<T>(op: &mut Submit<T>) -> impl Future<Output = io::Result<BufResult<usize, T>>> + '_
where
    Submit<T>: Future<Output = BufResult<usize, T>> + Unpin,
    T: compio::driver::OpCode,
{
    poll_fn(move |cx| Pin::new(&mut *op).poll(cx).map(Ok))
}

/// An operation's result, as the `io::Result` that [`Deadline::limit`] wraps.
async fn ok<F: Future>(op: F) -> io::Result<F::Output> {
    Ok(op.await)
}

/// compio's timer, boxed so that it can be replaced in place.
struct CompioTimer(Pin<Box<dyn Future<Output = ()>>>);

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

/// compio's timer for [`server_core::sleep`].
struct CompioRuntime;

impl Runtime for CompioRuntime {
    fn sleep(&self, dur: Duration) -> BoxFuture<'static, ()> {
        Box::pin(OnThisThread::new(compio::time::sleep(dur)))
    }
}

/// A future bound to the thread that made it (compio's timer lives in its thread's runtime), made
/// `Send` so that it fits the handler contract. A handler's future on this backend never leaves its
/// connection's thread; should one be polled elsewhere, it panics (a 500) rather than touch another
/// thread's runtime, and if dropped elsewhere it is leaked rather than dropped there.
struct OnThisThread<F> {
    home: ThreadId,
    fut: std::mem::ManuallyDrop<Pin<Box<F>>>,
}

impl<F> OnThisThread<F> {
    fn new(fut: F) -> Self {
        OnThisThread {
            home: thread::current().id(),
            fut: std::mem::ManuallyDrop::new(Box::pin(fut)),
        }
    }
}

// SAFETY: the inner future is only polled or dropped on its home thread (checked in `poll` and `drop`).
unsafe impl<F> Send for OnThisThread<F> {}

impl<F: Future> Future for OnThisThread<F> {
    type Output = F::Output;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        assert_eq!(
            thread::current().id(),
            self.home,
            "server_core::sleep on the compio backend must be awaited on the connection's own thread"
        );
        self.fut.as_mut().poll(cx)
    }
}

impl<F> Drop for OnThisThread<F> {
    fn drop(&mut self) {
        if thread::current().id() == self.home {
            // SAFETY: dropped once, here, on its home thread.
            unsafe { std::mem::ManuallyDrop::drop(&mut self.fut) };
        }
    }
}
