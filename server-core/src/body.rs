//! Bodies that stream both ways: one [`Body`] type for requests and responses.
//!
//! A body is an [`http_body::Body`] of `Bytes` frames. Most bodies are small and whole: a handler's
//! `Response::text("hi")`, a request whose body arrived with its head. Those are [`Body::full`]: no
//! allocation beyond the `Bytes`, written in the same buffer as the head. The rest stream:
//!
//! - a request body that had not fully arrived when the handler was called reads from the connection
//!   as the handler polls it (`100 Continue` goes out on the first read), bounded by
//!   `Config::max_body_bytes` unless the handler raises the limit for itself ([`Body::set_limit`]);
//! - a response body may be any `http_body::Body` ([`Body::new`]), a `Stream` of chunks
//!   ([`Body::from_stream`]), or a [`channel`](Body::channel) whose [`Sender`] works from any backend
//!   and from a thread (inside [`unblock`](crate::unblock)). The connection writes each frame when it
//!   is produced and polls for the next only once the previous one is written, so a client that does
//!   not read makes the producer wait.
//!
//! ```
//! use server_core::{Body, Request, Response, Router};
//!
//! let app = Router::new()
//!     // Collect the whole request body (413 past the limit):
//!     .post("/echo", |req: Request| async move {
//!         match req.into_body().collect().await {
//!             Ok(bytes) => Response::bytes(bytes),
//!             Err(e) => e.into_response(),
//!         }
//!     })
//!     // Or stream it straight back:
//!     .post("/mirror", |req: Request| Response::new(server_core::StatusCode::OK).with_body(req.into_body()));
//! # let _ = app;
//! ```

use std::fmt;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

use bytes::Bytes;
use futures_core::Stream;
use http::StatusCode;
use http_body::{Frame, SizeHint};

use crate::Response;

/// A boxed error, as streaming bodies produce.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The body of a [`Request`](crate::Request) or a [`Response`]: whole `Bytes`, or a stream of them.
#[derive(Default)]
pub struct Body(Kind);

/// Two variants, so that a `Body` is the size of a `Bytes` (the stream's box fills `Bytes`' niche):
/// a request or response with a whole body is no larger, and costs no more to move, than one
/// carrying plain `Bytes`.
enum Kind {
    /// Whole (empty: no body).
    Full(Bytes),
    Streaming(Box<Streamed>),
}

impl Default for Kind {
    fn default() -> Self {
        Kind::Full(Bytes::new())
    }
}

enum Streamed {
    Incoming(Incoming),
    Channel(Pin<Box<async_channel::Receiver<Bytes>>>),
    Boxed(Pin<Box<dyn http_body::Body<Data = Bytes, Error = BoxError> + Send>>),
    Failed(Option<BodyError>),
}

fn streaming(stream: Streamed) -> Body {
    Body(Kind::Streaming(Box::new(stream)))
}

impl Body {
    /// No body.
    pub fn empty() -> Self {
        Body(Kind::Full(Bytes::new()))
    }

    /// A whole body.
    pub fn full(bytes: impl Into<Bytes>) -> Self {
        Body(Kind::Full(bytes.into()))
    }

    /// Any `http_body::Body` of `Bytes`: its frames (trailers included) are sent as it yields them,
    /// with `Content-Length` when its size hint is exact, chunked otherwise.
    pub fn new<B>(body: B) -> Self
    where
        B: http_body::Body<Data = Bytes> + Send + 'static,
        B::Error: Into<BoxError>,
    {
        streaming(Streamed::Boxed(Box::pin(MapErr(body))))
    }

    /// A stream of chunks; an `Err` item ends the response early (the connection is closed, so the
    /// client sees a truncated body rather than a complete one).
    pub fn from_stream<S, T, E>(stream: S) -> Self
    where
        S: Stream<Item = Result<T, E>> + Send + 'static,
        T: Into<Bytes>,
        E: Into<BoxError>,
    {
        streaming(Streamed::Boxed(Box::pin(StreamBody(stream))))
    }

    /// Declares the exact length of a streamed body, so that it goes out with `Content-Length`
    /// instead of chunked. The producer must yield exactly that many bytes: a short or long one ends
    /// the response early and closes the connection.
    pub fn with_length(self, len: u64) -> Self {
        streaming(Streamed::Boxed(Box::pin(Sized { body: self, len })))
    }

    /// A body fed through a channel: what the [`Sender`] sends, in order, until it is dropped. The
    /// channel holds one chunk, so a sender waits while the connection writes the previous one.
    pub fn channel() -> (Sender, Body) {
        let (tx, rx) = async_channel::bounded(1);
        (Sender(tx), streaming(Streamed::Channel(Box::pin(rx))))
    }

    /// The whole body, `Bytes` if it is one already. For a request body, fails with
    /// [`BodyError::TooLarge`] past its limit (`Config::max_body_bytes`, or what [`set_limit`](Self::set_limit) set).
    pub async fn collect(mut self) -> Result<Bytes, BodyError> {
        if let Kind::Full(bytes) = &mut self.0 {
            return Ok(std::mem::take(bytes));
        }
        let Some(first) = self.data().await.transpose()? else {
            return Ok(Bytes::new());
        };
        let Some(second) = self.data().await.transpose()? else {
            return Ok(first); // one chunk: no copy
        };
        let mut all = Vec::with_capacity(first.len() + second.len());
        all.extend_from_slice(&first);
        all.extend_from_slice(&second);
        while let Some(chunk) = self.data().await {
            all.extend_from_slice(&chunk?);
        }
        Ok(Bytes::from(all))
    }

    /// The next chunk of data (trailers skipped), `None` at the end.
    ///
    /// ```
    /// # async fn f(req: server_core::Request) -> Result<u64, server_core::BodyError> {
    /// let mut body = req.into_body();
    /// let mut total = 0;
    /// while let Some(chunk) = body.data().await {
    ///     total += chunk?.len() as u64; // streamed: never held whole
    /// }
    /// # Ok(total) }
    /// ```
    pub async fn data(&mut self) -> Option<Result<Bytes, BodyError>> {
        loop {
            match std::future::poll_fn(|cx| Pin::new(&mut *self).poll_frame_inner(cx)).await? {
                Ok(frame) => match frame.into_data() {
                    Ok(data) => return Some(Ok(data)),
                    Err(_) => continue,
                },
                Err(e) => return Some(Err(e)),
            }
        }
    }

    /// Raises (or lowers) the size limit of a request body, for a handler that takes uploads larger than
    /// `Config::max_body_bytes`. Reading past the limit fails with [`BodyError::TooLarge`] and the
    /// connection answers `413` and closes. No effect on other bodies.
    pub fn set_limit(&mut self, bytes: u64) {
        match &mut self.0 {
            Kind::Streaming(s) => {
                if let Streamed::Incoming(incoming) = &**s {
                    incoming.feed.lock().limit = bytes;
                }
            }
            Kind::Full(full) if full.len() as u64 > bytes => {
                *self = streaming(Streamed::Failed(Some(BodyError::TooLarge)));
            }
            _ => {}
        }
    }

    /// The whole body, when it is one (no stream to poll), leaving it empty: the engine's fast path.
    pub fn take_whole(&mut self) -> Option<Bytes> {
        match &mut self.0 {
            Kind::Full(bytes) => Some(std::mem::take(bytes)),
            _ => None,
        }
    }

    pub(crate) fn incoming(feed: Arc<Feed>) -> Self {
        streaming(Streamed::Incoming(Incoming { feed }))
    }

    fn poll_frame_inner(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BodyError>>> {
        let stream = match &mut self.0 {
            Kind::Full(bytes) if bytes.is_empty() => return Poll::Ready(None),
            Kind::Full(bytes) => return Poll::Ready(Some(Ok(Frame::data(std::mem::take(bytes))))),
            Kind::Streaming(stream) => &mut **stream,
        };
        match stream {
            Streamed::Incoming(incoming) => incoming.poll_data(cx).map(|d| d.map(|d| d.map(Frame::data))),
            Streamed::Channel(rx) => rx.as_mut().poll_next(cx).map(|d| d.map(|d| Ok(Frame::data(d)))),
            // A body that failed with a `BodyError` (a wrapped request body, say) keeps its kind.
            Streamed::Boxed(body) => body.as_mut().poll_frame(cx).map(|f| {
                f.map(|f| f.map_err(|e| e.downcast::<BodyError>().map_or_else(BodyError::Other, |e| *e)))
            }),
            Streamed::Failed(e) => Poll::Ready(e.take().map(Err)),
        }
    }
}

impl http_body::Body for Body {
    type Data = Bytes;
    type Error = BodyError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BodyError>>> {
        self.poll_frame_inner(cx)
    }

    fn is_end_stream(&self) -> bool {
        match &self.0 {
            Kind::Full(bytes) => bytes.is_empty(),
            Kind::Streaming(stream) => match &**stream {
                Streamed::Channel(_) => false,
                Streamed::Incoming(incoming) => incoming.feed.lock().is_end(),
                Streamed::Boxed(body) => body.is_end_stream(),
                Streamed::Failed(e) => e.is_none(),
            },
        }
    }

    fn size_hint(&self) -> SizeHint {
        match &self.0 {
            Kind::Full(bytes) => SizeHint::with_exact(bytes.len() as u64),
            Kind::Streaming(stream) => match &**stream {
                Streamed::Failed(_) => SizeHint::with_exact(0),
                Streamed::Incoming(incoming) => incoming.feed.lock().size_hint(),
                Streamed::Channel(_) => SizeHint::default(),
                Streamed::Boxed(body) => body.size_hint(),
            },
        }
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match &self.0 {
            Kind::Full(bytes) if bytes.is_empty() => "Empty",
            Kind::Full(_) => "Full",
            Kind::Streaming(stream) => match &**stream {
                Streamed::Incoming(_) => "Incoming",
                Streamed::Channel(_) => "Channel",
                Streamed::Boxed(_) => "Boxed",
                Streamed::Failed(_) => "Failed",
            },
        };
        f.debug_tuple("Body").field(&kind).finish()
    }
}

impl From<Bytes> for Body {
    fn from(bytes: Bytes) -> Self {
        Body::full(bytes)
    }
}

impl From<Vec<u8>> for Body {
    fn from(v: Vec<u8>) -> Self {
        Body::full(v)
    }
}

impl From<String> for Body {
    fn from(s: String) -> Self {
        Body::full(s)
    }
}

impl From<&'static str> for Body {
    fn from(s: &'static str) -> Self {
        Body::full(s)
    }
}

impl From<&'static [u8]> for Body {
    fn from(s: &'static [u8]) -> Self {
        Body::full(s)
    }
}

/// Why a body could not be read (or produced) to its end.
#[derive(Debug)]
pub enum BodyError {
    /// The request body is larger than its limit (`413`).
    TooLarge,
    /// The request body's framing is malformed (a bad chunk, say) (`400`).
    Malformed,
    /// The client sent no body bytes for `Config::body_read_timeout` (`408`).
    TimedOut,
    /// The client closed the connection before the body's end.
    Disconnected,
    /// A response body's producer failed.
    Other(BoxError),
}

impl BodyError {
    /// The status that answers a request whose body failed this way.
    pub fn status(&self) -> StatusCode {
        match self {
            BodyError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            BodyError::Malformed | BodyError::Disconnected => StatusCode::BAD_REQUEST,
            BodyError::TimedOut => StatusCode::REQUEST_TIMEOUT,
            BodyError::Other(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The response that answers a request whose body failed this way. (For the request's own body the
    /// engine sends that answer anyway, whatever the handler returns, and closes the connection.)
    pub fn into_response(self) -> Response {
        Response::status(self.status())
    }

    fn copy(&self) -> BodyError {
        match self {
            BodyError::TooLarge => BodyError::TooLarge,
            BodyError::Malformed => BodyError::Malformed,
            BodyError::TimedOut => BodyError::TimedOut,
            BodyError::Disconnected | BodyError::Other(_) => BodyError::Disconnected,
        }
    }
}

impl fmt::Display for BodyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BodyError::TooLarge => f.write_str("body larger than its limit"),
            BodyError::Malformed => f.write_str("malformed body framing"),
            BodyError::TimedOut => f.write_str("timed out reading the body"),
            BodyError::Disconnected => f.write_str("client disconnected before the body's end"),
            BodyError::Other(e) => write!(f, "body producer failed: {e}"),
        }
    }
}

impl std::error::Error for BodyError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            BodyError::Other(e) => Some(&**e),
            _ => None,
        }
    }
}

/// The sending half of [`Body::channel`]. Dropping it ends the body.
#[derive(Clone, Debug)]
pub struct Sender(async_channel::Sender<Bytes>);

/// The body's receiving end is gone: the client disconnected (or the response was dropped).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Disconnected;

impl fmt::Display for Disconnected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the response body's receiver is gone (client disconnected)")
    }
}

impl std::error::Error for Disconnected {}

impl Sender {
    /// Sends a chunk, waiting while the previous one is still unwritten. Works on every backend.
    pub async fn send(&self, chunk: impl Into<Bytes>) -> Result<(), Disconnected> {
        self.0.send(chunk.into()).await.map_err(|_| Disconnected)
    }

    /// Sends a chunk from a thread that may block (inside [`unblock`](crate::unblock), or a thread of
    /// your own). Never call it from an async task or a coroutine: it blocks the whole thread.
    pub fn send_blocking(&self, chunk: impl Into<Bytes>) -> Result<(), Disconnected> {
        self.0.send_blocking(chunk.into()).map_err(|_| Disconnected)
    }

    /// Whether the body's receiver is gone, so that further chunks would be dropped.
    pub fn is_closed(&self) -> bool {
        self.0.is_closed()
    }
}

/// A request body still arriving: what the handler holds. The connection loop holds the same [`Feed`]
/// and fills it when the handler asks for more.
struct Incoming {
    feed: Arc<Feed>,
}

impl Incoming {
    fn poll_data(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Bytes, BodyError>>> {
        let mut state = self.feed.lock();
        if let Some(data) = state.data.take() {
            return Poll::Ready(Some(Ok(data)));
        }
        match &state.end {
            Some(Ok(())) => return Poll::Ready(None),
            Some(Err(e)) => return Poll::Ready(Some(Err(e.copy()))),
            None => {}
        }
        if state.declared.is_some_and(|n| n > state.limit) {
            // Refused before a byte of it is read, and before `100 Continue`.
            state.end = Some(Err(BodyError::TooLarge));
            let conn = state.conn.take();
            drop(state);
            if let Some(conn) = conn {
                conn.wake();
            }
            return Poll::Ready(Some(Err(BodyError::TooLarge)));
        }
        state.wants = true;
        state.reader = Some(cx.waker().clone());
        let conn = state.conn.take();
        drop(state);
        if let Some(conn) = conn {
            conn.wake();
        }
        Poll::Pending
    }
}

impl Drop for Incoming {
    fn drop(&mut self) {
        let mut state = self.feed.lock();
        state.dropped = true;
        let conn = state.conn.take();
        drop(state);
        if let Some(conn) = conn {
            conn.wake();
        }
    }
}

/// The hand-over point between a connection's decoder and the handler reading a streamed request body:
/// at most one decoded chunk at a time, so the connection reads only as fast as the handler consumes.
#[derive(Debug)]
pub(crate) struct Feed(Mutex<FeedState>);

#[derive(Debug)]
pub(crate) struct FeedState {
    data: Option<Bytes>,
    end: Option<Result<(), BodyError>>,
    /// The reader found nothing and waits.
    wants: bool,
    reader: Option<Waker>,
    /// The connection loop, waiting for the reader to want more.
    conn: Option<Waker>,
    /// The reader is gone.
    dropped: bool,
    pub limit: u64,
    /// `Content-Length`, if the body has one.
    declared: Option<u64>,
    /// Bytes handed to the reader so far.
    received: u64,
}

impl Feed {
    pub(crate) fn new(limit: u64, declared: Option<u64>) -> Arc<Self> {
        Arc::new(Feed(Mutex::new(FeedState {
            data: None,
            end: None,
            wants: false,
            reader: None,
            conn: None,
            dropped: false,
            limit,
            declared,
            received: 0,
        })))
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, FeedState> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl FeedState {
    /// Whether the reader waits for a chunk (and has taken the last one); if not, `conn` is woken when
    /// it does.
    pub(crate) fn wants(&mut self, conn: Option<&Waker>) -> bool {
        if self.wants && self.data.is_none() && self.end.is_none() && !self.dropped {
            return true;
        }
        if let Some(conn) = conn {
            self.conn = Some(conn.clone());
        }
        false
    }

    /// Hands a decoded chunk to the reader, or fails the body if it passes the limit.
    pub(crate) fn push(&mut self, data: Bytes) -> Result<(), StatusCode> {
        self.received += data.len() as u64;
        if self.received > self.limit {
            self.fail(BodyError::TooLarge);
            return Err(StatusCode::PAYLOAD_TOO_LARGE);
        }
        self.data = Some(data);
        self.wake_reader();
        Ok(())
    }

    pub(crate) fn finish(&mut self) {
        self.end = Some(Ok(()));
        self.wake_reader();
    }

    pub(crate) fn fail(&mut self, e: BodyError) {
        if self.end.is_none() {
            self.end = Some(Err(e));
        }
        self.wake_reader();
    }

    /// The error the reader ran into by itself (a declared length over the limit), if any.
    pub(crate) fn failure(&self) -> Option<StatusCode> {
        match &self.end {
            Some(Err(e)) => Some(e.status()),
            _ => None,
        }
    }

    pub(crate) fn dropped(&self) -> bool {
        self.dropped
    }

    fn wake_reader(&mut self) {
        self.wants = false;
        if let Some(reader) = self.reader.take() {
            reader.wake();
        }
    }

    fn is_end(&self) -> bool {
        self.data.is_none() && matches!(self.end, Some(Ok(())))
    }

    fn size_hint(&self) -> SizeHint {
        match self.declared {
            Some(n) => SizeHint::with_exact(n.saturating_sub(self.received)),
            None => SizeHint::default(),
        }
    }
}

/// An `http_body::Body` with its error boxed.
struct MapErr<B>(B);

impl<B> http_body::Body for MapErr<B>
where
    B: http_body::Body<Data = Bytes>,
    B::Error: Into<BoxError>,
{
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        // SAFETY: structural pinning of the only field; `MapErr` neither moves it nor implements Drop.
        let inner = unsafe { self.map_unchecked_mut(|s| &mut s.0) };
        inner.poll_frame(cx).map(|f| f.map(|f| f.map_err(Into::into)))
    }

    fn is_end_stream(&self) -> bool {
        self.0.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.0.size_hint()
    }
}

/// A body with a declared exact length.
struct Sized {
    body: Body,
    len: u64,
}

impl http_body::Body for Sized {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        Pin::new(&mut self.body)
            .poll_frame_inner(cx)
            .map(|f| f.map(|f| f.map_err(Into::into)))
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.len)
    }
}

/// A `Stream` of chunks as an `http_body::Body`.
struct StreamBody<S>(S);

impl<S, T, E> http_body::Body for StreamBody<S>
where
    S: Stream<Item = Result<T, E>>,
    T: Into<Bytes>,
    E: Into<BoxError>,
{
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        // SAFETY: structural pinning of the only field; `StreamBody` neither moves it nor implements Drop.
        let inner = unsafe { self.map_unchecked_mut(|s| &mut s.0) };
        inner
            .poll_next(cx)
            .map(|item| item.map(|r| r.map(|d| Frame::data(d.into())).map_err(Into::into)))
    }
}
