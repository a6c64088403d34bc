//! WebSocket (RFC 6455) for handlers, on every backend.
//!
//! [`accept`] checks an upgrade request and answers `101 Switching Protocols`; after that answer the
//! engine hands the connection over as two byte streams: the request body carries what the client
//! sends, the response body what the server sends, both with the backpressure and timeouts every
//! other body has (so every backend serves WebSocket natively, with no I/O of its own here). The
//! protocol itself (framing, masking, fragmentation, UTF-8, ping/pong, the close handshake) is
//! tungstenite's, axum's too, driven as a sans-IO codec: bytes in, messages out, messages in,
//! bytes out.
//!
//! ```
//! use server_core::{Request, Router, ws};
//!
//! let app = Router::new().get("/ws/echo", |req: Request| {
//!     ws::accept(req, ws::Limits::default(), |mut socket: ws::WebSocket| async move {
//!         while let Some(message) = socket.recv().await {
//!             if socket.send(message).await.is_err() {
//!                 break;
//!             }
//!         }
//!     })
//! });
//! # let _ = app;
//! ```
//!
//! | bad input | answer |
//! |---|---|
//! | not a GET, not HTTP/1.1, no `Connection: upgrade` or `Upgrade: websocket`, a missing or malformed `Sec-WebSocket-Key` | 400 |
//! | a `Sec-WebSocket-Version` other than 13 | 426 with `Sec-WebSocket-Version: 13` |
//! | a protocol error (an unmasked frame, a fragmented control frame, a reserved bit or opcode) | close 1002 |
//! | a text message that is not UTF-8 | close 1007 |
//! | a message or frame over [`Limits`] | close 1009 |
//!
//! Graceful shutdown ends every session with close 1001 (going away): the session's future is
//! dropped, the close frame sent, and the connection closes once the client answers it (or at the
//! end of `Config::shutdown_grace`).
//!
//! A session runs on the connection's own task (or thread, or coroutine): on the thread and coroutine
//! backends, whose one thread blocks in a read while it waits for the client, a session sends only
//! in answer to what it receives.

use std::collections::VecDeque;
use std::future::{Future, poll_fn};
use std::io::{self, Read, Write};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{HeaderValue, Method, StatusCode, Version, header};
use http_body::Frame;
use tungstenite::error::{CapacityError, Error as WsError, ProtocolError};
use tungstenite::protocol::frame::coding::CloseCode;
use tungstenite::protocol::{CloseFrame, Role, WebSocketConfig, WebSocketContext};

pub use tungstenite::Message;

mod room;
pub use room::Room;

use crate::engine::tokens;
use crate::runtime::lock;
use crate::{Body, BodyError, BoxFuture, Request, Response, ShutdownSignal};

/// How large a message or a frame a client may send: past either, the session is closed with 1009.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Largest message (all its fragments together). Default 1 MiB, the HTTP body limit's default.
    pub max_message_bytes: usize,
    /// Largest single frame. Default 1 MiB.
    pub max_frame_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_message_bytes: 1 << 20,
            max_frame_bytes: 1 << 20,
        }
    }
}

/// What tungstenite reads from the session's input at a time (see `accept`).
const READ_CHUNK: usize = 4096;

/// Output queued past which [`WebSocket::send`] waits for the connection to write it.
const SEND_QUEUE_MAX: usize = 64 * 1024;

/// Answers a WebSocket upgrade request: `101 Switching Protocols`, then `session` runs with the
/// socket until it returns (the server then closes) or the client closes. A request that is not a
/// valid version-13 upgrade gets its error answer instead (see the module docs).
pub fn accept<F, Fut>(req: Request, limits: Limits, session: F) -> Response
where
    F: FnOnce(WebSocket) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let accept_key = match handshake(&req) {
        Ok(key) => key,
        Err(answer) => return answer,
    };
    let mut config = WebSocketConfig::default();
    config.max_message_size = Some(limits.max_message_bytes);
    config.max_frame_size = Some(limits.max_frame_bytes);
    // tungstenite zero-fills this much of its read buffer before every read it tries, one that
    // finds nothing included: at the default 128 KiB that memset was 30% of tokio's CPU per
    // echoed 32-byte message. The bytes come from our own buffer, so small reads cost nothing more.
    config.read_buffer_size = READ_CHUNK;
    let state = Arc::new(Mutex::new(State {
        protocol: WebSocketContext::new(Role::Server, Some(config)),
        io: Buffers::default(),
        inbox: VecDeque::new(),
        received_close: false,
        ended: false,
    }));
    let socket = WebSocket {
        state: Arc::clone(&state),
    };
    let shutdown = req
        .extensions()
        .get::<ShutdownSignal>()
        .map(|signal| -> BoxFuture<'static, ()> { Box::pin(signal.clone().wait()) });
    let body = Session {
        state,
        run: Some(Box::pin(session(socket))),
        shutdown,
        incoming: req.into_body(),
    };
    let mut resp = Response::new(StatusCode::SWITCHING_PROTOCOLS)
        .with_header(header::UPGRADE, "websocket")
        .with_header(header::CONNECTION, "Upgrade")
        .with_body(Body::new(body));
    resp.headers_mut()
        .insert(header::SEC_WEBSOCKET_ACCEPT, accept_key);
    resp
}

/// The `Sec-WebSocket-Accept` value for a valid upgrade request, or the error answer.
#[allow(clippy::result_large_err)] // the error is the answer itself, made once per handshake
fn handshake(req: &Request) -> Result<HeaderValue, Response> {
    let headers = req.headers();
    let has_token = |name: header::HeaderName, token: &[u8]| {
        headers
            .get_all(name)
            .iter()
            .any(|value| tokens(value.as_bytes()).any(|t| t.eq_ignore_ascii_case(token)))
    };
    let bad = |why: &'static str| Response::text(why).with_status(StatusCode::BAD_REQUEST);
    if req.method() != Method::GET || req.version() != Version::HTTP_11 {
        return Err(bad("a WebSocket upgrade is a GET over HTTP/1.1\n"));
    }
    if !has_token(header::CONNECTION, b"upgrade") || !has_token(header::UPGRADE, b"websocket") {
        return Err(bad(
            "not a WebSocket upgrade (Connection: upgrade, Upgrade: websocket)\n",
        ));
    }
    if headers
        .get(header::SEC_WEBSOCKET_VERSION)
        .is_none_or(|v| v != "13")
    {
        return Err(Response::text("WebSocket version 13 only\n")
            .with_status(StatusCode::UPGRADE_REQUIRED)
            .with_header(header::SEC_WEBSOCKET_VERSION, "13"));
    }
    let key = headers
        .get(header::SEC_WEBSOCKET_KEY)
        .filter(|key| is_key(key.as_bytes()))
        .ok_or_else(|| bad("a WebSocket upgrade needs a Sec-WebSocket-Key of 16 bytes in base64\n"))?;
    let accept = tungstenite::handshake::derive_accept_key(key.as_bytes());
    Ok(HeaderValue::from_str(&accept).expect("base64 is a valid header value"))
}

/// 16 bytes in base64: 22 characters of the alphabet and `==`.
fn is_key(key: &[u8]) -> bool {
    key.len() == 24
        && key.ends_with(b"==")
        && key[..22]
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'+' || *b == b'/')
}

/// The echo session: every message back, until the client closes (the route contract's
/// `GET /ws/echo`).
pub async fn echo(mut socket: WebSocket) {
    while let Some(message) = socket.recv().await {
        if socket.send(message).await.is_err() {
            return;
        }
    }
}

/// One side of a session: receives the client's messages and sends to it.
pub struct WebSocket {
    state: Arc<Mutex<State>>,
}

/// The session has ended: the connection closed, or a close handshake began.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Closed;

impl std::fmt::Display for Closed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the WebSocket is closed")
    }
}

impl std::error::Error for Closed {}

impl WebSocket {
    /// The next text or binary message; `None` once the client has closed (or the connection is
    /// gone). Pings are answered, and pongs taken, without showing here.
    pub async fn recv(&mut self) -> Option<Message> {
        poll_fn(|_cx| self.poll_recv()).await
    }

    /// [`recv`](Self::recv) as a poll, for a session that waits on something else beside it: ready
    /// with the next message, or `None` once the client has closed. No waker is kept: the connection
    /// polls the session again whenever bytes arrive.
    pub fn poll_recv(&mut self) -> Poll<Option<Message>> {
        let mut state = lock(&self.state);
        match state.inbox.pop_front() {
            Some(message) => Poll::Ready(Some(message)),
            None if state.received_close || state.ended => Poll::Ready(None),
            None => Poll::Pending,
        }
    }

    /// Sends `message`, waiting while more than 64 KiB of earlier messages are not yet written.
    pub async fn send(&mut self, message: Message) -> Result<(), Closed> {
        poll_fn(|_cx| {
            let state = lock(&self.state);
            if state.ended {
                return Poll::Ready(Err(Closed));
            }
            // Polled again by the connection once it has written what is queued.
            if state.io.output.len() > SEND_QUEUE_MAX {
                return Poll::Pending;
            }
            Poll::Ready(Ok(()))
        })
        .await?;
        let mut state = lock(&self.state);
        let State { protocol, io, .. } = &mut *state;
        protocol.write(io, message).map_err(|_| Closed)?;
        protocol.flush(io).map_err(|_| Closed)
    }

    /// Begins the close handshake with `code` (1000: normal) and `reason`; the session ends once the
    /// client answers it.
    pub fn close(&mut self, code: u16, reason: &str) {
        let mut state = lock(&self.state);
        let State { protocol, io, .. } = &mut *state;
        let frame = CloseFrame {
            code: CloseCode::from(code),
            reason: reason.to_owned().into(),
        };
        let _ = protocol.close(io, Some(frame));
        let _ = protocol.flush(io);
    }
}

/// The protocol's state, shared by the session's [`WebSocket`] and the response body that drives it.
struct State {
    protocol: WebSocketContext,
    io: Buffers,
    /// Messages received and not yet taken by [`WebSocket::recv`].
    inbox: VecDeque<Message>,
    /// The client's close frame came: no more messages.
    received_close: bool,
    /// The connection is done with: the close handshake completed, the protocol failed, or the
    /// client went away.
    ended: bool,
}

impl State {
    /// Decodes every complete message in the received bytes.
    fn receive(&mut self) {
        let State {
            protocol, io, inbox, ..
        } = self;
        loop {
            match protocol.read(io) {
                Ok(Message::Close(_)) => self.received_close = true,
                Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_)) => {}
                Ok(message) => inbox.push_back(message),
                Err(WsError::Io(e)) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(WsError::ConnectionClosed | WsError::AlreadyClosed) => {
                    self.ended = true;
                    return;
                }
                Err(e) => return self.fail(&e),
            }
        }
    }

    /// Closes with the code the error calls for (RFC 6455 §7.4.1) and ends the session: after a
    /// protocol failure nothing more the client sends can be trusted.
    fn fail(&mut self, error: &WsError) {
        let code = match error {
            WsError::Utf8(_) => CloseCode::Invalid,
            WsError::Capacity(CapacityError::MessageTooLong { .. } | CapacityError::TooManyHeaders) => {
                CloseCode::Size
            }
            WsError::Protocol(ProtocolError::InvalidCloseSequence) => CloseCode::Protocol,
            _ => CloseCode::Protocol,
        };
        let frame = CloseFrame {
            code,
            reason: "".into(),
        };
        let _ = self.protocol.close(&mut self.io, Some(frame));
        let _ = self.protocol.flush(&mut self.io);
        self.received_close = true;
        self.ended = true;
    }
}

/// The bytes between the codec and the connection: what came in and is not yet decoded, and what
/// the codec wrote and the connection has not yet taken.
#[derive(Default)]
struct Buffers {
    input: Vec<u8>,
    read_at: usize,
    output: Vec<u8>,
}

impl Read for Buffers {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = &self.input[self.read_at..];
        if left.is_empty() {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        let n = left.len().min(buf.len());
        buf[..n].copy_from_slice(&left[..n]);
        self.read_at += n;
        if self.read_at == self.input.len() {
            self.input.clear();
            self.read_at = 0;
        }
        Ok(n)
    }
}

impl Write for Buffers {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.output.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The response body of an accepted upgrade: runs the session, feeds it what the client sends and
/// yields what it sends back.
struct Session {
    state: Arc<Mutex<State>>,
    run: Option<BoxFuture<'static, ()>>,
    /// Graceful shutdown's start, where the server says (see [`ShutdownSignal`]).
    shutdown: Option<BoxFuture<'static, ()>>,
    incoming: Body,
}

impl http_body::Body for Session {
    type Data = Bytes;
    type Error = BodyError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BodyError>>> {
        let this = self.get_mut();
        if let Some(shutdown) = &mut this.shutdown
            && shutdown.as_mut().poll(cx).is_ready()
        {
            // The session ends with the server: close 1001 (going away), then the client's answer.
            this.shutdown = None;
            if this.run.take().is_some() {
                let mut state = lock(&this.state);
                let State { protocol, io, .. } = &mut *state;
                let frame = CloseFrame {
                    code: CloseCode::Away,
                    reason: "server shutting down".into(),
                };
                let _ = protocol.close(io, Some(frame));
            }
        }
        loop {
            if let Some(run) = &mut this.run
                && run.as_mut().poll(cx).is_ready()
            {
                this.run = None;
                let mut state = lock(&this.state);
                let State { protocol, io, .. } = &mut *state;
                let _ = protocol.close(io, None); // the session is over: a normal close (1000)
            }
            {
                let mut state = lock(&this.state);
                let State { protocol, io, .. } = &mut *state;
                if let Err(WsError::ConnectionClosed) = protocol.flush(io) {
                    state.ended = true;
                }
                if !state.io.output.is_empty() {
                    let out = std::mem::take(&mut state.io.output);
                    return Poll::Ready(Some(Ok(Frame::data(Bytes::from(out)))));
                }
                if state.ended {
                    return Poll::Ready(None);
                }
            }
            match Pin::new(&mut this.incoming).poll_frame(cx) {
                Poll::Ready(Some(Ok(frame))) => {
                    if let Ok(data) = frame.into_data() {
                        let mut state = lock(&this.state);
                        state.io.input.extend_from_slice(&data);
                        state.receive();
                    }
                }
                // The client went away (or its side timed out): nothing more to send.
                Poll::Ready(None | Some(Err(_))) => {
                    lock(&this.state).ended = true;
                    return Poll::Ready(None);
                }
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}
