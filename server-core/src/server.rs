//! What every backend shares around the connection loop: the [`Backend`] trait, the accept loop, the
//! connection registry that enforces `max_connections` and makes graceful shutdown possible, and the
//! [`ServerHandle`].
//!
//! Shutdown works the same way on every runtime, without a select in any loop: the registry knows
//! each connection's socket and whether it is idle, and shutting down the read side of a socket
//! (`shutdown(2)` with `SHUT_RD`) wakes whatever is blocked reading it, in any reactor or in a plain
//! blocking `read`, with end-of-file. The listener is woken the same way.

use std::future::{Future, poll_fn};
use std::io;
use std::net::{SocketAddr, TcpListener};
use std::os::fd::{AsRawFd, RawFd};
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::task::{Poll, Waker};
use std::time::{Duration, Instant};

use crate::{Config, Handler, Runtime};

/// A way of running the server: one per scheduling model.
pub trait Backend {
    /// Serves `handler` on an already bound listener until the returned handle shuts it down.
    fn start<H: Handler>(listener: TcpListener, config: Config, handler: H) -> io::Result<ServerHandle>;

    /// Binds `config.addr` (port 0 picks a free port; see [`ServerHandle::local_addr`]) with
    /// `config.backlog`, then [`start`](Self::start)s.
    fn bind<H: Handler>(config: Config, handler: H) -> io::Result<ServerHandle> {
        let listener = bind_listener(config.addr, config.backlog)?;
        Self::start(listener, config, handler)
    }
}

/// Binds a listening socket with `SO_REUSEADDR` and the given accept backlog.
pub fn bind_listener(addr: SocketAddr, backlog: u32) -> io::Result<TcpListener> {
    let socket = socket2::Socket::new(socket2::Domain::for_address(addr), socket2::Type::STREAM, None)?;
    socket.set_reuse_address(true)?;
    socket.bind(&addr.into())?;
    socket.listen(backlog.min(i32::MAX as u32) as i32)?;
    Ok(socket.into())
}

/// Raises this process's soft limit on open files to its hard limit, as Go's runtime does at start:
/// a server holding 10,000 connections needs more than the usual 1,024. Returns the new soft limit.
pub fn raise_fd_limit() -> io::Result<u64> {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: plain syscalls on a local struct.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
            return Err(io::Error::last_os_error());
        }
        lim.rlim_cur = lim.rlim_max;
        if libc::setrlimit(libc::RLIMIT_NOFILE, &lim) != 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(lim.rlim_cur)
}

/// State shared by a server's acceptor, its connections and its handle.
pub struct Shared {
    /// The configuration the server runs with.
    pub config: Config,
    /// The backend's runtime hooks, installed around every handler poll.
    pub runtime: &'static dyn Runtime,
    shutting_down: AtomicBool,
    /// Notified when graceful shutdown begins, for [`ShutdownSignal`].
    shutdown_begun: event_listener::Event,
    registry: Mutex<Registry>,
    drained: Condvar,
}

#[derive(Default)]
struct Registry {
    conns: Vec<Option<Arc<Slot>>>,
    free: Vec<usize>,
    active: usize,
    listener: Option<RawFd>,
    acceptor: Option<Waker>,
}

struct Slot {
    /// The connection's descriptor; -1 once it may have been closed while the connection is still
    /// registered (see [`ConnGuard::convert`]). Written and read under the registry's lock.
    fd: AtomicI32,
    idle: AtomicBool,
}

impl Shared {
    /// Shared state for a server with this configuration and runtime.
    pub fn new(config: Config, runtime: &'static dyn Runtime) -> Arc<Self> {
        Arc::new(Shared {
            config,
            runtime,
            shutting_down: AtomicBool::new(false),
            shutdown_begun: event_listener::Event::new(),
            registry: Mutex::new(Registry::default()),
            drained: Condvar::new(),
        })
    }

    /// Whether graceful shutdown has begun.
    pub fn is_shutting_down(&self) -> bool {
        self.shutting_down.load(Ordering::SeqCst)
    }

    /// Connections currently open.
    pub fn active_connections(&self) -> usize {
        self.lock().active
    }

    fn lock(&self) -> MutexGuard<'_, Registry> {
        self.registry.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Completes when fewer than `max_connections` are open (or at shutdown).
    fn slot_free(&self) -> impl Future<Output = ()> + '_ {
        poll_fn(move |cx| {
            let mut reg = self.lock();
            if reg.active < self.config.max_connections || self.is_shutting_down() {
                Poll::Ready(())
            } else {
                reg.acceptor = Some(cx.waker().clone());
                Poll::Pending
            }
        })
    }

    fn register(self: &Arc<Self>, fd: RawFd) -> ConnGuard {
        let slot = Arc::new(Slot {
            fd: AtomicI32::new(fd),
            idle: AtomicBool::new(false),
        });
        let mut reg = self.lock();
        let key = match reg.free.pop() {
            Some(key) => {
                reg.conns[key] = Some(Arc::clone(&slot));
                key
            }
            None => {
                reg.conns.push(Some(Arc::clone(&slot)));
                reg.conns.len() - 1
            }
        };
        reg.active += 1;
        ConnGuard {
            shared: Arc::clone(self),
            slot,
            key,
            load: None,
        }
    }

    /// Shuts down the read side of every idle connection (or of all, with `all`), which wakes
    /// their reads with end-of-file. Returns the number still open.
    fn close_connections(&self, all: bool) -> usize {
        let reg = self.lock();
        for slot in reg.conns.iter().flatten() {
            let fd = slot.fd.load(Ordering::Relaxed);
            if fd >= 0 && (all || slot.idle.load(Ordering::SeqCst)) {
                // SAFETY: the fd is open: a connection leaves the registry (under this lock) before
                // its socket is closed, and one that may have closed it sooner set it to -1.
                unsafe { libc::shutdown(fd, if all { libc::SHUT_RDWR } else { libc::SHUT_RD }) };
            }
        }
        reg.active
    }

    /// Begins graceful shutdown and waits (at most the grace period) for in-flight requests.
    /// Returns whether every connection finished in time.
    pub fn shutdown(&self) -> bool {
        self.shutting_down.store(true, Ordering::SeqCst);
        self.shutdown_begun.notify(usize::MAX);
        {
            let mut reg = self.lock();
            if let Some(fd) = reg.listener {
                // SAFETY: the acceptor clears `listener` under this lock before closing it.
                unsafe { libc::shutdown(fd, libc::SHUT_RD) };
            }
            if let Some(w) = reg.acceptor.take() {
                w.wake();
            }
        }
        let deadline = Instant::now() + self.config.shutdown_grace;
        // A busy connection becomes idle after its response (and closes itself, having seen the flag);
        // re-checking every few milliseconds also catches one that turned idle just after a pass.
        while self.close_connections(false) > 0 {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                self.close_connections(true);
                return false;
            }
            let reg = self.lock();
            if reg.active > 0 {
                let wait = left.min(Duration::from_millis(10));
                drop(
                    self.drained
                        .wait_timeout(reg, wait)
                        .unwrap_or_else(|e| e.into_inner()),
                );
            }
        }
        true
    }
}

/// Tells a handler that outlives its request (an upgraded connection's: a WebSocket session) that
/// graceful shutdown has begun, as Go's `Server.RegisterOnShutdown` does for hijacked connections:
/// such a handler is not an in-flight request the server can wait out, so it should say goodbye
/// (WebSocket's close 1001) and end. Upgrade requests carry it in their extensions.
#[derive(Clone)]
pub struct ShutdownSignal(Arc<Shared>);

impl ShutdownSignal {
    /// The signal of `shared`'s server.
    pub fn new(shared: &Arc<Shared>) -> Self {
        ShutdownSignal(Arc::clone(shared))
    }

    /// Whether graceful shutdown has begun.
    pub fn is_shutting_down(&self) -> bool {
        self.0.is_shutting_down()
    }

    /// Completes once graceful shutdown begins.
    pub async fn wait(self) {
        while !self.is_shutting_down() {
            let listener = self.0.shutdown_begun.listen();
            if self.is_shutting_down() {
                return;
            }
            listener.await;
        }
    }
}

/// A connection's place in the registry; dropping it frees the place (and wakes the acceptor).
pub struct ConnGuard {
    shared: Arc<Shared>,
    slot: Arc<Slot>,
    key: usize,
    /// The open-connection count of the per-core worker serving this connection, if any.
    load: Option<Arc<AtomicUsize>>,
}

impl ConnGuard {
    /// The server this connection belongs to.
    pub fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    /// Counts this connection in `load` for as long as it is open.
    pub(crate) fn count_in(&mut self, load: Arc<AtomicUsize>) {
        load.fetch_add(1, Ordering::Relaxed);
        self.load = Some(load);
    }

    /// The client's address (`getpeername(2)` on the connection's socket); `None` if the client has
    /// already gone. Only while the connection's stream is open: the driver calls it on the
    /// [`Accepted`] it serves.
    pub(crate) fn peer_addr(&self) -> Option<SocketAddr> {
        // SAFETY: the descriptor belongs to the stream beside this guard, which the caller holds open.
        let fd = self.slot.fd.load(Ordering::Relaxed);
        if fd < 0 {
            return None;
        }
        // SAFETY: as above; a descriptor given up by `convert` reads as -1.
        let fd = unsafe { std::os::fd::BorrowedFd::borrow_raw(fd) };
        socket2::SockRef::from(&fd).peer_addr().ok()?.as_socket()
    }

    /// Runs `convert`, which takes the connection's stream and on failure closes it (tokio's
    /// `TcpStream::from_std`, say), with the registry locked, so that shutdown can never act on the
    /// descriptor number between its close and this guard's drop, when another connection may
    /// already own it: on failure the registry forgets the descriptor before it unlocks.
    pub fn convert<T>(&self, convert: impl FnOnce() -> io::Result<T>) -> io::Result<T> {
        let _reg = self.shared.lock();
        let converted = convert();
        if converted.is_err() {
            self.slot.fd.store(-1, Ordering::Relaxed);
        }
        converted
    }

    /// Marks the connection idle (between requests) or busy. Marking it idle returns `false` when the
    /// server is shutting down, in which case the connection should close now.
    pub fn set_idle(&self, idle: bool) -> bool {
        self.slot.idle.store(idle, Ordering::SeqCst);
        !(idle && self.shared.is_shutting_down())
    }
}

/// A connection's idle mark, for engines that track requests themselves (hyper): a connection marked
/// idle is closed at once by graceful shutdown.
#[derive(Clone)]
pub struct IdleFlag(Arc<Slot>);

impl IdleFlag {
    /// Marks the connection idle (no request under way) or busy.
    pub fn set(&self, idle: bool) {
        self.0.idle.store(idle, Ordering::SeqCst);
    }
}

impl ConnGuard {
    /// The connection's idle mark, to set from elsewhere than the connection loop.
    pub fn idle_flag(&self) -> IdleFlag {
        IdleFlag(Arc::clone(&self.slot))
    }
}

impl Drop for ConnGuard {
    fn drop(&mut self) {
        if let Some(load) = &self.load {
            load.fetch_sub(1, Ordering::Relaxed);
        }
        let mut reg = self.shared.lock();
        reg.conns[self.key] = None;
        reg.free.push(self.key);
        reg.active -= 1;
        if let Some(w) = reg.acceptor.take() {
            w.wake();
        }
        if reg.active == 0 {
            self.shared.drained.notify_all();
        }
    }
}

/// A listening socket as a backend accepts from it.
pub trait Listener: AsRawFd + Send {
    /// The backend's connected stream.
    type Stream: AsRawFd + Send + 'static;
    /// Whether `accept` blocks the thread (a dedicated acceptor thread, outside any runtime): the
    /// accept loop then backs off after errors with a blocking sleep rather than the server's timer.
    const BLOCKING: bool = false;
    /// Accepts one connection.
    fn accept(&mut self) -> impl Future<Output = io::Result<Self::Stream>> + Send;
}

/// A listening socket whose `accept` blocks the calling thread (which [`block_on`](crate::block_on)
/// with [`ThreadPark`](crate::ThreadPark) then drives): the acceptor of the thread-per-connection and
/// per-core backends.
pub struct BlockingListener(pub TcpListener);

impl AsRawFd for BlockingListener {
    fn as_raw_fd(&self) -> RawFd {
        self.0.as_raw_fd()
    }
}

impl Listener for BlockingListener {
    type Stream = std::net::TcpStream;
    const BLOCKING: bool = true;
    fn accept(&mut self) -> impl Future<Output = io::Result<std::net::TcpStream>> + Send {
        std::future::ready(self.0.accept().map(|(stream, _)| stream))
    }
}

/// An accepted connection: its stream and its place in the registry.
///
/// Fields drop in order, so the connection leaves the registry before its socket is closed, and
/// shutdown never touches a closed (or reused) descriptor, whatever happens to the value.
pub struct Accepted<S> {
    /// The connection's place in the registry.
    pub guard: ConnGuard,
    /// The connected stream.
    pub stream: S,
}

impl<S> Accepted<S> {
    /// Wraps the stream (in a [`Transport`](crate::Transport), say), keeping the registry place.
    pub fn map<T>(self, f: impl FnOnce(S) -> T) -> Accepted<T> {
        let Accepted { guard, stream } = self;
        Accepted {
            guard,
            stream: f(stream),
        }
    }
}

/// The accept loop, written once: waits for a free connection slot, accepts, sets `TCP_NODELAY`,
/// registers the connection and hands it to `spawn`; on errors that are not the peer's (out of file
/// descriptors, say) backs off from 5 ms up to 1 s instead of spinning; ends at shutdown.
pub async fn accept_loop<L: Listener>(
    mut listener: L,
    shared: Arc<Shared>,
    mut spawn: impl FnMut(Accepted<L::Stream>),
) {
    shared.lock().listener = Some(listener.as_raw_fd());
    // Declared after `listener`, so dropped before it closes, however the loop ends (a runtime
    // shut down drops this future mid-await): the registry never shuts down a descriptor number
    // that the listener no longer owns.
    let _registered = Registered(&shared);
    let mut backoff = Duration::ZERO;
    loop {
        shared.slot_free().await;
        if shared.is_shutting_down() {
            break;
        }
        match listener.accept().await {
            Ok(stream) => {
                backoff = Duration::ZERO;
                let fd = stream.as_raw_fd();
                set_nodelay(fd);
                spawn(Accepted {
                    guard: shared.register(fd),
                    stream,
                });
            }
            Err(_) if shared.is_shutting_down() => break,
            Err(e) if is_peer_error(&e) => {}
            Err(_) => {
                backoff = (backoff * 2).clamp(Duration::from_millis(5), Duration::from_secs(1));
                if L::BLOCKING {
                    std::thread::sleep(backoff);
                } else {
                    shared.runtime.sleep(backoff).await;
                }
            }
        }
    }
}

/// The listener's entry in the registry, cleared when dropped.
struct Registered<'a>(&'a Shared);

impl Drop for Registered<'_> {
    fn drop(&mut self) {
        self.0.lock().listener = None;
    }
}

/// Responses are written whole, once per batch: Nagle's algorithm could only delay them.
fn set_nodelay(fd: RawFd) {
    let on: libc::c_int = 1;
    // SAFETY: setsockopt on an open socket with a correctly sized option value.
    unsafe {
        libc::setsockopt(
            fd,
            libc::IPPROTO_TCP,
            libc::TCP_NODELAY,
            (&on as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        );
    }
}

/// Errors that concern one connection attempt only, after which accepting again is right at once.
fn is_peer_error(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionAborted | io::ErrorKind::ConnectionReset | io::ErrorKind::Interrupted
    ) || e.raw_os_error() == Some(libc::EPROTO)
}

/// A running server: its address, and the way to stop it.
///
/// Dropping the handle shuts the server down gracefully, as [`shutdown`](Self::shutdown) does.
pub struct ServerHandle {
    addr: SocketAddr,
    shared: Arc<Shared>,
    finish: Option<Box<dyn FnOnce() + Send>>,
}

impl ServerHandle {
    /// A handle for a backend's server. `finish` runs after graceful shutdown, to join the backend's
    /// threads or drop its runtime.
    pub fn new(addr: SocketAddr, shared: Arc<Shared>, finish: impl FnOnce() + Send + 'static) -> Self {
        ServerHandle {
            addr,
            shared,
            finish: Some(Box::new(finish)),
        }
    }

    /// The address the server listens on (with the real port when bound to port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Connections currently open.
    pub fn active_connections(&self) -> usize {
        self.shared.active_connections()
    }

    /// Stops accepting, closes idle connections, lets in-flight requests finish (each gets
    /// `Connection: close`) for up to `Config::shutdown_grace`, then cuts what remains and joins the
    /// backend. Returns whether every connection finished within the grace period.
    pub fn shutdown(mut self) -> bool {
        self.stop()
    }

    fn stop(&mut self) -> bool {
        let Some(finish) = self.finish.take() else {
            return true;
        };
        let clean = self.shared.shutdown();
        finish();
        clean
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        self.stop();
    }
}
