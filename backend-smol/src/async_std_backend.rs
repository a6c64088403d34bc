//! async-std: its global runtime (async-global-executor over async-io).

use std::io;
use std::os::fd::{AsRawFd, RawFd};
use std::sync::Arc;

use async_std::net::{TcpListener, TcpStream};
use server_core::{
    Accepted, Backend, Config, Handler, Listener, ServerHandle, Shared, accept_loop, serve_connection,
};

use crate::{AsyncIoRuntime, FuturesIo};

/// The async-std backend (async-std is deprecated upstream; see the crate docs).
pub struct AsyncStd;

impl Backend for AsyncStd {
    fn start<H: Handler>(
        listener: std::net::TcpListener,
        config: Config,
        handler: H,
    ) -> io::Result<ServerHandle> {
        let addr = listener.local_addr()?;
        let listener = TcpListener::from(listener);
        let shared = Shared::new(config, &AsyncIoRuntime);
        let handler = Arc::new(handler);
        let spawn = move |conn: Accepted<TcpStream>| {
            let handler = Arc::clone(&handler);
            async_std::task::spawn(
                async move { serve_connection(conn.map(FuturesIo::new), &*handler).await },
            );
        };
        let acceptor = async_std::task::spawn(accept_loop(
            AsyncStdListener(listener),
            Arc::clone(&shared),
            spawn,
        ));
        Ok(ServerHandle::new(addr, shared, move || {
            async_std::task::block_on(acceptor)
        }))
    }
}

struct AsyncStdListener(TcpListener);

impl AsRawFd for AsyncStdListener {
    fn as_raw_fd(&self) -> RawFd {
        self.0.as_raw_fd()
    }
}

impl Listener for AsyncStdListener {
    type Stream = TcpStream;
    async fn accept(&mut self) -> io::Result<TcpStream> {
        self.0.accept().await.map(|(stream, _)| stream)
    }
}
