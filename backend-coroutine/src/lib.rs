//! # backend-coroutine: a may stackful coroutine per connection
//!
//! Goroutines for Rust: every connection gets a coroutine with a small stack of its own, written as
//! plain blocking code, and may's `Config::workers` threads multiplex thousands of them; a read that
//! would block parks the coroutine and its worker runs another. Like Go (before its ~10 ms async
//! preemption), scheduling is cooperative: a handler that burns CPU keeps its worker busy.
//!
//! - I/O through `may::net` types (non-blocking sockets registered with may's event loop); timeouts
//!   are may's io timeouts (`set_read_timeout`), shared with the thread backend's [`Blocking`]
//!   transport, since both present `Read + Write`;
//! - a handler's future is driven by parking the coroutine (`may::coroutine::park`) until woken;
//! - [`server_core::sleep`] is `may::coroutine::sleep`; [`server_core::unblock`] hands the closure to
//!   the `blocking` crate's thread pool while the coroutine parks.
//!
//! may's scheduler is global to the process: the first server started sets its worker count
//! (`Config::workers`); later ones share it. Each coroutine's stack is `Config::stack_size`
//! (512 KiB by default; may's own default is 0x1000 words, 32 KiB on 64-bit). Stacks are mapped
//! lazily, so RSS counts only the pages a connection touches: an idle or waiting coroutine costs the
//! same at 64 KiB and 512 KiB. The stack is large because an overflow cannot be recovered: generator's
//! SIGSEGV handler jumps out of the faulting coroutine and abandons it mid-frame, so its connection is
//! never answered nor closed, keeps its `max_connections` slot and whatever the coroutine held (a
//! lock, say), and shutdown can no longer finish (measured: the client waits for ever, other
//! connections are served, `shutdown` gives up after its grace). The deepest JSON document serde_json
//! accepts, through axum's `Json<Value>`, needs 105 KiB in a release build (365 in debug) and
//! overflowed the former 64 KiB default (`Config::stack_size` has the figures).
//!
//! The workspace builds may 0.3.51 with two patches (`vendor/may/PATCH.md`): under fat LTO, may read
//! `errno` through an address cached on the thread a coroutine was parked on, so a reset seen after
//! the coroutine moved threads looked like `EAGAIN` and the connection was held until the idle
//! timeout (conformance case `mass_reset_as_responses_arrive`, run in release, fails without it);
//! and a coroutine whose sleep ended on the timer thread could finish and free its handle while the
//! thread that put it to sleep still wrote into that handle (heap corruption; about one debug
//! conformance run in four aborted without it). An application outside this workspace needs the
//! same `[patch.crates-io]` entry.
//!
//! Feature `minihttp`: [`MiniHttp`] serves the same handler through may_minihttp's engine, the
//! reference for raw speed; see its docs for what it does not do.

use std::io::{self, Read, Write};
use std::net::TcpListener as StdListener;
use std::os::fd::{AsRawFd, FromRawFd, IntoRawFd, RawFd};
use std::sync::Arc;
use std::task::{Wake, Waker};
use std::time::Duration;

use may::coroutine;
use may::net::{TcpListener, TcpStream};
use server_core::backend::{
    Accepted, Backend, Blocking, BlockingRuntime, BlockingStream, Listener, Park, Shared, accept_loop,
    block_on, serve_connection,
};
use server_core::{BoxFuture, Config, Handler, ServerHandle};

#[cfg(feature = "minihttp")]
mod minihttp;
#[cfg(feature = "minihttp")]
pub use minihttp::MiniHttp;

/// The may coroutine backend.
pub struct Coroutine;

impl Backend for Coroutine {
    fn start<H: Handler>(listener: StdListener, config: Config, handler: H) -> io::Result<ServerHandle> {
        configure_scheduler(&config);
        let addr = listener.local_addr()?;
        // SAFETY: the descriptor is a listening socket we own; ownership moves to may's listener.
        let listener = unsafe { TcpListener::from_raw_fd(listener.into_raw_fd()) };
        let stack_words = words(config.stack_size);
        let shared = Shared::new(config, &MayRuntime);
        let handler = Arc::new(handler);
        let acceptor_shared = Arc::clone(&shared);
        let acceptor = go(stack_words, move || {
            let spawn = |conn: Accepted<TcpStream>| {
                let handler = Arc::clone(&handler);
                let serve = move || {
                    let conn = conn.map(|stream| Blocking::new(MayStream(stream)));
                    block_on::<CoroutinePark, _>(serve_connection(conn, handler));
                };
                // If may cannot allocate the coroutine, the connection is dropped (closed).
                let _ = go(stack_words, serve);
            };
            block_on::<CoroutinePark, _>(accept_loop(MayListener(listener), acceptor_shared, spawn));
        })?;
        Ok(ServerHandle::new(addr, shared, move || {
            let _ = acceptor.join();
        }))
    }
}

/// Sets may's worker count before its scheduler starts (it is global; later calls have no effect).
pub(crate) fn configure_scheduler(config: &Config) {
    may::config().set_workers(config.workers.max(1));
}

/// A stack of `bytes` in may's unit, words, rounded up to an even count: generator paints the whole
/// of an odd-sized stack to track its use (every page resident, and a line printed per coroutine).
fn words(bytes: usize) -> usize {
    bytes.div_ceil(2 * size_of::<usize>()) * 2
}

fn go(stack_words: usize, f: impl FnOnce() + Send + 'static) -> io::Result<coroutine::JoinHandle<()>> {
    // SAFETY: may's spawn is unsafe because a coroutine must not hold thread-local references across
    // a switch. Our connection code keeps none: the runtime hook is installed and removed within
    // each single poll, and the `Date` cache is borrowed only inside one function call.
    unsafe { coroutine::Builder::new().stack_size(stack_words).spawn(f) }
}

struct MayListener(TcpListener);

impl AsRawFd for MayListener {
    fn as_raw_fd(&self) -> RawFd {
        self.0.as_raw_fd()
    }
}

impl Listener for MayListener {
    type Stream = TcpStream;
    fn accept(&mut self) -> impl Future<Output = io::Result<TcpStream>> + Send {
        std::future::ready(self.0.accept().map(|(stream, _)| stream))
    }
}

/// may's stream: blocking from the coroutine's point of view, non-blocking underneath.
struct MayStream(TcpStream);

impl Read for MayStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }
}

impl Write for MayStream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

impl BlockingStream for MayStream {
    fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        self.0.set_read_timeout(timeout)
    }
    fn set_write_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        self.0.set_write_timeout(timeout)
    }
    fn shutdown_write(&self) -> io::Result<()> {
        self.0.shutdown(std::net::Shutdown::Write)
    }
}

/// Parks the current may coroutine.
pub(crate) struct CoroutinePark;

struct CoroutineWaker(coroutine::Coroutine);

impl Wake for CoroutineWaker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
}

impl Park for CoroutinePark {
    fn waker() -> Waker {
        Waker::from(Arc::new(CoroutineWaker(coroutine::current())))
    }
    fn park() {
        coroutine::park();
    }
}

/// may's coroutine sleep; an outbound socket waits on async-io's reactor while the coroutine parks,
/// and a task gets a coroutine of its own.
pub(crate) struct MayRuntime;

impl BlockingRuntime for MayRuntime {
    fn sleep(&self, dur: Duration) {
        coroutine::sleep(dur);
    }
    fn spawn(&self, task: BoxFuture<'static, ()>) {
        let _ = go(TASK_STACK_WORDS, move || block_on::<CoroutinePark, _>(task));
    }
}

/// A spawned task's stack: a database client's driver, bigger than a connection's default.
const TASK_STACK_WORDS: usize = 256 * 1024 / size_of::<usize>();
