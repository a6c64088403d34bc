//! The runtime-neutral primitives a handler may use: [`sleep`] and [`unblock`], served by whichever
//! backend runs the handler.
//!
//! Each backend implements [`Runtime`] with its native timer (tokio's, async-io's, a blocking sleep
//! on a connection's own thread, a may coroutine sleep) and its offload pool (see [`unblock`]). The
//! backend installs its runtime before every poll of a handler's future (see
//! [`respond`](crate::backend::respond)), so one handler source runs unchanged everywhere.

use std::cell::Cell;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use event_listener::{Event, IntoNotification};

use crate::{BoxFuture, Outbound};

/// A job for the offload pool (see [`Runtime::offload`]).
pub type Job = Box<dyn FnOnce() + Send>;

/// What a backend provides so that handlers can wait, offload and talk to other servers without
/// naming a runtime.
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
    /// Runs `job` on a pool of threads that run nothing else (see [`unblock`]): the `blocking`
    /// crate's ([`offload_blocking`](crate::backend::offload_blocking)), or a pool of the runtime's
    /// own that the application's own blocking work does not share. The job may be one that was
    /// cancelled meanwhile: it then returns at once.
    fn offload(&self, job: Job);
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

/// Runs a CPU-heavy or blocking closure off the connection's scheduler and waits for its result, on
/// the backend's offload pool ([`Runtime::offload`]: a tokio blocking pool of its own on the tokio
/// backends, the `blocking` crate's elsewhere), while the task awaits or the coroutine or thread
/// parks.
///
/// Cheap requests on the same worker keep flowing while `f` runs; pool threads run it under Linux's
/// `SCHED_IDLE` policy so that they keep flowing even when the pool and the workers share a core.
/// Why `SCHED_IDLE` and not a higher nice value: under Linux's EEVDF scheduler a thread woken by a
/// cheap request waits for a running nice-10 thread to use up its slice (1–3 ms of tail in the
/// `mixed-offload` scenario), while a `SCHED_IDLE` thread is preempted at once by any normal thread
/// that wakes. The cost: while the server's own threads keep a core busy, offloaded work on that core
/// gets almost none of it (weight 3 against 1024), so a saturated server finishes cheap work first.
/// Off tokio the pool is the `blocking` crate's global one, so an application that also calls
/// `blocking::unblock` itself (smol's and async-std's file and DNS helpers do) may get a `SCHED_IDLE`
/// thread for that work too. (On tokio the pool is a runtime of its own, not the application's
/// `spawn_blocking` pool, so that its threads never run the application's own blocking tasks at
/// that policy; a thread-per-connection backend offloads too, since the kernel would preempt an
/// inline job only at its fair share.)
///
/// A panic in `f` becomes a panic of the handler (so, a `500`).
///
/// At most [`OFFLOAD_JOBS`] jobs are queued or running at once, process-wide (see
/// [`set_offload_limit`]); a call made while they are waits at most [`OFFLOAD_WAIT`] for a place,
/// and then the handler answers `503 Service Unavailable` with `Retry-After` (`Overloaded` is
/// resumed as an unwind that [`respond`](crate::respond) recognises: `std::panic::resume_unwind`,
/// so no panic message is printed). That keeps `unblock`'s value the closure's own, as every handler
/// written against it expects; code that would rather answer the overload itself calls
/// [`try_unblock`].
///
/// # Panics
/// When called on a thread that has not run a backend's handler code, or when `f` panics; and (as
/// an unwind, not a panic message) when the offload queue stayed full for the bounded wait.
pub fn unblock<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Unblock<T> {
    Unblock(offload(&OFFLOAD, f))
}

/// [`unblock`], with a full offload queue given back as [`Overloaded`] rather than answered `503`.
///
/// # Panics
/// When called on a thread that has not run a backend's handler code, or when `f` panics.
pub fn try_unblock<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> TryUnblock<T> {
    offload(&OFFLOAD, f)
}

/// The default bound on offloaded jobs queued or running at once, process-wide: 4,096.
///
/// The pools run at most 500 threads (the `blocking` crate's cap, `BLOCKING_MAX_THREADS`, and the
/// tokio backends' offload pool's), so this is about eight queued jobs per thread: a burst fills every thread and waits a few rounds, while
/// a job that would wait behind more is better told `503` at once than kept, holding its request
/// and connection, behind a queue without end. It is the order of [`Config`](crate::Config)'s
/// accept backlog (4,096) and is not a `Config` field because the pool, like its thread cap, is one
/// per process, shared by every server in it.
pub const OFFLOAD_JOBS: usize = 4096;

/// The default longest wait for a place in a full offload queue before `503`: 1 s, what a burst
/// shorter than that needs to drain, and the `serve` binary's default wait for a database pool
/// connection.
pub const OFFLOAD_WAIT: Duration = Duration::from_secs(1);

/// Sets the bound on offloaded jobs queued or running at once (at least 1) and the longest wait
/// for a place, process-wide, for calls made from now on (defaults: [`OFFLOAD_JOBS`],
/// [`OFFLOAD_WAIT`]).
pub fn set_offload_limit(jobs: usize, wait: Duration) {
    OFFLOAD.limit.store(jobs.max(1), Ordering::Relaxed);
    OFFLOAD.wait_us.store(
        u64::try_from(wait.as_micros()).unwrap_or(u64::MAX),
        Ordering::Relaxed,
    );
    // Waiters may fit now.
    OFFLOAD.freed.notify(usize::MAX);
}

/// The offload queue stayed full for the bounded wait (given): see [`unblock`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overloaded(pub Duration);

impl std::fmt::Display for Overloaded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the offload queue stayed full for {:?}", self.0)
    }
}

impl std::error::Error for Overloaded {}

/// The process's offload places.
static OFFLOAD: Places = Places::new(OFFLOAD_JOBS, OFFLOAD_WAIT);

/// A counting bound on offloaded jobs: how many are queued or running, how many may be, and an event
/// for those waiting when one ends.
pub(crate) struct Places {
    taken: AtomicUsize,
    limit: AtomicUsize,
    wait_us: AtomicU64,
    freed: Event,
}

impl Places {
    pub(crate) const fn new(limit: usize, wait: Duration) -> Places {
        Places {
            taken: AtomicUsize::new(0),
            limit: AtomicUsize::new(limit),
            wait_us: AtomicU64::new(wait.as_micros() as u64),
            freed: Event::new(),
        }
    }

    fn try_take(&'static self) -> Option<Place> {
        let limit = self.limit.load(Ordering::Relaxed);
        let mut taken = self.taken.load(Ordering::Relaxed);
        loop {
            if taken >= limit {
                return None;
            }
            match self
                .taken
                .compare_exchange_weak(taken, taken + 1, Ordering::AcqRel, Ordering::Relaxed)
            {
                Ok(_) => return Some(Place(self)),
                Err(now) => taken = now,
            }
        }
    }

    /// A place, once one is free (unbounded: the caller races it against a timer).
    async fn take(&'static self) -> Place {
        loop {
            if let Some(place) = self.try_take() {
                return place;
            }
            // Listening before the second look: a place freed between the two is seen by one or
            // the other (the event passes a notification on if a notified listener is dropped).
            let freed = self.freed.listen();
            if let Some(place) = self.try_take() {
                return place;
            }
            freed.await;
        }
    }

    #[cfg(test)]
    pub(crate) fn taken(&self) -> usize {
        self.taken.load(Ordering::Relaxed)
    }
}

/// One job's place, held from its queueing to its end (or its cancellation before it started).
struct Place(&'static Places);

impl Drop for Place {
    fn drop(&mut self) {
        self.0.taken.fetch_sub(1, Ordering::AcqRel);
        self.0.freed.notify(1.additional());
    }
}

/// `f` on the pool once `places` has room: at once when it has, else after a wait bounded by its
/// `wait`, else [`Overloaded`].
pub(crate) fn offload<T: Send + 'static>(
    places: &'static Places,
    f: impl FnOnce() -> T + Send + 'static,
) -> TryUnblock<T> {
    let rt = current("unblock");
    if let Some(place) = places.try_take() {
        return TryUnblock(Offload::Queued(Task::start(rt, place, f)));
    }
    let wait = Duration::from_micros(places.wait_us.load(Ordering::Relaxed));
    let waiting = timeout(wait, places.take());
    TryUnblock(Offload::Waiting(Box::pin(async move {
        match waiting.await {
            Ok(place) => Ok(Task::start(rt, place, f)),
            Err(_) => Err(Overloaded(wait)),
        }
    })))
}

/// An offloaded job's result, as the pool thread leaves it for the future that waits.
enum Outcome<T> {
    /// Not done: wake this when it is.
    Waiting(Option<Waker>),
    /// Done, with the closure's value or its panic.
    Done(std::thread::Result<T>),
    /// Taken by the future, or given up on by it (dropped): a job not yet started does not start.
    Gone,
}

/// A job on the offload pool, as its future holds it. Dropping it cancels the job if it has not
/// started.
struct Task<T>(Arc<Mutex<Outcome<T>>>);

impl<T: Send + 'static> Task<T> {
    /// Hands `f` to `rt`'s pool with its `place`, which goes with the closure: released when the
    /// job ends, or when it is dropped unstarted.
    fn start(rt: &'static dyn Runtime, place: Place, f: impl FnOnce() -> T + Send + 'static) -> Task<T> {
        let outcome = Arc::new(Mutex::new(Outcome::Waiting(None)));
        let shared = Arc::clone(&outcome);
        rt.offload(Box::new(offload_job(move || {
            if matches!(*lock(&shared), Outcome::Gone) {
                return;
            }
            let out = catch_unwind(AssertUnwindSafe(f));
            // Free before the caller can see the result: its next job may take the place.
            drop(place);
            if let Outcome::Waiting(Some(waker)) = std::mem::replace(&mut *lock(&shared), Outcome::Done(out))
            {
                waker.wake();
            }
        })));
        Task(outcome)
    }
}

/// Locks `m`, taking over a lock whose holder panicked (handler code may panic anywhere).
pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl<T> Future for Task<T> {
    type Output = T;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let mut outcome = lock(&self.0);
        match std::mem::replace(&mut *outcome, Outcome::Gone) {
            Outcome::Done(Ok(out)) => Poll::Ready(out),
            Outcome::Done(Err(panic)) => {
                drop(outcome);
                std::panic::resume_unwind(panic)
            }
            Outcome::Waiting(_) => {
                *outcome = Outcome::Waiting(Some(cx.waker().clone()));
                Poll::Pending
            }
            Outcome::Gone => panic!("an offloaded job's future polled after it completed"),
        }
    }
}

impl<T> Drop for Task<T> {
    fn drop(&mut self) {
        *lock(&self.0) = Outcome::Gone;
    }
}

/// The `blocking` crate's pool: [`Runtime::offload`] for the backends that have no pool of their own.
#[cfg(feature = "blocking")]
pub fn offload_blocking(job: Job) {
    blocking::unblock(job).detach();
}

/// async-io's timer: how the blocking backends wait for a deadline (see [`Runtime::timer`]).
#[cfg(feature = "async-io")]
pub fn timer_async_io(dur: Duration) -> BoxFuture<'static, ()> {
    Box::pin(async move {
        async_io::Timer::after(dur).await;
    })
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

/// The future returned by [`unblock`]: the closure's value, or its panic resumed here (or
/// [`Overloaded`], resumed as an unwind). Dropping it cancels the job if it has not started.
pub struct Unblock<T>(TryUnblock<T>);

impl<T> Future for Unblock<T> {
    type Output = T;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        Pin::new(&mut self.0).poll(cx).map(|out| {
            // `resume_unwind`, not `panic_any`: the panic hook is not called, so nothing is printed
            // for what is an answer, not a bug.
            out.unwrap_or_else(|overloaded| std::panic::resume_unwind(Box::new(overloaded)))
        })
    }
}

/// The future returned by [`try_unblock`]: the closure's value (or its panic resumed here), or
/// [`Overloaded`]. Dropping it cancels the job if it has not started.
pub struct TryUnblock<T>(Offload<T>);

enum Offload<T> {
    /// Has its place: queued or running.
    Queued(Task<T>),
    /// Waits for a place.
    Waiting(BoxFuture<'static, Result<Task<T>, Overloaded>>),
}

impl<T> Future for TryUnblock<T> {
    type Output = Result<T, Overloaded>;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<T, Overloaded>> {
        loop {
            match &mut self.0 {
                Offload::Queued(task) => return Pin::new(task).poll(cx).map(Ok),
                Offload::Waiting(waiting) => match waiting.as_mut().poll(cx) {
                    Poll::Ready(Ok(task)) => self.0 = Offload::Queued(task),
                    Poll::Ready(Err(overloaded)) => return Poll::Ready(Err(overloaded)),
                    Poll::Pending => return Poll::Pending,
                },
            }
        }
    }
}

/// What a blocking backend (a thread or a coroutine per connection) supplies for its [`Runtime`]:
/// how to sleep and to spawn. The rest they do alike, on async-io's reactor and timer and on the
/// `blocking` crate's pool, since they have none of their own: the blanket [`Runtime`] does it.
#[cfg(all(feature = "async-io", feature = "blocking"))]
pub trait BlockingRuntime: Send + Sync + 'static {
    /// Blocks the calling thread or coroutine for `dur`.
    fn sleep(&self, dur: Duration);
    /// Runs `task` to its end on a thread or coroutine of its own.
    fn spawn(&self, task: BoxFuture<'static, ()>);
}

#[cfg(all(feature = "async-io", feature = "blocking"))]
impl<R: BlockingRuntime> Runtime for R {
    fn sleep(&self, dur: Duration) -> BoxFuture<'static, ()> {
        BlockingRuntime::sleep(self, dur);
        Box::pin(std::future::ready(()))
    }
    fn timer(&self, dur: Duration) -> BoxFuture<'static, ()> {
        timer_async_io(dur)
    }
    fn connect(&self, addr: SocketAddr) -> BoxFuture<'static, io::Result<Outbound>> {
        Box::pin(crate::outbound::connect_async_io(addr))
    }
    fn spawn(&self, task: BoxFuture<'static, ()>) {
        BlockingRuntime::spawn(self, task);
    }
    fn offload(&self, job: Job) {
        offload_blocking(job);
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

    /// A runtime of plain threads, enough for `timeout`, the offload wait and the offload itself.
    struct TimerOnly;

    impl Runtime for TimerOnly {
        fn sleep(&self, dur: Duration) -> BoxFuture<'static, ()> {
            self.timer(dur)
        }
        fn timer(&self, dur: Duration) -> BoxFuture<'static, ()> {
            let (fired, wait) = async_channel::bounded::<()>(1);
            std::thread::spawn(move || {
                std::thread::sleep(dur);
                let _ = fired.try_send(());
            });
            Box::pin(async move {
                let _ = wait.recv().await;
            })
        }
        fn connect(&self, _: SocketAddr) -> BoxFuture<'static, io::Result<Outbound>> {
            unimplemented!()
        }
        fn spawn(&self, _: BoxFuture<'static, ()>) {
            unimplemented!()
        }
        fn offload(&self, job: Job) {
            std::thread::spawn(job);
        }
    }

    /// Places of a test's own (the process's are shared by every test), limit 2, wait 100 ms.
    fn places() -> &'static Places {
        Box::leak(Box::new(Places::new(2, Duration::from_millis(100))))
    }

    /// A job that holds its place until `release` is dropped or sent to.
    fn held(places: &'static Places) -> (TryUnblock<()>, std::sync::mpsc::Sender<()>) {
        let (release, wait) = std::sync::mpsc::channel::<()>();
        (
            offload(places, move || {
                let _ = wait.recv();
            }),
            release,
        )
    }

    #[test]
    fn the_offload_queue_is_bounded_then_overloaded_after_the_wait() {
        install(&TimerOnly);
        let places = places();
        let (first, release_first) = held(places);
        let (second, release_second) = held(places);
        assert_eq!(places.taken(), 2);

        let began = std::time::Instant::now();
        let refused = block_on::<ThreadPark, _>(offload(places, || 1));
        let waited = began.elapsed();
        assert_eq!(refused, Err(Overloaded(Duration::from_millis(100))));
        assert!(
            waited >= Duration::from_millis(100) && waited < Duration::from_secs(2),
            "{waited:?}"
        );
        assert_eq!(places.taken(), 2, "a refused job takes no place");

        // A place freed during the wait is taken by the waiter.
        let waiting = offload(places, || 7);
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            drop(release_first);
        });
        assert_eq!(block_on::<ThreadPark, _>(waiting), Ok(7));
        assert_eq!(block_on::<ThreadPark, _>(first), Ok(()));
        drop(release_second);
        assert_eq!(block_on::<ThreadPark, _>(second), Ok(()));
        assert_eq!(places.taken(), 0, "every place given back");
    }

    #[test]
    fn a_cancelled_or_panicking_job_gives_its_place_back() {
        install(&TimerOnly);
        let places = places();
        let (running, release) = held(places);
        // Queued behind nothing but dropped at once: cancelled before it ran, or ran and ended.
        drop(offload(places, || ()));
        let panicking = offload(places, || -> () {
            std::panic::resume_unwind(Box::new("job failed"))
        });
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            block_on::<ThreadPark, _>(panicking)
        }));
        assert!(caught.is_err(), "the job's panic reaches its caller");
        drop(release);
        assert_eq!(block_on::<ThreadPark, _>(running), Ok(()));
        let began = std::time::Instant::now();
        while places.taken() > 0 {
            assert!(
                began.elapsed() < Duration::from_secs(2),
                "{} places kept",
                places.taken()
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    #[test]
    fn a_full_offload_queue_answers_503_with_retry_after_and_keeps_the_connection() {
        install(&TimerOnly);
        let places = places();
        let held: Vec<_> = (0..2).map(|_| held(places)).collect();
        let handler = move |_req: crate::Request| async move {
            let n = Unblock(offload(places, || 1)).await;
            crate::Response::text(n.to_string())
        };
        let req = crate::Request::new(crate::Body::empty());
        let (resp, close) = block_on::<ThreadPark, _>(crate::respond(&handler, req, &TimerOnly));
        let resp = resp.into_inner();
        assert_eq!(resp.status(), crate::StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(resp.headers()[crate::header::RETRY_AFTER], "1");
        assert!(!close, "an overload is not a panic");

        for (job, release) in held {
            drop(release);
            block_on::<ThreadPark, _>(job).unwrap();
        }
        let req = crate::Request::new(crate::Body::empty());
        let (resp, close) = block_on::<ThreadPark, _>(crate::respond(&handler, req, &TimerOnly));
        assert_eq!(
            (resp.into_inner().status(), close),
            (crate::StatusCode::OK, false)
        );
    }
}
