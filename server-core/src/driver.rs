//! The connection loop, written once for every backend.
//!
//! A backend supplies a [`Transport`] (how to read and write its stream with a time limit) and a
//! [`Runtime`]; [`serve_connection`] does the rest, following may_minihttp's shape: read what is
//! available, serve every complete request in it, write all their responses at once, wait.
//!
//! The blocking backends use the same loop: their transport does blocking I/O and returns a
//! completed future, and they drive the whole loop with [`block_on`](crate::block_on).

use std::future::Future;
use std::io::{self, Read, Write};
use std::time::Duration;

use crate::engine::{Conn, Next, Wait};
use crate::server::Accepted;
use crate::{Handler, respond};

/// A connected stream as a backend reads and writes it.
pub trait Transport: Send {
    /// Reads into `buf`, waiting at most `timeout`; a timeout is an error of kind `TimedOut` or
    /// `WouldBlock` (what a socket with `SO_RCVTIMEO` reports).
    fn read(&mut self, buf: &mut [u8], timeout: Duration) -> impl Future<Output = io::Result<usize>> + Send;

    /// Writes all of `buf`, each write waiting at most `timeout`.
    fn write_all(&mut self, buf: &[u8], timeout: Duration) -> impl Future<Output = io::Result<()>> + Send;

    /// Shuts down the sending half (sends FIN) after the last response.
    fn shutdown_write(&mut self);
}

/// After an error answer, how long to keep reading (and discarding) what the client still sends, so
/// that closing does not reset the connection before the client has read the answer (what nginx calls
/// a lingering close, and Go's `closeWriteAndWait`).
const LINGER: Duration = Duration::from_millis(500);
const LINGER_BYTES: usize = 256 * 1024;

/// Serves one connection until it closes: the whole HTTP/1.1 conversation, with the configured
/// timeouts, driven by `handler`.
pub async fn serve_connection<T: Transport, H: Handler>(mut accepted: Accepted<T>, handler: &H) {
    let Accepted { guard, stream: io } = &mut accepted;
    let shared = guard.shared();
    let config = &shared.config;
    let mut conn = Conn::new(config.limits());
    loop {
        match conn.advance() {
            Next::Request(req) => {
                let (resp, panicked) = respond(handler, req, shared.runtime).await;
                conn.respond(resp, panicked || shared.is_shutting_down());
            }
            Next::Read(wait) => {
                if flush(io, &mut conn, config.write_timeout).await.is_err() {
                    return;
                }
                let timeout = match wait {
                    Wait::Idle => config.idle_timeout,
                    Wait::Head(since) => config.header_read_timeout.saturating_sub(since.elapsed()),
                    Wait::Body => config.body_read_timeout,
                };
                if timeout.is_zero() {
                    conn.timed_out();
                    continue;
                }
                let idle = conn.is_idle();
                if idle && !guard.set_idle(true) {
                    return; // shutting down, and nothing is under way here
                }
                let read = io.read(conn.read_buf(), timeout).await;
                if idle {
                    guard.set_idle(false);
                }
                match read {
                    Ok(n) => conn.filled(n),
                    Err(e) if is_timeout(&e) => conn.timed_out(),
                    Err(_) => return,
                }
            }
            Next::Close => {
                if flush(io, &mut conn, config.write_timeout).await.is_ok() && conn.should_linger() {
                    io.shutdown_write();
                    linger(io).await;
                }
                return;
            }
        }
    }
}

async fn flush<T: Transport>(io: &mut T, conn: &mut Conn, timeout: Duration) -> io::Result<()> {
    if conn.output().is_empty() {
        return Ok(());
    }
    io.write_all(conn.output(), timeout).await?;
    conn.written();
    Ok(())
}

async fn linger<T: Transport>(io: &mut T) {
    let until = std::time::Instant::now() + LINGER;
    let mut scratch = vec![0; 16 * 1024]; // on the heap: only lingering connections pay for it
    let mut drained = 0;
    while drained < LINGER_BYTES {
        let left = until.saturating_duration_since(std::time::Instant::now());
        if left.is_zero() {
            return;
        }
        match io.read(&mut scratch, left).await {
            Ok(0) | Err(_) => return,
            Ok(n) => drained += n,
        }
    }
}

fn is_timeout(e: &io::Error) -> bool {
    matches!(e.kind(), io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock)
}

/// A stream whose reads and writes block the calling thread or coroutine, with socket timeouts.
pub trait BlockingStream: Read + Write + Send {
    /// `SO_RCVTIMEO`.
    fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()>;
    /// `SO_SNDTIMEO`.
    fn set_write_timeout(&self, timeout: Option<Duration>) -> io::Result<()>;
    /// `shutdown(SHUT_WR)`.
    fn shutdown_write(&self) -> io::Result<()>;
}

impl BlockingStream for std::net::TcpStream {
    fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        std::net::TcpStream::set_read_timeout(self, timeout)
    }
    fn set_write_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        std::net::TcpStream::set_write_timeout(self, timeout)
    }
    fn shutdown_write(&self) -> io::Result<()> {
        self.shutdown(std::net::Shutdown::Write)
    }
}

/// The [`Transport`] of the blocking backends: plain blocking I/O, its futures complete when first
/// polled. Socket timeouts are set only when they change, so a keep-alive connection in its steady
/// state (always waiting with the idle timeout) makes no `setsockopt` call per request.
pub struct Blocking<S> {
    stream: S,
    read_timeout: Option<Duration>,
    write_timeout: Option<Duration>,
}

impl<S: BlockingStream> Blocking<S> {
    /// Wraps a connected stream.
    pub fn new(stream: S) -> Self {
        Blocking {
            stream,
            read_timeout: None,
            write_timeout: None,
        }
    }
}

impl<S: BlockingStream> Transport for Blocking<S> {
    fn read(&mut self, buf: &mut [u8], timeout: Duration) -> impl Future<Output = io::Result<usize>> + Send {
        let mut read = || {
            if self.read_timeout != Some(timeout) {
                self.stream.set_read_timeout(Some(timeout))?;
                self.read_timeout = Some(timeout);
            }
            self.stream.read(buf)
        };
        std::future::ready(read())
    }

    fn write_all(&mut self, buf: &[u8], timeout: Duration) -> impl Future<Output = io::Result<()>> + Send {
        let mut write = || {
            if self.write_timeout != Some(timeout) {
                self.stream.set_write_timeout(Some(timeout))?;
                self.write_timeout = Some(timeout);
            }
            self.stream.write_all(buf)
        };
        std::future::ready(write())
    }

    fn shutdown_write(&mut self) {
        let _ = self.stream.shutdown_write();
    }
}
