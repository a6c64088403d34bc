//! Minimum data rates for request bodies and response writes (Apache mod_reqtimeout's `MinRate`), so
//! that a client sending or reading a byte now and then cannot hold a connection for ever.

use std::time::{Duration, Instant};

/// A minimum rate kept as a budget of time. A transfer starts with `grace` in hand, spends it while it
/// waits, and earns `1 / rate` seconds for each byte moved, never holding more than `grace`: a fast
/// start banks nothing for a slow finish. A transfer that has fallen `grace` behind the rate has
/// nothing left, and its next wait times out at once.
#[derive(Clone, Copy, Debug)]
pub(crate) struct MinRate {
    /// Time in hand, in nanoseconds.
    left: u64,
    grace: u64,
    /// Bytes per second; 0: no rate, every wait gets `grace`.
    rate: u64,
}

const NANOS: u64 = 1_000_000_000;

impl MinRate {
    pub(crate) fn new(grace: Duration, rate: u32) -> Self {
        let grace = u64::try_from(grace.as_nanos()).unwrap_or(u64::MAX);
        MinRate {
            left: grace,
            grace,
            rate: u64::from(rate),
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
            return Duration::from_nanos(self.grace);
        }
        Duration::from_secs(self.left.saturating_add(self.earned(bytes)).div_ceil(NANOS))
    }

    /// When a wait starts, if its length is needed: a clock read only while a rate is kept.
    pub(crate) fn clock(&self) -> Option<Instant> {
        (self.rate > 0).then(Instant::now)
    }

    /// Accounts for a wait that began at `since` (from [`clock`](Self::clock)) and moved `bytes`.
    pub(crate) fn moved(&mut self, since: Option<Instant>, bytes: usize) {
        if let Some(since) = since {
            let waited = u64::try_from(since.elapsed().as_nanos()).unwrap_or(u64::MAX);
            self.left = self
                .left
                .saturating_add(self.earned(bytes))
                .saturating_sub(waited)
                .min(self.grace);
        }
    }

    /// Accounts for `bytes` moved without a wait (the socket had room): they earn, nothing is spent,
    /// and no clock is read.
    pub(crate) fn moved_at_once(&mut self, bytes: usize) {
        if self.left < self.grace {
            self.left = self.left.saturating_add(self.earned(bytes)).min(self.grace);
        }
    }

    fn earned(&self, bytes: usize) -> u64 {
        (bytes as u64).saturating_mul(NANOS) / self.rate.max(1)
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
        assert!(at_rate.left >= 2_950_000_000, "{:?}", at_rate.left);
        assert_eq!(slow.left, 0);
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
    fn a_write_at_once_earns_without_a_clock() {
        let mut rate = MinRate::new(Duration::from_secs(3), 1000);
        rate.moved(Some(Instant::now() - Duration::from_secs(2)), 0);
        assert_eq!(rate.timeout(0), Duration::from_secs(1));
        rate.moved_at_once(1500);
        assert_eq!(
            rate.timeout(0),
            Duration::from_secs(3),
            "1.5 s earned, capped at the grace"
        );
    }

    #[test]
    fn no_rate_is_the_plain_timeout() {
        let mut rate = MinRate::new(Duration::from_secs(30), 0);
        assert!(rate.clock().is_none());
        rate.moved(None, 0);
        assert_eq!(rate.timeout(1 << 20), Duration::from_secs(30));
    }
}
