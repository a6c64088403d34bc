//! The sans-IO HTTP/1.1 connection engine every backend drives.
//!
//! Bytes read go in ([`Conn::read_buf`] then [`Conn::filled`]); complete requests come out
//! ([`Conn::advance`], several per read when the client pipelines); responses go in ([`Conn::respond`],
//! in the order the requests came out); bytes to write come out ([`Conn::output`]), all responses to
//! one read batched into one buffer so that N pipelined requests cost one write.
//!
//! The engine makes every protocol decision (framing, keep-alive, `Expect: 100-continue`, `HEAD`,
//! errors), so no backend can drift from another. Its memory is bounded by [`Limits`] whatever the
//! peer sends: the read buffer never holds more than one head (`max_header_bytes`) plus one body
//! (`max_body_bytes`) plus one read.
//!
//! Split by concern, like hyper's `proto/h1`: `head.rs` parses and validates request heads, `body.rs`
//! decodes chunked bodies, `encode.rs` writes responses, `date.rs` caches the `Date` value.

mod body;
mod date;
mod encode;
#[cfg(any(test, feature = "fuzzing"))]
#[doc(hidden)]
pub mod fuzz;
mod head;

use std::time::Instant;

use bytes::{Bytes, BytesMut};
use http::{HeaderValue, StatusCode};

use crate::{Request, Response};
use body::Chunked;
use head::{BodyKind, Meta};

/// The limits the engine enforces (taken from [`Config`](crate::Config)).
#[derive(Clone, Debug)]
pub struct Limits {
    /// Largest request head, and largest trailer section.
    pub max_header_bytes: usize,
    /// Most header fields (capped at 128).
    pub max_headers: usize,
    /// Largest request body.
    pub max_body_bytes: usize,
    /// `Server` header value added to responses.
    pub server_header: Option<HeaderValue>,
}

impl Default for Limits {
    fn default() -> Self {
        crate::Config::default().limits()
    }
}

/// What the driver should do next.
// `Request` is large, but it is moved once per request; boxing it would cost an allocation each time.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Next {
    /// Serve this request, then pass the response to [`Conn::respond`].
    Request(Request),
    /// Write any [`output`](Conn::output), then read more bytes, waiting at most as `Wait` says.
    Read(Wait),
    /// Write any output, then close the connection. If [`Conn::should_linger`], drain the peer's
    /// remaining input briefly first, so that it reads the error response before seeing a reset.
    Close,
}

/// Which timeout governs the next read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wait {
    /// Between requests on a keep-alive connection: `idle_timeout`.
    Idle,
    /// Receiving a request head that began at the given instant: `header_read_timeout` from then.
    Head(Instant),
    /// Receiving a request body: `body_read_timeout` for the next bytes.
    Body,
}

/// Smallest free space offered for a read; the buffer grows (doubling) as a head or body needs.
const READ_CHUNK: usize = 1024;
/// Largest single read while receiving a big body.
const MAX_READ: usize = 64 * 1024;

enum State {
    /// Waiting for, or parsing, a request head. `Instant`: when it began, if it has.
    Head(Option<Instant>),
    /// Head parsed, body incomplete. Boxed: it is the rare state, and inline it would make every
    /// connection's state as large as a request head.
    Body(Box<Pending>),
    /// A request is with the handler; the next call must be `respond`.
    Handling(Meta),
    /// No more requests: flush and close.
    Closing,
}

struct Pending {
    request: http::request::Parts,
    meta: Meta,
    body: Body,
}

enum Body {
    Length(usize),
    Chunked(Chunked),
}

/// One HTTP/1.1 connection's protocol state.
pub struct Conn {
    limits: Limits,
    state: State,
    input: BytesMut,
    read_from: usize,
    output: Vec<u8>,
    eof: bool,
    linger: bool,
}

impl Conn {
    /// A fresh connection; the first request's header-read timeout runs from now.
    pub fn new(limits: Limits) -> Self {
        Conn {
            limits,
            state: State::Head(Some(Instant::now())),
            input: BytesMut::new(),
            read_from: 0,
            output: Vec::new(),
            eof: false,
            linger: false,
        }
    }

    /// Free space to read into. Pass the number of bytes read to [`filled`](Self::filled).
    pub fn read_buf(&mut self) -> &mut [u8] {
        let want = match &self.state {
            State::Body(pending) => match pending.body {
                Body::Length(n) => n.saturating_sub(self.input.len()).clamp(READ_CHUNK, MAX_READ),
                Body::Chunked(_) => MAX_READ / 4,
            },
            _ => READ_CHUNK,
        };
        if self.input.capacity() - self.input.len() < want {
            self.input.reserve(want.max(self.input.len()));
        }
        self.read_from = self.input.len();
        let spare = self.input.capacity() - self.read_from;
        self.input.resize(self.read_from + spare.min(MAX_READ), 0);
        &mut self.input[self.read_from..]
    }

    /// Records that `n` bytes were read into [`read_buf`](Self::read_buf); `0` means the peer will
    /// send no more (EOF). Requests already received are still served.
    pub fn filled(&mut self, n: usize) {
        self.input.truncate(self.read_from + n);
        if n == 0 {
            self.eof = true;
        } else if let State::Head(since @ None) = &mut self.state {
            *since = Some(Instant::now());
        }
    }

    /// Advances the protocol: the next request, or what to do to get one.
    pub fn advance(&mut self) -> Next {
        let result = match &mut self.state {
            State::Closing => return Next::Close,
            State::Handling(_) => panic!("Conn::advance called before the previous request was answered"),
            State::Head(since) => {
                if self.input.is_empty() {
                    return match (*since, self.eof) {
                        (_, true) => Next::Close,
                        (None, false) => Next::Read(Wait::Idle),
                        (Some(at), false) => Next::Read(Wait::Head(at)),
                    };
                }
                let since = since.unwrap_or_else(Instant::now);
                match head::parse(&mut self.input, &self.limits) {
                    Ok(None) if self.eof => return self.close(),
                    Ok(None) => return Next::Read(Wait::Head(since)),
                    Ok(Some(head)) => self.start_body(head),
                    Err(status) => Err(status),
                }
            }
            State::Body(_) => self.continue_body(),
        };
        match result {
            Ok(Some(request)) => Next::Request(request),
            Ok(None) if self.eof => self.close(),
            Ok(None) => Next::Read(Wait::Body),
            Err(status) => self.fail(status),
        }
    }

    /// Answers the request last returned by [`advance`](Self::advance). `close` forces `Connection: close`
    /// (the handler panicked, or the server is shutting down).
    pub fn respond(&mut self, resp: Response, close: bool) {
        let State::Handling(meta) = self.state else {
            panic!("Conn::respond called without a request being handled");
        };
        let close = close || !meta.keep_alive || wants_close(&resp);
        encode::response(
            &mut self.output,
            resp,
            &meta,
            close,
            self.limits.server_header.as_ref(),
        );
        self.state = if close {
            State::Closing
        } else {
            State::Head((!self.input.is_empty()).then(Instant::now))
        };
    }

    /// The read timed out. Answers `408` if part of a request had arrived, then closes.
    pub fn timed_out(&mut self) {
        match self.state {
            State::Head(Some(_)) if !self.input.is_empty() => {
                self.fail(StatusCode::REQUEST_TIMEOUT);
            }
            State::Body(_) => {
                self.fail(StatusCode::REQUEST_TIMEOUT);
            }
            _ => self.state = State::Closing,
        }
    }

    /// Bytes to write, in request order.
    pub fn output(&self) -> &[u8] {
        &self.output
    }

    /// Records that all of [`output`](Self::output) was written.
    pub fn written(&mut self) {
        self.output.clear();
    }

    /// Whether no request is under way: nothing buffered, no response pending. A server shutting down
    /// may close such a connection without losing anything.
    pub fn is_idle(&self) -> bool {
        matches!(self.state, State::Head(None)) && self.input.is_empty() && self.output.is_empty()
    }

    /// Whether the connection is closing after an error answer while the peer may still be sending;
    /// see [`Next::Close`].
    pub fn should_linger(&self) -> bool {
        self.linger
    }

    fn start_body(&mut self, head: head::Head) -> Result<Option<Request>, StatusCode> {
        let body = match head.body {
            BodyKind::Empty => return Ok(Some(self.handing_out(head.request, head.meta, Bytes::new()))),
            BodyKind::Length(n) if n > self.limits.max_body_bytes as u64 => {
                return Err(StatusCode::PAYLOAD_TOO_LARGE);
            }
            BodyKind::Length(n) => Body::Length(n as usize),
            BodyKind::Chunked => Body::Chunked(Chunked::new()),
        };
        let complete = matches!(body, Body::Length(n) if self.input.len() >= n);
        if head.expect_continue && !complete {
            self.output.extend_from_slice(b"HTTP/1.1 100 Continue\r\n\r\n");
        }
        self.state = State::Body(Box::new(Pending {
            request: head.request,
            meta: head.meta,
            body,
        }));
        self.continue_body()
    }

    fn continue_body(&mut self) -> Result<Option<Request>, StatusCode> {
        let State::Body(pending) = &mut self.state else {
            unreachable!("continue_body outside a body")
        };
        let bytes = match &mut pending.body {
            Body::Length(n) if self.input.len() >= *n => self.input.split_to(*n).freeze(),
            Body::Length(_) => return Ok(None),
            Body::Chunked(chunked) => {
                let max_body = self.limits.max_body_bytes;
                match chunked.decode(&mut self.input, max_body, self.limits.max_header_bytes)? {
                    Some(body) => body.freeze(),
                    None => return Ok(None),
                }
            }
        };
        let State::Body(pending) = std::mem::replace(&mut self.state, State::Closing) else {
            unreachable!()
        };
        Ok(Some(self.handing_out(pending.request, pending.meta, bytes)))
    }

    fn handing_out(&mut self, request: http::request::Parts, meta: Meta, body: Bytes) -> Request {
        self.state = State::Handling(meta);
        Request::from_parts(request, body)
    }

    /// Answers an unusable request with `status` and closes: after a framing error the rest of the
    /// stream cannot be trusted to start at a request boundary.
    fn fail(&mut self, status: StatusCode) -> Next {
        let meta = Meta {
            version: http::Version::HTTP_11,
            keep_alive: false,
            head: false,
        };
        encode::response(
            &mut self.output,
            Response::status(status),
            &meta,
            true,
            self.limits.server_header.as_ref(),
        );
        self.input = BytesMut::new();
        self.linger = !self.eof;
        self.state = State::Closing;
        Next::Close
    }

    fn close(&mut self) -> Next {
        self.state = State::Closing;
        Next::Close
    }

    /// Decoded body bytes buffered for a request not yet complete (for memory accounting in tests).
    #[doc(hidden)]
    pub fn buffered(&self) -> usize {
        let decoded = match &self.state {
            State::Body(pending) => match &pending.body {
                Body::Chunked(c) => c.buffered(),
                Body::Length(_) => 0,
            },
            _ => 0,
        };
        self.input.capacity() + decoded
    }
}

/// Whether the handler asked for the connection to close.
fn wants_close(resp: &Response) -> bool {
    resp.headers().get_all(http::header::CONNECTION).iter().any(|v| {
        v.as_bytes()
            .split(|&b| b == b',')
            .any(|t| t.trim_ascii().eq_ignore_ascii_case(b"close"))
    })
}

#[cfg(test)]
mod tests;
