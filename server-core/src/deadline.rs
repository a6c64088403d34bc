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

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

/// A backend's resettable one-shot timer.
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
}

impl<T: Timer> Default for Deadline<T> {
    fn default() -> Self {
        Deadline {
            timer: None,
            armed: None,
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
        let deadline = match this.deadline {
            When::At(at) => at,
            When::After(timeout) => {
                let at = Instant::now() + timeout;
                this.deadline = When::At(at);
                at
            }
        };
        let state = &mut *this.timer;
        loop {
            if state.armed.is_none_or(|at| at > deadline) {
                match &mut state.timer {
                    Some(timer) => timer.reset(deadline),
                    None => state.timer = Some(T::at(deadline)),
                }
                state.armed = Some(deadline);
            }
            let timer = state.timer.as_mut().expect("armed above");
            match Pin::new(timer).poll(cx) {
                Poll::Pending => return Poll::Pending,
                // A one-shot timer that fired must be re-armed before it can fire again.
                Poll::Ready(()) => state.armed = None,
            }
            if Instant::now() >= deadline {
                return Poll::Ready(Err(io::ErrorKind::TimedOut.into()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::pin::pin;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::task::Waker;

    use super::*;

    static ARMS: AtomicUsize = AtomicUsize::new(0);

    /// A timer that fires when polled after its deadline, counting how often it is (re-)armed.
    struct FakeTimer(Instant);

    impl Future for FakeTimer {
        type Output = ();
        fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
            if Instant::now() >= self.0 {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        }
    }

    impl Timer for FakeTimer {
        fn at(deadline: Instant) -> Self {
            ARMS.fetch_add(1, Ordering::SeqCst);
            FakeTimer(deadline)
        }
        fn reset(&mut self, deadline: Instant) {
            ARMS.fetch_add(1, Ordering::SeqCst);
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
        assert_eq!(
            ARMS.load(Ordering::SeqCst),
            1,
            "later deadlines reuse the armed timer"
        );
        // An earlier deadline must re-arm, and a due one must time out.
        let out = poll_once(deadline.limit(Duration::ZERO, never()));
        assert!(matches!(out, Poll::Ready(Err(e)) if e.kind() == io::ErrorKind::TimedOut));
        assert_eq!(ARMS.load(Ordering::SeqCst), 2);
        // After firing it is re-armed for the next wait.
        assert!(poll_once(deadline.limit(Duration::from_secs(60), never())).is_pending());
        assert_eq!(ARMS.load(Ordering::SeqCst), 3);
        // A ready operation never touches the timer.
        assert!(matches!(
            poll_once(deadline.limit(Duration::ZERO, async { Ok(7) })),
            Poll::Ready(Ok(7))
        ));
        assert_eq!(ARMS.load(Ordering::SeqCst), 3);
    }
}
