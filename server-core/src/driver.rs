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
use std::net::SocketAddr;
use std::ops::ControlFlow;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use http_body::Body as _;

use bytes::Bytes;

use crate::engine::{Conn, Next, Pump, Wait};
use crate::rate::MinRate;
use crate::server::{Accepted, ConnGuard, ShutdownSignal};
use crate::{Body, Config, Handler, PeerAddr, Response, Runtime, guarded, respond};

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
    fn read<'a>(
        &'a mut self,
        buf: &'a mut [u8],
        timeout: Duration,
    ) -> impl Future<Output = io::Result<usize>> + 'a;

    /// Writes all of `buf`, each write waiting at most `timeout`.
    fn write_all<'a>(
        &'a mut self,
        buf: &'a [u8],
        timeout: Duration,
    ) -> impl Future<Output = io::Result<()>> + 'a;

    /// Writes all of `buf`, the connection's batched responses, as [`write_all`](Self::write_all)
    /// does. The transport may take the buffer instead (leaving `buf` empty): completion I/O hands the
    /// kernel memory that it owns until the send completes, and taking the engine's buffer spares a
    /// copy and an allocation per write. Such a transport gives the buffer back through
    /// [`engine::recycle_output`](crate::backend::engine::recycle_output) once it is sent.
    fn write_output<'a>(
        &'a mut self,
        buf: &'a mut Vec<u8>,
        timeout: Duration,
    ) -> impl Future<Output = io::Result<()>> + 'a {
        self.write_all(buf, timeout)
    }

    /// Shuts down the sending half (sends FIN) after the last response.
    fn shutdown_write(&mut self);

    /// Called once the connection is done, before it stops counting against `max_connections`:
    /// waits at most `timeout` for what a write left in flight to be sent, and gives it up after
    /// that. Only a transport whose writes return before their bytes are taken (completion I/O)
    /// has anything to do.
    fn finish(&mut self, timeout: Duration) -> impl Future<Output = ()> {
        let _ = timeout;
        std::future::ready(())
    }

    /// Whether the transport can wait for bytes without lending a buffer to the wait
    /// ([`readable`](Self::readable), then [`try_read`](Self::try_read)). If so, a connection waiting
    /// for its next request holds no read or write buffer (nginx frees its buffers between requests
    /// too): readiness I/O (epoll) can, and so can completion I/O that receives into a worker's shared
    /// buffer ring. A blocking read cannot: it needs its buffer for the whole wait.
    const READINESS: bool = false;

    /// Waits at most `timeout` (a timeout is an error, as for [`read`](Self::read)) until bytes, or
    /// the end of the stream, may be there to read. It may return early; [`try_read`](Self::try_read)
    /// then says `WouldBlock`. Called only if [`READINESS`](Self::READINESS).
    fn readable(&mut self, timeout: Duration) -> impl Future<Output = io::Result<()>> {
        let _ = timeout;
        std::future::ready(Ok(()))
    }

    /// Reads what is there without waiting: `WouldBlock` if nothing is. Called only if
    /// [`READINESS`](Self::READINESS).
    fn try_read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let _ = buf;
        Err(io::ErrorKind::WouldBlock.into())
    }
}

/// After an error answer, how long to keep reading (and discarding) what the client still sends, so
/// that closing does not reset the connection before the client has read the answer (what nginx calls
/// a lingering close, and Go's `closeWriteAndWait`).
const LINGER: Duration = Duration::from_millis(500);
const LINGER_BYTES: usize = 256 * 1024;
/// Response frames up to this size are copied into the output buffer and batched; larger ones are
/// written straight from their own memory.
const COPY_MAX: usize = 16 * 1024;
/// Batched response bytes past which the batch is written even though more frames are ready, or more
/// pipelined requests wait: no request is decoded while this much output waits, so a client that
/// pipelines without reading makes a connection hold one batch beyond its socket buffer, not one
/// response per request it sent.
const BATCH_MAX: usize = 64 * 1024;
/// Largest single write of a large body: each slice gets its own deadline from the minimum write
/// rate, so a slow reader is measured as it goes rather than over the whole body.
const WRITE_SLICE: usize = 64 * 1024;

/// Serves one connection until it closes: the whole HTTP/1.1 conversation, with the configured
/// timeouts, driven by `handler`.
///
/// An idle connection holds this future whole, and a future is as large as the most it holds across
/// one wait: so each turn of the loop (serve a request, read, close) is a future of its own, of
/// which the connection holds only the one under way, and a pending handler's and a streamed body's
/// state are boxed when they are entered (few requests need them). It owns what it serves, so that a
/// backend spawns it as it is: an `async` block around it would keep its captures beside the copies
/// moved in here.
// Not an `async fn`: that would keep its argument beside the copy it moves into its body.
#[allow(clippy::manual_async_fn)]
pub fn serve_connection<T: Transport, H: Handler>(
    mut accepted: Accepted<T>,
    handler: Arc<H>,
) -> impl Future<Output = ()> {
    async move {
        let handler = &*handler;
        // Captured whole, not field by field, so that its guard leaves the registry before the
        // stream closes (a descriptor number reused at once must not be mistaken for this one).
        let accepted = &mut accepted;
        let shared = accepted.guard.shared();
        let config = &shared.config;
        let peer = config.peer_addr.then(|| accepted.guard.peer_addr()).flatten();
        let mut c = Connection {
            io: &mut accepted.stream,
            conn: Conn::new(config.limits()),
            guard: &accepted.guard,
            peer,
            receiving: MinRate::new(config.body_read_timeout, config.min_body_rate),
            sending: MinRate::new(config.write_timeout, config.min_write_rate),
        };
        while c.turn(handler).await.is_continue() {}
        // The last send settles (or is given up on) before the guard lets another connection in.
        c.io.finish(c.sending.timeout(0)).await;
    }
}

/// One connection's engine and stream, while it serves.
struct Connection<'a, T> {
    io: &'a mut T,
    conn: Conn,
    guard: &'a ConnGuard,
    peer: Option<SocketAddr>,
    /// The request body's minimum rate, restarted with each request.
    receiving: MinRate,
    /// Response writes' minimum rate, over the connection's life.
    sending: MinRate,
}

impl<'a, T> Connection<'a, T> {
    fn config(&self) -> &'a Config {
        &self.guard.shared().config
    }

    fn rt(&self) -> &'static dyn Runtime {
        self.guard.shared().runtime
    }
}

/// One turn of the connection loop, as [`Connection::turn`] chose it.
enum Turn<S, R, C> {
    Serve(S),
    Read(R),
    Close(C),
}

impl<S, R, C> Future for Turn<S, R, C>
where
    S: Future<Output = ControlFlow<()>>,
    R: Future<Output = ControlFlow<()>>,
    C: Future<Output = ControlFlow<()>>,
{
    type Output = ControlFlow<()>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<ControlFlow<()>> {
        // SAFETY: each variant's future is structurally pinned: never moved out, and `Turn` has no
        // `Drop` or `Unpin` impl that could move it.
        unsafe {
            match self.get_unchecked_mut() {
                Turn::Serve(f) => Pin::new_unchecked(f).poll(cx),
                Turn::Read(f) => Pin::new_unchecked(f).poll(cx),
                Turn::Close(f) => Pin::new_unchecked(f).poll(cx),
            }
        }
    }
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
    /// What the connection does next: serve the request the engine has, read, or close.
    /// `Continue` while the connection stays open.
    fn turn<'s, H: Handler>(&'s mut self, handler: &'s H) -> impl Future<Output = ControlFlow<()>> + 's {
        match self.conn.advance() {
            Next::Request(mut req) => {
                if let Some(addr) = self.peer {
                    req.extensions_mut().insert(PeerAddr(addr));
                }
                if self.conn.may_switch() {
                    req.extensions_mut()
                        .insert(ShutdownSignal::new(self.guard.shared()));
                }
                self.receiving.restart();
                let call = respond(handler, req, self.rt());
                Turn::Serve(self.serve(call))
            }
            Next::Read(wait) => Turn::Read(self.read_next(wait)),
            Next::Close => Turn::Close(self.close()),
        }
    }

    async fn serve<F: Future<Output = (Response, bool)>>(&mut self, call: F) -> ControlFlow<()> {
        // The common case costs no more than a function call: a handler that is ready at once and a
        // whole body never enter `drive` or `stream_body`.
        let mut call = pin!(call);
        let (resp, panicked) =
            if let Poll::Ready(out) = poll_fn(|cx| Poll::Ready(call.as_mut().poll(cx))).await {
                out
            } else {
                // Watched where the transport can wait for the socket without lending it a buffer: a
                // client that leaves drops its handler (and what the handler holds).
                match Box::pin(self.drive(call, T::READINESS)).await {
                    Ok(out) => out,
                    Err(_) => return ControlFlow::Break(()),
                }
            };
        let close = panicked || self.guard.shared().is_shutting_down();
        let (parts, mut body) = resp.into_inner().into_parts();
        let sent = match body.take_whole() {
            Some(bytes) if bytes.len() <= COPY_MAX => {
                self.conn.respond_whole(parts, &bytes, close);
                Ok(())
            }
            // A large whole body (a cached file) is written from its own memory, never copied into
            // the output: pipelined requests for it cost no more than one of them.
            Some(bytes) => Box::pin(self.send_whole(parts, bytes, close)).await,
            None => Box::pin(self.send_stream(parts, body, close)).await,
        };
        if sent.is_err() {
            return ControlFlow::Break(());
        }
        // Boxed: rare, and a flush held inline would grow every turn's future.
        if self.conn.output().len() >= BATCH_MAX && Box::pin(self.flush()).await.is_err() {
            return ControlFlow::Break(());
        }
        ControlFlow::Continue(())
    }

    /// Writes what is batched, then reads with the timeout `wait` calls for.
    async fn read_next(&mut self, wait: Wait) -> ControlFlow<()> {
        if self.flush().await.is_err() {
            return ControlFlow::Break(());
        }
        let config = self.config();
        let timeout = match wait {
            Wait::Idle => config.idle_timeout,
            Wait::Head(since) => config.header_read_timeout.saturating_sub(since.elapsed()),
            Wait::Body => self.receiving.timeout(0),
        };
        if timeout.is_zero() {
            self.conn.timed_out();
            return ControlFlow::Continue(());
        }
        let idle = self.conn.is_idle();
        if idle && !self.guard.set_idle(true) {
            return ControlFlow::Break(()); // shutting down, and nothing is under way here
        }
        let clock = (wait == Wait::Body).then(|| self.receiving.clock()).flatten();
        let read = if idle && T::READINESS {
            self.read_idle(timeout).await
        } else {
            self.io.read(self.conn.read_buf(), timeout).await
        };
        if idle {
            self.guard.set_idle(false);
        }
        self.receiving.moved(clock, *read.as_ref().unwrap_or(&0));
        match read {
            Ok(n) => self.conn.filled(n),
            Err(e) if is_timeout(&e) => self.conn.timed_out(),
            Err(_) => return ControlFlow::Break(()),
        }
        ControlFlow::Continue(())
    }

    async fn close(&mut self) -> ControlFlow<()> {
        if self.flush().await.is_ok() && self.conn.should_linger() {
            self.io.shutdown_write();
            linger(self.io).await;
        }
        ControlFlow::Break(())
    }

    /// Answers with a large whole body, written from its own memory.
    async fn send_whole(
        &mut self,
        parts: http::response::Parts,
        bytes: Bytes,
        close: bool,
    ) -> io::Result<()> {
        if !self.conn.respond_head(&parts, Some(bytes.len() as u64), close) {
            return Ok(()); // no body to send (`HEAD`, `204`, `304`, an error answer)
        }
        self.send_large(&bytes).await?;
        self.conn
            .end_body(None)
            .map_err(|_| io::ErrorKind::InvalidData.into())
    }

    /// Writes a body frame too large to batch, framed, straight from its own memory.
    async fn send_large(&mut self, data: &[u8]) -> io::Result<()> {
        if self.conn.send_prefix(data.len()).is_err() {
            return Err(io::ErrorKind::InvalidData.into()); // longer than its length
        }
        self.flush().await?;
        for slice in data.chunks(WRITE_SLICE) {
            let timeout = self.sending.timeout(slice.len());
            let write = self.io.write_all(slice, timeout);
            accounted::<T, _>(&mut self.sending, slice.len(), write).await?;
        }
        self.conn.sent_data(data.len());
        Ok(())
    }

    /// Answers with a streamed body, frame by frame.
    async fn send_stream(
        &mut self,
        parts: http::response::Parts,
        mut body: Body,
        close: bool,
    ) -> io::Result<()> {
        if !self.conn.respond_head(&parts, body.size_hint().exact(), close) {
            return Ok(()); // no body to send (`HEAD`, `204`, `304`, an error answer): the producer is dropped
        }
        self.stream_body(&mut body).await
    }

    async fn stream_body(&mut self, body: &mut Body) -> io::Result<()> {
        loop {
            let rt = self.rt();
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
                self.send_large(&data).await?;
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
                        let switched = self.conn.switched();
                        let timeout = if switched {
                            self.config().idle_timeout
                        } else {
                            self.receiving.timeout(0)
                        };
                        if timeout.is_zero() {
                            self.conn.timed_out(); // fell a whole grace behind the minimum rate
                            continue;
                        }
                        let clock = self.receiving.clock().filter(|_| !switched);
                        match self.read_beside(fut.as_mut(), timeout).await {
                            Ok(Ok(n)) => {
                                self.receiving.moved(clock, n);
                                self.conn.filled(n);
                            }
                            Ok(Err(e)) if is_timeout(&e) => self.conn.timed_out(),
                            Ok(Err(e)) => return Err(e),
                            Err(out) => return Ok(out),
                        }
                    }
                },
                Step::Watch => match self.watch_beside(fut.as_mut()).await {
                    Ok(Ok(0)) if !self.config().half_close => {
                        return Err(io::ErrorKind::ConnectionAborted.into());
                    }
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

    /// Watches the socket while polling `fut`, as [`read_beside`](Self::read_beside) does, but on a
    /// readiness transport lends no buffer to the wait: a handler that waits keeps only what it holds.
    /// Ends early (as a timeout would) when the handler starts to want its body, which it may do from
    /// another thread.
    async fn watch_beside<F: Future>(
        &mut self,
        mut fut: Pin<&mut F>,
    ) -> Result<io::Result<usize>, F::Output> {
        let timeout = self.config().idle_timeout;
        if !T::READINESS {
            return self.read_beside(fut, timeout).await;
        }
        let ready = {
            let Connection { io, conn, .. } = &mut *self;
            let mut readable = pin!(io.readable(timeout));
            poll_fn(|cx| {
                if let Poll::Ready(out) = fut.as_mut().poll(cx) {
                    return Poll::Ready(Err(out));
                }
                if conn.body_wanted(cx.waker()) {
                    return Poll::Ready(Ok(Err(io::ErrorKind::WouldBlock.into())));
                }
                readable.as_mut().poll(cx).map(Ok)
            })
            .await
        };
        match ready {
            Err(out) => Err(out),
            Ok(Err(e)) => Ok(Err(e)),
            Ok(Ok(())) => {
                let read = self.io.try_read(self.conn.read_buf());
                if read.is_err() {
                    self.conn.read_cancelled();
                }
                Ok(read)
            }
        }
    }

    /// Waits for the next request holding no buffers: they are given back as soon as the wait
    /// turns out to be one (the readiness is not there at once).
    async fn read_idle(&mut self, timeout: Duration) -> io::Result<usize> {
        loop {
            {
                let Connection { io, conn, .. } = &mut *self;
                let mut readable = pin!(io.readable(timeout));
                poll_fn(|cx| {
                    let ready = readable.as_mut().poll(cx);
                    if ready.is_pending() {
                        conn.release_buffers();
                    }
                    ready
                })
                .await?;
            }
            match self.io.try_read(self.conn.read_buf()) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => self.conn.read_cancelled(),
                read => return read,
            }
        }
    }

    async fn flush(&mut self) -> io::Result<()> {
        let len = self.conn.output().len();
        if len == 0 {
            return Ok(());
        }
        let timeout = self.sending.timeout(len);
        let write = self.io.write_output(self.conn.output_buf(), timeout);
        accounted::<T, _>(&mut self.sending, len, write).await?;
        self.conn.written();
        Ok(())
    }
}

/// Runs a write of `bytes`, accounting its time against the minimum write rate. On an async
/// transport a write that completes when first polled (the socket had room, as it mostly has) took
/// no time and costs no clock read; a blocking transport's write may have blocked inside that poll.
async fn accounted<T: Transport, F: Future<Output = io::Result<()>>>(
    rate: &mut MinRate,
    bytes: usize,
    write: F,
) -> io::Result<()> {
    let mut write = pin!(write);
    if T::ASYNC
        && let Poll::Ready(done) = poll_fn(|cx| Poll::Ready(write.as_mut().poll(cx))).await
    {
        rate.moved_at_once(bytes);
        return done;
    }
    let since = rate.clock();
    write.await?;
    rate.moved(since, bytes);
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
