//! # backend-threads: one OS thread per connection
//!
//! The oldest model, and the one Apache's worker MPM, classic Java servers and WSGI's thread workers
//! use: a dedicated thread accepts, and every connection gets a thread of its own that blocks in
//! `read`, runs the handler, blocks in `write`. The kernel schedules, preemptively: a handler that
//! burns CPU or blocks delays only its own connection.
//!
//! What it costs: a thread per connection, each with a stack (`Config::stack_size`, 64 KiB by
//! default: the connection loop and a small handler use about 16 KiB) and a kernel stack that RSS does
//! not show (16 KiB on x86-64, visible as `KernelStack` in `/proc/meminfo`). `Config::max_connections`
//! bounds the threads; connections past it wait in the accept backlog. If the kernel refuses a new
//! thread, that one connection is closed and the server carries on.
//!
//! Timeouts are socket timeouts (`SO_RCVTIMEO`/`SO_SNDTIMEO`). A handler's future is driven by parking
//! the thread ([`std::thread::park`]); [`server_core::sleep`] is a plain blocking sleep here, and
//! [`server_core::unblock`] hands its closure to server-core's offload pool while the connection's
//! thread parks: the kernel would preempt an inline job anyway, but only at its fair share, which
//! keeps cheap requests waiting a slice.

use std::io;
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use server_core::{
    Accepted, Backend, Blocking, BlockingListener, BoxFuture, Config, Handler, Runtime, ServerHandle, Shared,
    ThreadPark, accept_loop, block_on, serve_connection,
};

/// The thread-per-connection backend.
pub struct Threads;

impl Backend for Threads {
    fn start<H: Handler>(listener: TcpListener, config: Config, handler: H) -> io::Result<ServerHandle> {
        let addr = listener.local_addr()?;
        let stack_size = config.stack_size;
        let shared = Shared::new(config, &ThreadRuntime);
        let handler = Arc::new(handler);
        let acceptor_shared = Arc::clone(&shared);
        let acceptor = thread::Builder::new().name("accept".into()).spawn(move || {
            let spawn = |conn: Accepted<TcpStream>| {
                let handler = Arc::clone(&handler);
                let serve =
                    move || block_on::<ThreadPark, _>(serve_connection(conn.map(Blocking::new), &*handler));
                // If the kernel will not give us a thread, the closure (and so the connection) is
                // dropped: that client sees a close, everyone else is unaffected.
                let _ = thread::Builder::new().stack_size(stack_size).spawn(serve);
            };
            block_on::<ThreadPark, _>(accept_loop(BlockingListener(listener), acceptor_shared, spawn));
        })?;
        Ok(ServerHandle::new(addr, shared, move || {
            let _ = acceptor.join();
        }))
    }
}

/// Waiting on a thread that belongs to one connection: just sleep.
struct ThreadRuntime;

impl Runtime for ThreadRuntime {
    fn sleep(&self, dur: Duration) -> BoxFuture<'static, ()> {
        thread::sleep(dur);
        Box::pin(std::future::ready(()))
    }
}
