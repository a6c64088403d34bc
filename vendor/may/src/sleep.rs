use crate::sync::AtomicOption;
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use crate::coroutine_impl::{co_cancel_data, is_coroutine, CoroutineImpl, EventSource};
use crate::likely::unlikely;
use crate::scheduler::get_scheduler;
use crate::yield_now::{get_co_para, yield_with};

struct Sleep {
    dur: Duration,
}

impl EventSource for Sleep {
    // register the coroutine to the park
    fn subscribe(&mut self, co: CoroutineImpl) {
        // `self` lives on the sleeping coroutine's stack: once its cancel data is set, a cancel may
        // resume and finish it on another thread, so nothing may be read through `self` after that.
        let dur = self.dur;
        let cancel = co_cancel_data(&co);
        let sleep_co = Arc::new(AtomicOption::some(co));
        // register the cancel data before the timer can resume the coroutine elsewhere
        cancel.set_co(sleep_co.clone());
        // re-check the cancel status
        if cancel.is_canceled() {
            unsafe { cancel.cancel() };
        }
        // put the coroutine into the timer list (a cancelled one has left `sleep_co` empty)
        get_scheduler().add_timer(dur, sleep_co);
    }
}

/// block the current coroutine until timeout
pub fn sleep(dur: Duration) {
    if unlikely(!is_coroutine()) {
        return thread::sleep(dur);
    }

    let sleeper = Sleep { dur };
    yield_with(&sleeper);
    // consume the timeout error
    get_co_para();
}
