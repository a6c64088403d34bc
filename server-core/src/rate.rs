//! Minimum data rates for request bodies and response writes (Apache mod_reqtimeout's `MinRate`), so
//! that a client sending or reading a byte now and then cannot hold a connection for ever.

use std::time::{Duration, Instant};

/// A minimum rate kept as a budget of time. A transfer starts with `grace` in hand, spends it while it
/// waits, and earns `1 / rate` seconds for each byte moved, never holding more than `grace`: a fast
/// start banks nothing for a slow finish. A transfer that has fallen `grace` behind the rate has
/// nothing left, and its next wait times out at once.
#[derive(Clone, Copy, Debug)]
pub(crate) struct MinRate {
    left: Duration,
    grace: Duration,
    /// Bytes per second; 0: no rate, every wait gets `grace`.
    rate: u32,
}

impl MinRate {
    pub(crate) fn new(grace: Duration, rate: u32) -> Self {
        MinRate {
            left: grace,
            grace,
            rate,
        }
    }

    /// A fresh transfer (the next request's body): the full grace again.
    pub(crate) fn restart(&mut self) {
        self.left = self.grace;
    }

    /// How long the next wait may take, if it is to move `bytes` (0 for a read, whose size is not
    /// known before it completes): what is in hand plus what those bytes will earn. Rounded up to
    /// whole seconds, so that a blocking socket's timeout changes (a `setsockopt`) only now and then.
    pub(crate) fn timeout(&self, bytes: usize) -> Duration {
        if self.rate == 0 {
            return self.grace;
        }
        let exact = self.left + self.earned(bytes);
        Duration::from_secs(exact.as_secs() + u64::from(exact.subsec_nanos() > 0))
    }

    /// When a wait starts, if its length is needed: a clock read only while a rate is kept.
    pub(crate) fn clock(&self) -> Option<Instant> {
        (self.rate > 0).then(Instant::now)
    }

    /// Accounts for a wait that began at `since` (from [`clock`](Self::clock)) and moved `bytes`.
    pub(crate) fn moved(&mut self, since: Option<Instant>, bytes: usize) {
        if let Some(since) = since {
            self.left = (self.left + self.earned(bytes))
                .saturating_sub(since.elapsed())
                .min(self.grace);
        }
    }

    fn earned(&self, bytes: usize) -> Duration {
        Duration::from_secs_f64(bytes as f64 / f64::from(self.rate.max(1)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_transfer_behind_the_rate_runs_out_and_one_at_the_rate_does_not() {
        let grace = Duration::from_secs(3);
        let mut at_rate = MinRate::new(grace, 1000);
        let mut slow = MinRate::new(grace, 1000);
        let two_s_ago = Instant::now() - Duration::from_secs(2);
        for _ in 0..10 {
            at_rate.moved(Some(two_s_ago), 2000); // 1,000 B/s, exactly the rate
            slow.moved(Some(two_s_ago), 1); // a byte every 2 s
        }
        assert!(
            at_rate.left >= grace - Duration::from_millis(50),
            "{:?}",
            at_rate.left
        );
        assert_eq!(slow.left, Duration::ZERO);
        assert_eq!(slow.timeout(0), Duration::ZERO);
        assert_eq!(
            slow.timeout(1500),
            Duration::from_secs(2),
            "rounded up to whole seconds"
        );
    }

    #[test]
    fn a_fast_start_banks_no_more_than_the_grace() {
        let mut rate = MinRate::new(Duration::from_secs(3), 1000);
        rate.moved(Some(Instant::now()), 10_000_000);
        assert_eq!(rate.timeout(0), Duration::from_secs(3));
    }

    #[test]
    fn no_rate_is_the_plain_timeout() {
        let mut rate = MinRate::new(Duration::from_secs(30), 0);
        assert!(rate.clock().is_none());
        rate.moved(None, 0);
        assert_eq!(rate.timeout(1 << 20), Duration::from_secs(30));
    }
}
