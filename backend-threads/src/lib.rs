//! # backend-threads: one OS thread per connection
//!
//! The oldest model, and the one Apache's worker MPM, classic Java servers and WSGI's thread workers
//! use: a dedicated thread accepts, and every connection gets a thread of its own that blocks in
//! `read`, runs the handler, blocks in `write`. The kernel schedules, preemptively: a handler that
//! burns CPU or blocks delays only its own connection.
//!
//! What it costs: a thread per connection, each with a stack (`Config::stack_size`, 512 KiB by
//! default, of which RSS counts only the pages touched: the connection loop and a small handler touch
//! about 16 KiB) and a kernel stack that RSS does not show (16 KiB on x86-64, visible as `KernelStack`
//! in `/proc/meminfo`). The stack is large because overflowing it aborts the process, every connection
//! with it: the deepest JSON document serde_json accepts, through axum's `Json<Value>`, needs 111 KiB
//! in a release build (371 in debug) and overflowed the former 64 KiB default; idle and waiting
//! connections cost the same RSS at 64 KiB and 512 KiB (`Config::stack_size` has the figures).
//! `Config::max_connections` bounds the threads; connections past it wait in the accept backlog. It
//! is capped by the kernel's limit on memory mappings (`vm.max_map_count`; about 12,000 threads at
//! the default 65,530; one mapping per stack, whatever its size), past which a new thread cannot map
//! its signal stack and std aborts the whole process. If the kernel refuses a new thread, that one
//! connection is closed and the server carries on.
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

use server_core::backend::{
    Accepted, Backend, Blocking, BlockingListener, BlockingRuntime, Shared, ThreadPark, accept_loop,
    block_on, serve_connection,
};
use server_core::{BoxFuture, Config, Handler, ServerHandle};

/// The thread-per-connection backend.
pub struct Threads;

impl Backend for Threads {
    fn start<H: Handler>(listener: TcpListener, mut config: Config, handler: H) -> io::Result<ServerHandle> {
        config.max_connections = config.max_connections.min(thread_cap());
        let addr = listener.local_addr()?;
        let stack_size = config.stack_size;
        let shared = Shared::new(config, &ThreadRuntime);
        let handler = Arc::new(handler);
        let acceptor_shared = Arc::clone(&shared);
        let acceptor = thread::Builder::new().name("accept".into()).spawn(move || {
            let spawn = |conn: Accepted<TcpStream>| {
                let handler = Arc::clone(&handler);
                let serve =
                    move || block_on::<ThreadPark, _>(serve_connection(conn.map(Blocking::new), handler));
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

/// Memory mappings each connection thread adds: its stack and guard page, and the signal stack and
/// guard page std gives every thread (measured: 4.3 per thread, some merge).
const MAPS_PER_THREAD: usize = 5;
/// Mappings left for everything else the process maps (allocator arenas, the handler's own).
const MAPS_SPARE: usize = 4096;

/// How many connection threads the kernel's limit on memory mappings (`vm.max_map_count`, 65,530 by
/// default) leaves room for. Past it a new thread cannot map its signal stack and std aborts the whole
/// process, so `max_connections` is capped here: the excess waits in the accept backlog instead.
fn thread_cap() -> usize {
    let read = |path: &str| std::fs::read_to_string(path).ok();
    let limit = read("/proc/sys/vm/max_map_count").and_then(|s| s.trim().parse().ok());
    let in_use = read("/proc/self/maps").map(|maps| maps.lines().count());
    match (limit, in_use) {
        (Some(limit), Some(in_use)) => cap_for(limit, in_use),
        _ => usize::MAX, // not Linux, or no /proc: no known limit
    }
}

fn cap_for(max_map_count: usize, in_use: usize) -> usize {
    max_map_count.saturating_sub(in_use + MAPS_SPARE) / MAPS_PER_THREAD
}

/// Waiting on a thread that belongs to one connection: just sleep; an outbound socket waits on
/// async-io's reactor while the thread parks, and a task gets a thread of its own.
struct ThreadRuntime;

impl BlockingRuntime for ThreadRuntime {
    fn sleep(&self, dur: Duration) {
        thread::sleep(dur);
    }
    fn spawn(&self, task: BoxFuture<'static, ()>) {
        // A task's stack is its runtime's: the default, not a connection's small one.
        let _ = thread::Builder::new()
            .name("task".into())
            .spawn(move || block_on::<ThreadPark, _>(task));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_map_limit_caps_threads_below_what_would_abort() {
        // The default limit leaves room for about 12,000 threads after a small process's maps.
        assert_eq!(
            cap_for(65_530, 300),
            (65_530 - 300 - MAPS_SPARE) / MAPS_PER_THREAD
        );
        assert_eq!(
            cap_for(1000, 300),
            0,
            "a limit already used up allows no thread, rather than wrapping"
        );
        assert!(
            thread_cap() > 1000,
            "this machine's limit leaves room for the tests' threads"
        );
    }
}
