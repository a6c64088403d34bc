//! async-std: its global runtime (async-global-executor over async-io).

use std::io;
use std::net::TcpStream;
use std::sync::Arc;

use async_io::Async;
use server_core::backend::{Accepted, Backend, Shared, accept_loop, serve_connection};
use server_core::{Config, Handler, ServerHandle};

use crate::{AsyncIo, AsyncIoListener, AsyncIoRuntime};

/// The async-std backend (async-std is deprecated upstream; see the crate docs).
pub struct AsyncStd;

impl Backend for AsyncStd {
    fn start<H: Handler>(
        listener: std::net::TcpListener,
        config: Config,
        handler: H,
    ) -> io::Result<ServerHandle> {
        let addr = listener.local_addr()?;
        let listener = Async::new(listener)?;
        let shared = Shared::new(config, &AsyncIoRuntime::AsyncStd);
        let handler = Arc::new(handler);
        let spawn = move |conn: Accepted<Async<TcpStream>>| {
            async_std::task::spawn(serve_connection(conn.map(AsyncIo::new), Arc::clone(&handler)));
        };
        let acceptor =
            async_std::task::spawn(accept_loop(AsyncIoListener(listener), Arc::clone(&shared), spawn));
        Ok(ServerHandle::new(addr, shared, move || {
            async_std::task::block_on(acceptor)
        }))
    }
}
