//! Waiting for SIGINT or SIGTERM, to shut down gracefully.

use std::io;

/// SIGINT and SIGTERM, blocked so that [`wait`](Self::wait) can take them synchronously.
///
/// Create it before starting the server: threads inherit the signal mask of the thread that starts
/// them, so every thread the backend starts afterwards leaves these signals to `wait`.
pub struct ShutdownSignals {
    set: libc::sigset_t,
}

impl ShutdownSignals {
    /// Blocks SIGINT and SIGTERM in the calling thread (and the threads it starts from now on).
    pub fn block() -> io::Result<Self> {
        // SAFETY: sigset manipulation on a local, zero-initialised set; pthread_sigmask on this thread.
        unsafe {
            let mut set: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            libc::sigaddset(&mut set, libc::SIGINT);
            libc::sigaddset(&mut set, libc::SIGTERM);
            let rc = libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
            if rc != 0 {
                return Err(io::Error::from_raw_os_error(rc));
            }
            Ok(ShutdownSignals { set })
        }
    }

    /// Waits until SIGINT or SIGTERM arrives; returns its number.
    pub fn wait(&self) -> io::Result<i32> {
        let mut signal = 0;
        // SAFETY: `set` was initialised in `block`.
        let rc = unsafe { libc::sigwait(&self.set, &mut signal) };
        if rc != 0 {
            return Err(io::Error::from_raw_os_error(rc));
        }
        Ok(signal)
    }
}
