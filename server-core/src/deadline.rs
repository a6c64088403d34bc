//! Per-connection timeouts with one lazily re-armed timer.
//!
//! A keep-alive connection waits with a timeout before every read. Arming a fresh timer each time
//! costs a timer-wheel insert and removal per request (tokio) or even a reactor wake-up syscall per
//! request (async-io's `Timer` notifies its reactor on every insert). [`Deadline`] keeps one timer per
//! connection and moves only an `Instant` per read: as long as the timer is armed no later than the
//! current deadline, it is left alone; when it fires early (the deadline has moved on since), it is
//! re-armed once. So the steady state costs one clock read per wait (none for an operation that
//! completes when first polled, as most writes do), and the timer is touched about once per timeout
//! period instead of once per request (the idea of netty's `IdleStateHandler`).
//!
//! Nor is the timer polled on every wait: a timer fires at or after its instant, so before that
//! instant one that already holds the waiting task's waker has nothing to report, and polling it
//! again would only look its entry up again (a B-tree search per wait on compio's timer; on tokio
//! about 100 of a plaintext request's 8,400 instructions).

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

/// A backend's resettable one-shot timer.
///
/// It must not complete before its instant, and it must wake the waker it was last polled with:
/// [`Deadline`] leaves it unpolled while both say there is nothing to learn (tokio's, async-io's and
/// compio's timers all do so).
pub trait Timer: Future<Output = ()> + Unpin {
    /// A timer that fires at `deadline`.
    fn at(deadline: Instant) -> Self;
    /// Re-arms the timer (fired or not) to fire at `deadline`.
    fn reset(&mut self, deadline: Instant);
}

/// A connection's timer, re-armed lazily; see the module docs.
pub struct Deadline<T> {
    timer: Option<T>,
    /// When the timer is set to fire, if it is armed.
    armed: Option<Instant>,
    /// The waker the armed timer was last polled with (and so will wake), until it fires.
    waker: Option<Waker>,
}

impl<T: Timer> Default for Deadline<T> {
    fn default() -> Self {
        Deadline {
            timer: None,
            armed: None,
            waker: None,
        }
    }
}

impl<T: Timer> Deadline<T> {
    /// Runs `op`, giving up with an error of kind `TimedOut` if it has not completed within `timeout`
    /// (counted from when it first has to wait).
    pub fn limit<R, F: Future<Output = io::Result<R>>>(
        &mut self,
        timeout: Duration,
        op: F,
    ) -> Limit<'_, T, F> {
        Limit {
            timer: self,
            deadline: When::After(timeout),
            op,
        }
    }
}

/// The future [`Deadline::limit`] returns. Written out rather than `async` so that it holds `op`
/// once (an `async fn` keeps its argument beside the value it moves into its body), since every
/// idle connection holds one.
pub struct Limit<'a, T, F> {
    timer: &'a mut Deadline<T>,
    deadline: When,
    op: F,
}

/// A deadline that is read off the clock only once the operation has to wait.
enum When {
    After(Duration),
    At(Instant),
}

impl<T: Timer, R, F: Future<Output = io::Result<R>>> Future for Limit<'_, T, F> {
    type Output = io::Result<R>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<R>> {
        // SAFETY: `op` is structurally pinned: never moved out, and `Limit` has no `Drop` or `Unpin`
        // impl that could move it; the other fields are not pinned.
        let this = unsafe { self.get_unchecked_mut() };
        if let Poll::Ready(out) = unsafe { Pin::new_unchecked(&mut this.op) }.poll(cx) {
            return Poll::Ready(out);
        }
        let now = Instant::now();
        let deadline = match this.deadline {
            When::At(at) => at,
            When::After(timeout) => {
                let at = now + timeout;
                this.deadline = When::At(at);
                at
            }
        };
        let state = &mut *this.timer;
        loop {
            let armed = match state.armed {
                Some(at) if at <= deadline => at,
                _ => {
                    match &mut state.timer {
                        Some(timer) => timer.reset(deadline),
                        None => state.timer = Some(T::at(deadline)),
                    }
                    state.waker = None;
                    *state.armed.insert(deadline)
                }
            };
            if now < armed && state.waker.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                return Poll::Pending;
            }
            let timer = state.timer.as_mut().expect("armed above");
            match Pin::new(timer).poll(cx) {
                Poll::Pending => {
                    if !state.waker.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                        state.waker = Some(cx.waker().clone());
                    }
                    return Poll::Pending;
                }
                // A one-shot timer that fired must be re-armed before it can fire again.
                Poll::Ready(()) => {
                    state.armed = None;
                    state.waker = None;
                }
            }
            if Instant::now() >= deadline {
                return Poll::Ready(Err(io::ErrorKind::TimedOut.into()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::pin::pin;
    use std::task::Waker;

    use super::*;

    // Per thread: each test runs on its own.
    thread_local! {
        static ARMS: Cell<usize> = const { Cell::new(0) };
        static POLLS: Cell<usize> = const { Cell::new(0) };
    }

    /// A timer that fires when polled after its deadline, counting how often it is (re-)armed and
    /// polled.
    struct FakeTimer(Instant);

    impl Future for FakeTimer {
        type Output = ();
        fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
            POLLS.set(POLLS.get() + 1);
            if Instant::now() >= self.0 {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        }
    }

    impl Timer for FakeTimer {
        fn at(deadline: Instant) -> Self {
            ARMS.set(ARMS.get() + 1);
            FakeTimer(deadline)
        }
        fn reset(&mut self, deadline: Instant) {
            ARMS.set(ARMS.get() + 1);
            self.0 = deadline;
        }
    }

    fn poll_once<F: Future>(fut: F) -> Poll<F::Output> {
        pin!(fut).poll(&mut Context::from_waker(Waker::noop()))
    }

    #[test]
    fn arms_once_while_deadlines_move_later_and_times_out_when_due() {
        let mut deadline = Deadline::<FakeTimer>::default();
        let never = std::future::pending::<io::Result<()>>;
        for _ in 0..100 {
            assert!(poll_once(deadline.limit(Duration::from_secs(60), never())).is_pending());
        }
        assert_eq!(ARMS.get(), 1, "later deadlines reuse the armed timer");
        // An earlier deadline must re-arm, and a due one must time out.
        let out = poll_once(deadline.limit(Duration::ZERO, never()));
        assert!(matches!(out, Poll::Ready(Err(e)) if e.kind() == io::ErrorKind::TimedOut));
        assert_eq!(ARMS.get(), 2);
        // After firing it is re-armed for the next wait.
        assert!(poll_once(deadline.limit(Duration::from_secs(60), never())).is_pending());
        assert_eq!(ARMS.get(), 3);
        // A ready operation never touches the timer.
        assert!(matches!(
            poll_once(deadline.limit(Duration::ZERO, async { Ok(7) })),
            Poll::Ready(Ok(7))
        ));
        assert_eq!(ARMS.get(), 3);
    }

    struct CountingWake;
    impl std::task::Wake for CountingWake {
        fn wake(self: std::sync::Arc<Self>) {}
    }

    #[test]
    fn polls_the_armed_timer_again_only_for_another_waker() {
        let mut deadline = Deadline::<FakeTimer>::default();
        let never = std::future::pending::<io::Result<()>>;
        let poll_with = |deadline: &mut Deadline<FakeTimer>, waker: &Waker| {
            let limit = pin!(deadline.limit(Duration::from_secs(60), never()));
            assert!(limit.poll(&mut Context::from_waker(waker)).is_pending());
        };
        let (first, second) = (
            Waker::from(std::sync::Arc::new(CountingWake)),
            Waker::from(std::sync::Arc::new(CountingWake)),
        );
        let polls = || POLLS.get();
        poll_with(&mut deadline, &first);
        let after_first = polls();
        poll_with(&mut deadline, &first);
        assert_eq!(polls(), after_first, "the timer already holds this waker");
        // Another task now waits on the connection: the timer must learn its waker.
        poll_with(&mut deadline, &second);
        assert_eq!(polls(), after_first + 1);
        poll_with(&mut deadline, &second);
        assert_eq!(polls(), after_first + 1);
    }
}
