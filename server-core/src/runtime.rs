//! The runtime-neutral primitives a handler may use: [`sleep`] and [`unblock`], served by whichever
//! backend runs the handler.
//!
//! Each backend implements [`Runtime`] with its native timer (tokio's, async-io's, a blocking sleep
//! on a connection's own thread, a may coroutine sleep); offloading is the same pool everywhere (see
//! [`unblock`]). The backend installs its runtime before every poll of a handler's future (see
//! [`respond`](crate::respond)), so one handler source runs unchanged everywhere.

use std::cell::Cell;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use crate::{BoxFuture, Outbound};

/// What a backend provides so that handlers can wait and talk to other servers without naming a
/// runtime. (Offloading needs nothing from it: [`unblock`] uses one pool under every scheduling model.)
pub trait Runtime: Send + Sync + 'static {
    /// A future that completes after `dur`. A blocking backend may block right here instead.
    fn sleep(&self, dur: Duration) -> BoxFuture<'static, ()>;
    /// A future that completes after `dur` and never blocks, made or polled: what [`timeout`] races
    /// a future against (a blocking backend's [`sleep`](Runtime::sleep) would not race).
    fn timer(&self, dur: Duration) -> BoxFuture<'static, ()>;
    /// A TCP connection to `addr`, its I/O driven by this backend (see [`connect`](crate::connect)).
    /// A blocking backend may connect right here instead.
    fn connect(&self, addr: SocketAddr) -> BoxFuture<'static, io::Result<Outbound>>;
    /// Runs `task` to its end beside this backend's connections (see [`spawn`](crate::spawn)).
    fn spawn(&self, task: BoxFuture<'static, ()>);
}

/// Takes a thread's cached value (see [`put_local`]).
///
/// Never inlined: a may coroutine moves to another thread at a blocking call, and code inlined into
/// one function with such a call may reuse a thread-local's address from before it (as with
/// `errno`: vendor/may/PATCH.md), so that two threads would share one cache.
#[inline(never)]
pub(crate) fn take_local<T: Default>(key: &'static std::thread::LocalKey<Cell<T>>) -> T {
    key.take()
}

/// Puts a value into a thread's cache, as [`take_local`] takes it.
#[inline(never)]
pub(crate) fn put_local<T>(key: &'static std::thread::LocalKey<Cell<T>>, value: T) {
    key.set(value);
}

thread_local! {
    /// The runtime of the last handler polled on this thread. Reached only through the never-inlined
    /// [`install`] and [`current`], as [`take_local`] explains.
    static CURRENT: Cell<Option<&'static dyn Runtime>> = const { Cell::new(None) };
}

/// Makes `rt` the runtime [`sleep`] and [`unblock`] find on this thread; the backend's connection loop
/// does it before every poll of handler code ([`respond`](crate::respond)). Not undone after the
/// poll: a may coroutine that blocks inside one (a coroutine [`sleep`]) can resume on another thread,
/// and a value restored there would be one read on the first, leaving the second without a runtime
/// while other handlers on it still need one. A thread serves one backend, so what stays installed
/// between polls is that backend's runtime.
#[inline(never)]
pub(crate) fn install(rt: &'static dyn Runtime) {
    CURRENT.set(Some(rt));
}

#[inline(never)]
pub(crate) fn current(what: &str) -> &'static dyn Runtime {
    CURRENT.get().unwrap_or_else(|| {
        panic!(
            "server_core::{what} was called outside a handler run by a backend, so no timer or pool is \
             installed; call it from inside Handler::call (or use your runtime's own {what})"
        )
    })
}

/// Waits for `dur` on whichever backend runs the handler: tokio's timer, async-io's timer, a blocking
/// sleep on a thread-per-connection backend, a coroutine sleep on may.
///
/// # Panics
/// When called on a thread that has not run a backend's handler code (no runtime is installed).
pub fn sleep(dur: Duration) -> Sleep {
    let rt = current("sleep");
    let sleep = rt.sleep(dur);
    // A blocking runtime has waited already, and a coroutine may have resumed on another thread:
    // the rest of this poll's handler code runs there.
    install(rt);
    Sleep(sleep)
}

/// The future returned by [`sleep`].
pub struct Sleep(BoxFuture<'static, ()>);

impl Future for Sleep {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.0.as_mut().poll(cx)
    }
}

/// Runs `future` for at most `dur`: its output, or [`Elapsed`] once `dur` has passed first (the
/// future is then dropped). The deadline is the backend's own timer (async-io's on the blocking
/// backends, their thread or coroutine parked until it fires).
///
/// # Panics
/// When called on a thread that has not run a backend's handler code.
pub fn timeout<F: Future>(dur: Duration, future: F) -> Timeout<F> {
    Timeout {
        future,
        timer: current("timeout").timer(dur),
        dur,
    }
}

/// The future returned by [`timeout`].
pub struct Timeout<F> {
    future: F,
    timer: BoxFuture<'static, ()>,
    dur: Duration,
}

/// What [`timeout`] gives when its time ran out first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Elapsed(pub Duration);

impl std::fmt::Display for Elapsed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "not done within {:?}", self.0)
    }
}

impl std::error::Error for Elapsed {}

impl<F: Future> Future for Timeout<F> {
    type Output = Result<F::Output, Elapsed>;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: `future` is pinned structurally (never moved out of the pinned `Timeout`); the
        // other fields are not pinned.
        let this = unsafe { self.get_unchecked_mut() };
        let future = unsafe { Pin::new_unchecked(&mut this.future) };
        if let Poll::Ready(out) = future.poll(cx) {
            return Poll::Ready(Ok(out));
        }
        let dur = this.dur;
        this.timer.as_mut().poll(cx).map(|()| Err(Elapsed(dur)))
    }
}

/// async-io's timer: how the blocking backends wait for a deadline (see [`Runtime::timer`]).
pub fn timer_async_io(dur: Duration) -> BoxFuture<'static, ()> {
    Box::pin(async move {
        async_io::Timer::after(dur).await;
    })
}

/// Runs a CPU-heavy or blocking closure off the connection's scheduler and waits for its result: on
/// the `blocking` crate's thread pool in every backend, while the task awaits or the coroutine or
/// thread parks.
///
/// Cheap requests on the same worker keep flowing while `f` runs; pool threads run it under Linux's
/// `SCHED_IDLE` policy so that they keep flowing even when the pool and the workers share a core.
/// Why `SCHED_IDLE` and not a higher nice value: under Linux's EEVDF scheduler a thread woken by a
/// cheap request waits for a running nice-10 thread to use up its slice (1–3 ms of tail in the
/// `mixed-offload` scenario), while a `SCHED_IDLE` thread is preempted at once by any normal thread
/// that wakes. The cost: while the server's own threads keep a core busy, offloaded work on that core
/// gets almost none of it (weight 3 against 1024), so a saturated server finishes cheap work first.
/// The pool is the `blocking` crate's global one, so an application that also calls
/// `blocking::unblock` itself (smol's and async-std's file and DNS helpers do) may get a `SCHED_IDLE`
/// thread for that work too. (tokio's `spawn_blocking` is not used, so that its threads never run
/// the application's own blocking tasks at that policy; a thread-per-connection backend offloads
/// too, since the kernel would preempt an inline job only at its fair share.)
///
/// A panic in `f` becomes a panic of the handler (so, a `500`).
///
/// # Panics
/// When called on a thread that has not run a backend's handler code, or when `f` panics.
pub fn unblock<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Unblock<T> {
    // The pool needs no runtime, but the contract is `sleep`'s: only inside a handler.
    current("unblock");
    Unblock(blocking::unblock(offload_job(f)))
}

thread_local! {
    static DEPRIORITISED: Cell<bool> = const { Cell::new(false) };
}

/// Wraps a job for the offload pool: the first job a pool thread runs moves that thread to
/// `SCHED_IDLE`. Only for threads that run nothing but offloaded work: an unprivileged thread cannot
/// leave that policy again.
fn offload_job<T>(job: impl FnOnce() -> T + Send + 'static) -> impl FnOnce() -> T + Send + 'static {
    move || {
        if !DEPRIORITISED.replace(true) {
            let param = libc::sched_param { sched_priority: 0 };
            // SAFETY: a plain syscall on the calling thread (pid 0) with a valid sched_param.
            unsafe { libc::sched_setscheduler(0, libc::SCHED_IDLE, &param) };
        }
        job()
    }
}

/// The future returned by [`unblock`]: the closure's value, or its panic resumed here. Dropping it
/// cancels the job if it has not started.
pub struct Unblock<T>(blocking::Task<T>);

impl<T> Future for Unblock<T> {
    type Output = T;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        Pin::new(&mut self.0).poll(cx)
    }
}

/// How a blocking backend suspends the current thread or coroutine until a waker fires.
pub trait Park {
    /// A waker that resumes the caller of [`park`](Park::park) on this thread or coroutine.
    fn waker() -> Waker;
    /// Suspends until woken (spurious returns are allowed).
    fn park();
}

/// Parks the current OS thread: [`Park`] for a thread that runs one future at a time (a
/// thread-per-connection backend's threads, the per-core acceptor).
pub struct ThreadPark;

struct ThreadWaker(std::thread::Thread);

impl std::task::Wake for ThreadWaker {
    fn wake(self: std::sync::Arc<Self>) {
        self.0.unpark();
    }
}

impl Park for ThreadPark {
    fn waker() -> Waker {
        Waker::from(std::sync::Arc::new(ThreadWaker(std::thread::current())))
    }
    fn park() {
        std::thread::park();
    }
}

/// Drives `fut` to completion on the current thread or coroutine, parking between polls. The first
/// poll happens at once, so a future that is already ready (a synchronous handler, blocking I/O)
/// never parks.
pub fn block_on<P: Park, F: Future>(fut: F) -> F::Output {
    let mut fut = std::pin::pin!(fut);
    let waker = P::waker();
    let mut cx = Context::from_waker(&waker);
    loop {
        if let Poll::Ready(out) = fut.as_mut().poll(&mut cx) {
            return out;
        }
        P::park();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn my_policy() -> i32 {
        // SAFETY: a plain syscall on the calling thread.
        unsafe { libc::sched_getscheduler(0) }
    }

    #[test]
    fn offload_jobs_move_their_pool_thread_to_sched_idle_and_leave_others_alone() {
        let before = my_policy();
        let seen: Vec<i32> = std::thread::spawn(|| (0..2).map(|_| offload_job(my_policy)()).collect())
            .join()
            .unwrap();
        assert_eq!(seen, [libc::SCHED_IDLE, libc::SCHED_IDLE]);
        assert_eq!(my_policy(), before, "the spawning thread keeps its policy");
        assert_ne!(before, libc::SCHED_IDLE);
    }
}
