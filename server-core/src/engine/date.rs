//! The `Date` header value, formatted at most once a second per thread.

use std::cell::Cell;
use std::time::{Duration, UNIX_EPOCH};

/// `Sun, 06 Nov 1994 08:49:37 GMT` is 29 bytes.
const DATE_LEN: usize = 29;

#[derive(Clone, Copy)]
struct Cached {
    second: u64,
    text: [u8; DATE_LEN],
}

thread_local! {
    static CACHED: Cell<Cached> = const { Cell::new(Cached { second: u64::MAX, text: [0; DATE_LEN] }) };
}

/// Appends the current IMF-fixdate to `out`.
pub(crate) fn append(out: &mut Vec<u8>) {
    out.extend_from_slice(&text(unix_second()));
}

/// The date for `second`, from this thread's cache. Never inlined, so that the thread-local's
/// address is computed on the thread running it: see `runtime::take_local`.
#[inline(never)]
fn text(second: u64) -> [u8; DATE_LEN] {
    let mut cached = CACHED.get();
    if cached.second != second {
        let text = httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(second));
        cached.text.copy_from_slice(&text.as_bytes()[..DATE_LEN]);
        cached.second = second;
        CACHED.set(cached);
    }
    cached.text
}

/// The wall clock's second. On Linux from the coarse clock, which is read without a time-stamp
/// counter (8 ns here against 45 for the precise one, once per response): it lags by at most a
/// scheduler tick, nothing to a one-second date.
#[cfg(target_os = "linux")]
fn unix_second() -> u64 {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid, writable timespec; the call only writes it.
    unsafe { libc::clock_gettime(libc::CLOCK_REALTIME_COARSE, &mut now) };
    now.tv_sec as u64
}

#[cfg(not(target_os = "linux"))]
fn unix_second() -> u64 {
    std::time::SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
