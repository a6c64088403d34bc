//! The connection loop, written once for every backend.
//!
//! A backend supplies a [`Transport`] (how to read and write its stream with a time limit) and a
//! [`Runtime`](crate::Runtime); [`serve_connection`] does the rest, following may_minihttp's shape:
//! read what is available, serve every complete request in it, write all their responses at once,
//! wait.
//!
//! Bodies stream through the same loop. While a handler (or its response body) is pending, the loop
//! writes what is batched, then either reads request body bytes the handler asked for, or waits; on an
//! async transport it also watches the socket while a streamed response waits for its producer, so a
//! client that leaves cancels the producer at once rather than at the next write. Response frames are
//! batched while they come ready, and written when the producer has nothing more for now.
//!
//! The blocking backends use the same loop: their transport does blocking I/O and returns a
//! completed future, and they drive the whole loop with [`block_on`](crate::block_on).

use std::future::{Future, poll_fn};
use std::io::{self, Read, Write};
use std::pin::{Pin, pin};
use std::task::Poll;
use std::time::Duration;

use http_body::Body as _;

use crate::engine::{Conn, Next, Pump, Wait};
use crate::server::Accepted;
use crate::{Body, Config, Handler, PeerAddr, Runtime, guarded, respond};

/// A connected stream as a backend reads and writes it.
///
/// Nothing here needs to be `Send`: a per-core runtime (compio) keeps each connection on the thread
/// that accepted it, and its I/O futures hold thread-local handles. Where a backend moves connections
/// between threads (tokio's work stealing), its concrete transport's futures are `Send` and so is the
/// connection's future.
pub trait Transport {
    /// Whether waits are futures that yield (async I/O) rather than calls that block the thread or
    /// coroutine. On a blocking transport the loop reads only when it must (a request, or body bytes
    /// the handler waits for), so a client that left during a streamed response is noticed at the next
    /// write; and since a producer blocks inside its poll there (`sleep` is a blocking sleep), a frame
    /// that comes back ready may have taken any time, so each is written at once rather than batched.
    const ASYNC: bool = true;

    /// Reads into `buf`, waiting at most `timeout`; a timeout is an error of kind `TimedOut` or
    /// `WouldBlock` (what a socket with `SO_RCVTIMEO` reports).
    ///
    /// The loop may drop the future before it completes (the handler finished first): no bytes may be
    /// lost then.
    fn read(&mut self, buf: &mut [u8], timeout: Duration) -> impl Future<Output = io::Result<usize>>;

    /// Writes all of `buf`, each write waiting at most `timeout`.
    fn write_all(&mut self, buf: &[u8], timeout: Duration) -> impl Future<Output = io::Result<()>>;

    /// Shuts down the sending half (sends FIN) after the last response.
    fn shutdown_write(&mut self);
}

/// After an error answer, how long to keep reading (and discarding) what the client still sends, so
/// that closing does not reset the connection before the client has read the answer (what nginx calls
/// a lingering close, and Go's `closeWriteAndWait`).
const LINGER: Duration = Duration::from_millis(500);
const LINGER_BYTES: usize = 256 * 1024;
/// Response frames up to this size are copied into the output buffer and batched; larger ones are
/// written straight from their own memory.
const COPY_MAX: usize = 16 * 1024;
/// Batched response bytes past which the batch is written even though more frames are ready.
const BATCH_MAX: usize = 64 * 1024;

/// Serves one connection until it closes: the whole HTTP/1.1 conversation, with the configured
/// timeouts, driven by `handler`.
pub async fn serve_connection<T: Transport, H: Handler>(mut accepted: Accepted<T>, handler: &H) {
    let Accepted { guard, stream } = &mut accepted;
    let shared = guard.shared();
    let config = &shared.config;
    let mut c = Connection {
        io: stream,
        conn: Conn::new(config.limits()),
        config,
        rt: shared.runtime,
    };
    let peer = config.peer_addr.then(|| guard.peer_addr()).flatten();
    loop {
        match c.conn.advance() {
            Next::Request(mut req) => {
                if let Some(addr) = peer {
                    req.extensions_mut().insert(PeerAddr(addr));
                }
                // The common case costs no more than a function call: a handler that is ready at once
                // and a whole body never enter `drive` or `stream_body` (whose futures are large, and
                // would be built and moved for every request).
                let mut call = pin!(respond(handler, req, c.rt));
                let (resp, panicked) = match poll_fn(|cx| Poll::Ready(call.as_mut().poll(cx))).await {
                    Poll::Ready(out) => out,
                    Poll::Pending => match c.drive(call, false).await {
                        Ok(out) => out,
                        Err(_) => return,
                    },
                };
                let close = panicked || shared.is_shutting_down();
                let (parts, mut body) = resp.into_inner().into_parts();
                if let Some(bytes) = body.take_whole() {
                    c.conn.respond_whole(&parts, &bytes, close);
                } else if c.send_stream(&parts, body, close).await.is_err() {
                    return;
                }
            }
            Next::Read(wait) => {
                if c.flush().await.is_err() {
                    return;
                }
                let timeout = match wait {
                    Wait::Idle => config.idle_timeout,
                    Wait::Head(since) => config.header_read_timeout.saturating_sub(since.elapsed()),
                    Wait::Body => config.body_read_timeout,
                };
                if timeout.is_zero() {
                    c.conn.timed_out();
                    continue;
                }
                let idle = c.conn.is_idle();
                if idle && !guard.set_idle(true) {
                    return; // shutting down, and nothing is under way here
                }
                let read = c.io.read(c.conn.read_buf(), timeout).await;
                if idle {
                    guard.set_idle(false);
                }
                match read {
                    Ok(n) => c.conn.filled(n),
                    Err(e) if is_timeout(&e) => c.conn.timed_out(),
                    Err(_) => return,
                }
            }
            Next::Close => {
                if c.flush().await.is_ok() && c.conn.should_linger() {
                    c.io.shutdown_write();
                    linger(c.io).await;
                }
                return;
            }
        }
    }
}

/// One connection's engine and stream, while it serves.
struct Connection<'a, T> {
    io: &'a mut T,
    conn: Conn,
    config: &'a Config,
    rt: &'static dyn Runtime,
}

/// What a pending handler or response body lets the loop do.
enum Step<T> {
    Done(T),
    /// Write the batched output, then poll again.
    Flush,
    /// The handler waits for request body bytes.
    Pump,
    /// Nothing to do but wait: watch the socket meanwhile, for a client that leaves.
    Watch,
}

impl<T: Transport> Connection<'_, T> {
    /// Answers with a streamed body, frame by frame.
    async fn send_stream(
        &mut self,
        parts: &http::response::Parts,
        mut body: Body,
        close: bool,
    ) -> io::Result<()> {
        if !self.conn.respond_head(parts, body.size_hint().exact(), close) {
            return Ok(()); // no body to send (`HEAD`, `204`, `304`, an error answer): the producer is dropped
        }
        self.stream_body(&mut body).await
    }

    async fn stream_body(&mut self, body: &mut Body) -> io::Result<()> {
        loop {
            let rt = self.rt;
            let next = pin!(guarded(rt, poll_fn(|cx| Pin::new(&mut *body).poll_frame(cx))));
            let frame = match self.drive(next, true).await? {
                Ok(Some(Ok(frame))) => frame,
                Ok(None) => {
                    if self.conn.end_body(None).is_err() {
                        return Err(io::ErrorKind::InvalidData.into()); // shorter than its length: close
                    }
                    return Ok(());
                }
                Ok(Some(Err(_))) | Err(_) => {
                    // A failed request body gets its error answer if the response has not started;
                    // otherwise the client sees a truncated response and a close.
                    if self.conn.replace_with_body_error() {
                        return Ok(());
                    }
                    self.conn.abort();
                    return Err(io::ErrorKind::Interrupted.into());
                }
            };
            let data = match frame.into_data() {
                Ok(data) => data,
                Err(frame) => {
                    let trailers = frame.into_trailers().ok();
                    if self.conn.end_body(trailers.as_ref()).is_err() {
                        return Err(io::ErrorKind::InvalidData.into());
                    }
                    return Ok(());
                }
            };
            if data.len() <= COPY_MAX {
                if self.conn.send_data(&data).is_err() {
                    return Err(io::ErrorKind::InvalidData.into()); // longer than its length
                }
                if !T::ASYNC || self.conn.output().len() >= BATCH_MAX {
                    self.flush().await?;
                }
            } else {
                if self.conn.send_prefix(data.len()).is_err() {
                    return Err(io::ErrorKind::InvalidData.into());
                }
                self.flush().await?;
                self.io.write_all(&data, self.config.write_timeout).await?;
                self.conn.sent_data(data.len());
            }
        }
    }

    /// Drives `fut` (a handler, or the next frame of a response body) to completion, doing meanwhile
    /// what the connection needs: writing batched output, feeding the request body, and, with `watch`,
    /// noticing a client that leaves (an error then, so that the caller drops the producer).
    async fn drive<F: Future>(&mut self, mut fut: Pin<&mut F>, watch: bool) -> io::Result<F::Output> {
        loop {
            let watching = watch && T::ASYNC && self.conn.can_read_ahead();
            let conn = &mut self.conn;
            let step = poll_fn(|cx| match fut.as_mut().poll(cx) {
                Poll::Ready(out) => Poll::Ready(Step::Done(out)),
                Poll::Pending if !conn.output().is_empty() => Poll::Ready(Step::Flush),
                Poll::Pending if conn.body_wanted(cx.waker()) => Poll::Ready(Step::Pump),
                Poll::Pending if watching => Poll::Ready(Step::Watch),
                Poll::Pending => Poll::Pending,
            })
            .await;
            match step {
                Step::Done(out) => return Ok(out),
                Step::Flush => self.flush().await?,
                Step::Pump => match self.conn.pump() {
                    Pump::Fed | Pump::Idle => {}
                    Pump::Read => {
                        self.flush().await?; // `100 Continue`
                        let timeout = self.config.body_read_timeout;
                        match self.read_beside(fut.as_mut(), timeout).await {
                            Ok(Ok(n)) => self.conn.filled(n),
                            Ok(Err(e)) if is_timeout(&e) => self.conn.timed_out(),
                            Ok(Err(e)) => return Err(e),
                            Err(out) => return Ok(out),
                        }
                    }
                },
                Step::Watch => match self.read_beside(fut.as_mut(), self.config.idle_timeout).await {
                    Ok(Ok(0)) => return Err(io::ErrorKind::ConnectionAborted.into()),
                    Ok(Ok(n)) => self.conn.filled(n),
                    Ok(Err(e)) if is_timeout(&e) => {}
                    Ok(Err(e)) => return Err(e),
                    Err(out) => return Ok(out),
                },
            }
        }
    }

    /// Reads into the engine's buffer while polling `fut`: the read's result, or `fut`'s output if it
    /// completes first (the read is then dropped, which a [`Transport`] must allow without loss).
    async fn read_beside<F: Future>(
        &mut self,
        mut fut: Pin<&mut F>,
        timeout: Duration,
    ) -> Result<io::Result<usize>, F::Output> {
        let outcome = {
            let mut read = pin!(self.io.read(self.conn.read_buf(), timeout));
            poll_fn(|cx| {
                if let Poll::Ready(out) = fut.as_mut().poll(cx) {
                    return Poll::Ready(Err(out));
                }
                read.as_mut().poll(cx).map(Ok)
            })
            .await
        };
        if outcome.is_err() {
            self.conn.read_cancelled();
        }
        outcome
    }

    async fn flush(&mut self) -> io::Result<()> {
        if self.conn.output().is_empty() {
            return Ok(());
        }
        self.io
            .write_all(self.conn.output(), self.config.write_timeout)
            .await?;
        self.conn.written();
        Ok(())
    }
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
    const ASYNC: bool = false;

    fn read(&mut self, buf: &mut [u8], timeout: Duration) -> impl Future<Output = io::Result<usize>> {
        let mut read = || {
            if self.read_timeout != Some(timeout) {
                self.stream.set_read_timeout(Some(timeout))?;
                self.read_timeout = Some(timeout);
            }
            self.stream.read(buf)
        };
        std::future::ready(read())
    }

    fn write_all(&mut self, buf: &[u8], timeout: Duration) -> impl Future<Output = io::Result<()>> {
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
