//! smol: an `Executor` run on `Config::workers` threads.

use std::io;
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;

use server_core::backend::{Accepted, Backend, Shared, accept_loop, serve_connection};
use server_core::{Config, Handler, ServerHandle};
use smol::{Async, Executor};

use crate::{AsyncIo, AsyncIoListener, AsyncIoRuntime};

/// The smol backend.
pub struct Smol;

impl Backend for Smol {
    fn start<H: Handler>(listener: TcpListener, config: Config, handler: H) -> io::Result<ServerHandle> {
        let addr = listener.local_addr()?;
        let listener = Async::new(listener)?;
        let executor = Arc::new(Executor::new());
        let (stop, stopped) = smol::channel::bounded::<()>(1);
        let workers = (0..config.workers.max(1))
            .map(|i| {
                let (executor, stopped) = (Arc::clone(&executor), stopped.clone());
                std::thread::Builder::new()
                    .name(format!("smol-worker-{i}"))
                    .spawn(move || smol::block_on(executor.run(stopped.recv())))
            })
            .collect::<io::Result<Vec<_>>>()?;

        // One small leak per server started: the hooks must be `'static`, the executor must not be.
        let runtime = Box::leak(Box::new(AsyncIoRuntime::Smol(Arc::downgrade(&executor))));
        let shared = Shared::new(config, runtime);
        let handler = Arc::new(handler);
        // Weak: the accept loop is the executor's own task, and a strong reference from it would keep
        // the executor, and every task left in it, alive forever.
        let spawner = Arc::downgrade(&executor);
        let spawn = move |conn: Accepted<Async<TcpStream>>| {
            if let Some(executor) = spawner.upgrade() {
                executor
                    .spawn(serve_connection(conn.map(AsyncIo::new), Arc::clone(&handler)))
                    .detach();
            }
        };
        executor
            .spawn(accept_loop(AsyncIoListener(listener), Arc::clone(&shared), spawn))
            .detach();
        Ok(ServerHandle::new(addr, shared, move || {
            drop(stop); // closes the channel: every worker's `run` returns
            for worker in workers {
                let _ = worker.join();
            }
            // The last reference: the tasks still in it (cut connections, a database client's
            // driver) are dropped with it, and their sockets closed.
            drop(executor);
        }))
    }
}
