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

use std::cell::Cell;
use std::sync::Arc;
use std::time::Instant;

use bytes::BytesMut;
use http::{HeaderMap, HeaderValue, StatusCode};

use crate::body::{Body, BodyError, Feed};
use crate::message::status_has_body;
use crate::runtime::{put_local, take_local};
use crate::{Request, Response};
use body::{Chunked, Decoded};
use encode::Framing;
use head::{BodyKind, Meta, Upgrade};

#[cfg(feature = "ws")]
pub(crate) use head::tokens;

/// The limits the engine enforces (taken from [`Config`](crate::Config)).
#[derive(Clone, Debug)]
pub struct Limits {
    /// Largest request head, and largest trailer section.
    pub max_header_bytes: usize,
    /// Most header fields (capped at 128).
    pub max_headers: usize,
    /// Largest request body, unless the handler raises it for its request ([`Body::set_limit`]).
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
    /// Serve this request, then answer it: [`Conn::respond`] for a whole body, or
    /// [`Conn::respond_head`], [`Conn::send_data`] and [`Conn::end_body`] for a streamed one. While the
    /// handler runs, [`Conn::pump`] moves the request body to it.
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

/// What [`Conn::pump`] did for a streamed request body.
#[derive(Debug, PartialEq, Eq)]
pub enum Pump {
    /// Nothing to do: the handler is not waiting for body bytes (or the body is over).
    Idle,
    /// The handler was given bytes, the end, or an error: poll it again.
    Fed,
    /// Write any output (`100 Continue`), then read more bytes with the body timeout.
    Read,
}

/// Smallest free space offered for a read; the buffer grows (doubling) as a head or body needs, and
/// a connection's reads between bodies get room for the most that came at once (twice that if it
/// filled its room: a pipelining client has more ready), up to [`READ_ROOM_MAX`]. Small, since a
/// request's head keeps its buffer alive while a handler holds the request: a connection whose
/// handler waits holds this much for its head.
const READ_CHUNK: usize = 512;
/// Room for a typical response head.
const HEAD_ROOM: usize = 256;
/// Most room a read between bodies is given.
const READ_ROOM_MAX: usize = 4 * 1024;
/// Largest buffer an idle connection leaves on its thread for the next one (larger ones are freed).
/// Room for a batch of pipelined responses: 16 plaintext answers (2.2 KB) grow an output buffer to
/// 4.3 KB by doubling, and a 4 KiB limit here freed that buffer after every batch.
const SPARE_MAX: usize = 16 * 1024;

thread_local! {
    /// The buffers last released on this thread ([`Conn::release_buffers`]).
    static SPARE_INPUT: Cell<BytesMut> = Cell::new(BytesMut::new());
    static SPARE_OUTPUT: Cell<Vec<u8>> = const { Cell::new(Vec::new()) };
}

/// Gives back an output buffer a transport took to send (see
/// [`Transport::write_output`](crate::Transport::write_output)), once sent: it is kept, if small,
/// for the next response made on this thread.
pub fn recycle_output(mut buf: Vec<u8>) {
    if buf.capacity() > 0 && buf.capacity() <= SPARE_MAX {
        buf.clear();
        put_local(&SPARE_OUTPUT, buf);
    }
}

/// Largest single read while receiving a big body.
const MAX_READ: usize = 64 * 1024;
/// Most body bytes read and discarded after the response when the handler left its request body
/// unread (Go reads up to 256 KiB); past that the connection closes instead.
const DRAIN_MAX: u64 = 256 * 1024;

enum State {
    /// Waiting for, or parsing, a request head. `Instant`: since when the header-read timeout runs:
    /// the connection's start, or when a head was first found incomplete (taken then, not per read,
    /// so that a request whose head comes whole costs no clock read).
    Head(Option<Instant>),
    /// A request is with the handler; the next call must be `respond` or `respond_head`.
    Handling,
    /// A response head is out; its body goes through `send_data` and `end_body`.
    Sending(Framing),
    /// Discarding the rest of a request body the handler left unread, up to this many more bytes.
    Draining(u64),
    /// No more requests: flush and close.
    Closing,
}

/// The request body still arriving while its request is served.
enum Incoming {
    /// None, or all of it was handed to the handler, or given up on.
    Done,
    Streaming(Box<Streaming>),
}

struct Streaming {
    feed: Arc<Feed>,
    decoder: Decoder,
    /// The client waits for `100 Continue` before sending the body: send it on the first read.
    continue_pending: bool,
}

impl Decoder {
    /// The next body bytes off the front of `input`, the end, or `Ok(None)` when more input is needed.
    fn decode(
        &mut self,
        input: &mut BytesMut,
        max_trailer_bytes: usize,
    ) -> Result<Option<Decoded>, StatusCode> {
        match self {
            Decoder::Length(0) => Ok(Some(Decoded::End)),
            Decoder::Length(left) => {
                let n = usize::try_from(*left).unwrap_or(usize::MAX).min(input.len());
                *left -= n as u64;
                Ok((n > 0).then(|| Decoded::Data(input.split_to(n).freeze())))
            }
            Decoder::Chunked(chunked) => chunked.decode(input, max_trailer_bytes),
            Decoder::Tunnel { open: true } if !input.is_empty() => {
                Ok(Some(Decoded::Data(input.split().freeze())))
            }
            Decoder::Tunnel { .. } => Ok(None),
        }
    }
}

impl Drop for Streaming {
    fn drop(&mut self) {
        // A reader still waiting when the connection ends must not wait forever.
        self.feed.lock().fail(BodyError::Disconnected);
    }
}

enum Decoder {
    /// Bytes of a `Content-Length` body still to come.
    Length(u64),
    Chunked(Chunked),
    /// An upgrade request's body: nothing until its answer switches the connection (`open`), then
    /// every byte the client sends, until it closes.
    Tunnel {
        open: bool,
    },
}

/// One HTTP/1.1 connection's protocol state.
pub struct Conn {
    limits: Limits,
    state: State,
    input: BytesMut,
    read_from: usize,
    /// How much of a head still incomplete was there at the last parse attempt (0: none was made).
    head_scanned: usize,
    /// The least room a read between bodies is given; see [`READ_CHUNK`].
    read_room: usize,
    output: Vec<u8>,
    eof: bool,
    linger: bool,
    /// The request being answered.
    meta: Meta,
    incoming: Incoming,
    /// The request body failed (over its limit, malformed, timed out): this is the answer, whatever
    /// the handler says, and the connection closes.
    body_error: Option<StatusCode>,
    /// Where the response head starts in `output`, while it is not written yet (so an error answer
    /// can still replace it).
    head_at: Option<usize>,
    close_after: bool,
}

impl Conn {
    /// A fresh connection; the first request's header-read timeout runs from now.
    pub fn new(limits: Limits) -> Self {
        Conn {
            limits,
            state: State::Head(Some(Instant::now())),
            input: BytesMut::new(),
            read_from: 0,
            head_scanned: 0,
            read_room: READ_CHUNK,
            output: Vec::new(),
            eof: false,
            linger: false,
            meta: Meta {
                version: http::Version::HTTP_11,
                keep_alive: false,
                head: false,
                upgrade: Upgrade::No,
            },
            incoming: Incoming::Done,
            body_error: None,
            head_at: None,
            close_after: false,
        }
    }

    /// Free space to read into. Pass the number of bytes read to [`filled`](Self::filled).
    pub fn read_buf(&mut self) -> &mut [u8] {
        let want = match &self.incoming {
            Incoming::Streaming(s) => match s.decoder {
                Decoder::Length(n) => usize::try_from(n)
                    .unwrap_or(MAX_READ)
                    .saturating_sub(self.input.len())
                    .clamp(READ_CHUNK, MAX_READ),
                Decoder::Chunked(_) | Decoder::Tunnel { .. } => MAX_READ / 4,
            },
            Incoming::Done => self.read_room,
        };
        if self.input.capacity() == 0 {
            self.input = take_local(&SPARE_INPUT);
        }
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
        if let Incoming::Done = self.incoming {
            // Room for the most that came at once so far (twice the room if it all filled), so that a
            // pipelining client's batch keeps coming in one read even into a fresh buffer.
            let offered = self.input.len() - self.read_from;
            let seen = if n == offered {
                2 * offered
            } else {
                n.next_power_of_two()
            };
            self.read_room = self.read_room.max(seen).min(READ_ROOM_MAX);
        }
        self.input.truncate(self.read_from + n);
        if n == 0 {
            self.eof = true;
        }
    }

    /// Records that a read into [`read_buf`](Self::read_buf) was abandoned before it completed.
    pub fn read_cancelled(&mut self) {
        self.input.truncate(self.read_from);
    }

    /// Advances the protocol: the next request, or what to do to get one.
    pub fn advance(&mut self) -> Next {
        loop {
            let since = match &mut self.state {
                State::Closing => return Next::Close,
                State::Handling | State::Sending(_) => {
                    panic!("Conn::advance called before the previous request was answered")
                }
                State::Draining(_) => match self.drain() {
                    Some(next) => return next,
                    None => continue,
                },
                State::Head(since) => *since,
            };
            if self.input.is_empty() {
                return match (since, self.eof) {
                    (_, true) => Next::Close,
                    (None, false) => Next::Read(Wait::Idle),
                    (Some(at), false) => Next::Read(Wait::Head(at)),
                };
            }
            let parsed = if self.head_may_be_complete() {
                head::parse(&mut self.input, &self.limits)
            } else {
                Ok(None)
            };
            self.head_scanned = match parsed {
                Ok(None) => self.input.len(),
                _ => 0,
            };
            return match parsed {
                Ok(None) if self.eof => self.close(),
                Ok(None) => {
                    let since = since.unwrap_or_else(Instant::now);
                    self.state = State::Head(Some(since));
                    Next::Read(Wait::Head(since))
                }
                Ok(Some(head)) => Next::Request(self.start(head)),
                Err(status) => self.fail(status),
            };
        }
    }

    /// Whether parsing the buffered head may find more than the last attempt did: the first attempt,
    /// or an empty line (the end of the head) among the bytes that came since, or the limit or the
    /// end of the stream reached. Only the new bytes are scanned, so a head trickled in a byte at a
    /// time costs a scan of each byte once, not a parse of the whole head per read.
    fn head_may_be_complete(&self) -> bool {
        let scanned = self.head_scanned.min(self.input.len());
        if scanned == 0 || self.eof || self.input.len() > self.limits.max_header_bytes {
            return true;
        }
        // From two bytes back, so that an end split over two reads (`\n` | `\r\n`) is found.
        let new = &self.input[scanned.saturating_sub(2)..];
        new.iter()
            .enumerate()
            .any(|(i, &b)| b == b'\n' && matches!(&new[i + 1..], [b'\n', ..] | [b'\r', b'\n', ..]))
    }

    /// Moves the request body towards a handler that waits for it: decodes what is buffered, and
    /// asks for a read when nothing is. Call it while the handler (or the response body) is pending
    /// and [`body_wanted`](Self::body_wanted) says so.
    pub fn pump(&mut self) -> Pump {
        let Incoming::Streaming(s) = &mut self.incoming else {
            return Pump::Idle;
        };
        let mut feed = s.feed.lock();
        if let Some(status) = feed.failure() {
            drop(feed);
            return self.body_failed(status);
        }
        if !feed.wants(None) {
            return Pump::Idle;
        }
        let decoded = s.decoder.decode(&mut self.input, self.limits.max_header_bytes);
        let finished_length = matches!(s.decoder, Decoder::Length(0));
        match decoded {
            Ok(Some(Decoded::Data(data))) => {
                if let Err(status) = feed.push(data) {
                    drop(feed);
                    return self.body_failed(status);
                }
                if finished_length {
                    feed.finish();
                    drop(feed);
                    self.incoming = Incoming::Done;
                }
                Pump::Fed
            }
            Ok(Some(Decoded::End)) => {
                feed.finish();
                drop(feed);
                self.incoming = Incoming::Done;
                Pump::Fed
            }
            Ok(None) if self.eof && matches!(s.decoder, Decoder::Tunnel { open: true }) => {
                feed.finish(); // the client closed its side of the switched connection
                drop(feed);
                self.incoming = Incoming::Done;
                Pump::Fed
            }
            Ok(None) if self.eof => {
                feed.fail(BodyError::Disconnected);
                drop(feed);
                self.body_failed(StatusCode::BAD_REQUEST)
            }
            Ok(None) => {
                if std::mem::take(&mut s.continue_pending) {
                    self.output.extend_from_slice(b"HTTP/1.1 100 Continue\r\n\r\n");
                }
                Pump::Read
            }
            Err(status) => {
                feed.fail(if status == StatusCode::PAYLOAD_TOO_LARGE {
                    BodyError::TooLarge
                } else {
                    BodyError::Malformed
                });
                drop(feed);
                self.body_failed(status)
            }
        }
    }

    /// Whether [`pump`](Self::pump) has work: the handler waits for request body bytes. If not, `waker`
    /// is woken when it starts to (the handler may read its body on another thread).
    pub fn body_wanted(&mut self, waker: &std::task::Waker) -> bool {
        match &self.incoming {
            Incoming::Streaming(s) => {
                let mut feed = s.feed.lock();
                feed.wants(Some(waker)) || feed.failure().is_some()
            }
            Incoming::Done => false,
        }
    }

    /// Whether the loop may read ahead (to notice a client that leaves while a response streams):
    /// the peer has not ended its side, and less than one read's worth is buffered.
    pub fn can_read_ahead(&self) -> bool {
        !self.eof && self.input.len() < MAX_READ
    }

    /// Whether the connection has switched to another protocol (a `101`, or a 2xx to `CONNECT`): its
    /// reads then wait as long as an idle connection's, with no minimum rate.
    pub fn switched(&self) -> bool {
        matches!(self.state, State::Sending(Framing::Raw))
    }

    /// Whether the request last returned by [`advance`](Self::advance) asks to switch protocols.
    pub fn may_switch(&self) -> bool {
        self.meta.upgrade != Upgrade::No
    }

    /// Whether a request body is still arriving (so a read may bring its bytes rather than a new request).
    pub fn body_streaming(&self) -> bool {
        matches!(self.incoming, Incoming::Streaming(_))
    }

    /// Answers the request last returned by [`advance`](Self::advance) with a whole response. `close`
    /// forces `Connection: close` (the handler panicked, or the server is shutting down).
    ///
    /// # Panics
    /// If the response body is a stream: use [`respond_head`](Self::respond_head) for those.
    pub fn respond(&mut self, resp: Response, close: bool) {
        let (parts, mut body) = resp.into_inner().into_parts();
        let bytes = body.take_whole().expect("Conn::respond takes whole bodies only");
        self.respond_whole(parts, &bytes, close);
    }

    /// [`respond`](Self::respond) with the response already taken apart. Its header map, once
    /// encoded, is kept for the next response made on this thread.
    pub fn respond_whole(&mut self, parts: http::response::Parts, body: &[u8], close: bool) {
        self.reserve_output(body.len());
        if self.write_head(&parts, Some(body.len() as u64), close) {
            self.output.extend_from_slice(body);
            self.finish();
        }
        crate::message::recycle_headers(parts.headers);
    }

    /// Starts the answer to the request last returned by [`advance`](Self::advance): its head, framed
    /// for a body of `length` bytes (`None`: unknown, so chunked). Returns whether a body follows (not
    /// for `HEAD`, `204`, `304`); if not, the exchange is over. If the request body failed, its error
    /// answer goes out instead, whatever the handler said, and no body follows.
    pub fn respond_head(&mut self, parts: &http::response::Parts, length: Option<u64>, close: bool) -> bool {
        self.reserve_output(0);
        self.write_head(parts, length, close)
    }

    /// [`respond_head`](Self::respond_head) once the output has room.
    fn write_head(&mut self, parts: &http::response::Parts, length: Option<u64>, close: bool) -> bool {
        assert!(
            matches!(self.state, State::Handling),
            "Conn::respond_head called without a request being handled"
        );
        self.note_reader_failure();
        if let Some(status) = self.body_error {
            self.fail(status);
            return false;
        }
        let mut close = close || !self.meta.keep_alive;
        if let Incoming::Streaming(s) = &self.incoming
            && s.feed.lock().dropped()
        {
            // The handler let go of a body it did not read: can it be skipped cheaply afterwards?
            let buffered = self.input.len() as u64;
            close |= s.continue_pending
                || matches!(s.decoder, Decoder::Length(left) if left > buffered + DRAIN_MAX);
        }
        self.head_at = Some(self.output.len());
        let framing = encode::head(
            &mut self.output,
            parts,
            length,
            &self.meta,
            &mut close,
            self.limits.server_header.as_ref(),
        );
        self.close_after = close;
        if let Incoming::Streaming(s) = &mut self.incoming
            && let Decoder::Tunnel { open } = &mut s.decoder
        {
            if framing == Framing::Raw {
                *open = true; // what the client sends from now on is the new protocol's
            } else {
                // Not switched: the request had no body, and what follows is the next request.
                s.feed.lock().finish();
                self.incoming = Incoming::Done;
            }
        }
        if framing == Framing::None {
            self.finish();
            return false;
        }
        self.state = State::Sending(framing);
        true
    }

    /// Makes room for a response head and `body` more bytes at once, rather than growing a fresh
    /// buffer field by field, starting from the thread's spare buffer if the connection holds none.
    fn reserve_output(&mut self, body: usize) {
        if self.output.capacity() == 0 {
            self.output = take_local(&SPARE_OUTPUT);
        }
        self.output.reserve(HEAD_ROOM + body);
    }

    /// Adds response body bytes to the output, framed as the head announced. Fails if they run past
    /// the announced `Content-Length` (the connection must then close).
    pub fn send_data(&mut self, data: &[u8]) -> Result<(), BodyOverrun> {
        self.send_prefix(data.len())?;
        self.output.extend_from_slice(data);
        self.sent_data(data.len());
        Ok(())
    }

    /// Like [`send_data`](Self::send_data) for bytes the caller writes itself, straight after the
    /// output (a large chunk, not copied): frames `len` bytes. Call [`sent_data`](Self::sent_data) after.
    pub fn send_prefix(&mut self, len: usize) -> Result<(), BodyOverrun> {
        match &mut self.state {
            State::Sending(Framing::Length(left)) => {
                *left = left.checked_sub(len as u64).ok_or(BodyOverrun)?;
            }
            State::Sending(Framing::Chunked) if len > 0 => encode::chunk_size(&mut self.output, len),
            State::Sending(_) => {}
            _ => panic!("Conn::send_data called without a response body being sent"),
        }
        Ok(())
    }

    /// Closes the frame of `len` bytes [`send_prefix`](Self::send_prefix) opened, once they are written.
    pub fn sent_data(&mut self, len: usize) {
        if len > 0 && matches!(self.state, State::Sending(Framing::Chunked)) {
            self.output.extend_from_slice(b"\r\n");
        }
    }

    /// Ends the response body (with trailer fields, sent only in the chunked framing). Fails if fewer
    /// bytes were sent than the announced `Content-Length` (the connection then closes).
    pub fn end_body(&mut self, trailers: Option<&HeaderMap>) -> Result<(), BodyOverrun> {
        let State::Sending(framing) = self.state else {
            panic!("Conn::end_body called without a response body being sent");
        };
        match framing {
            Framing::Length(0) | Framing::None | Framing::Close | Framing::Raw => {}
            Framing::Length(_) => {
                self.abort();
                return Err(BodyOverrun);
            }
            Framing::Chunked => encode::last_chunk(&mut self.output, trailers),
        }
        self.finish();
        Ok(())
    }

    /// The response cannot be completed (its producer failed, the client left): close after what is
    /// already in the output.
    pub fn abort(&mut self) {
        self.state = State::Closing;
    }

    /// If the request body failed and the response head is not written yet, replaces the response with
    /// the error answer and returns `true`. The caller then drops the response body.
    pub fn replace_with_body_error(&mut self) -> bool {
        self.note_reader_failure();
        match (self.body_error, self.head_at) {
            (Some(status), Some(at)) => {
                self.output.truncate(at);
                self.state = State::Handling;
                self.fail(status);
                true
            }
            _ => false,
        }
    }

    /// The read timed out. Answers `408` if part of a request had arrived, then closes.
    pub fn timed_out(&mut self) {
        match self.state {
            State::Head(Some(_)) if !self.input.is_empty() => {
                self.fail(StatusCode::REQUEST_TIMEOUT);
            }
            State::Handling | State::Sending(_) if self.body_streaming() => {
                if let Incoming::Streaming(s) = &self.incoming {
                    s.feed.lock().fail(BodyError::TimedOut);
                }
                self.body_failed(StatusCode::REQUEST_TIMEOUT);
            }
            State::Handling | State::Sending(_) => {}
            _ => self.state = State::Closing,
        }
    }

    /// Bytes to write, in request order.
    pub fn output(&self) -> &[u8] {
        &self.output
    }

    /// The buffer behind [`output`](Self::output), for a transport that sends it by taking it (see
    /// [`Transport::write_output`](crate::Transport::write_output)); [`written`](Self::written)
    /// follows.
    pub fn output_buf(&mut self) -> &mut Vec<u8> {
        &mut self.output
    }

    /// Records that all of [`output`](Self::output) was written.
    pub fn written(&mut self) {
        self.output.clear();
        self.head_at = None;
    }

    /// Whether no request is under way: nothing buffered, no response pending. A server shutting down
    /// may close such a connection without losing anything.
    pub fn is_idle(&self) -> bool {
        matches!(self.state, State::Head(None)) && self.input.is_empty() && self.output.is_empty()
    }

    /// Frees the read and write buffers if nothing is in them (the next read allocates afresh), so
    /// that a connection between requests holds only its protocol state.
    ///
    /// The last buffers released on each thread are kept for the next connection there to take, so
    /// that a busy server, whose connections are idle between every two requests, does not pay an
    /// allocation and a free per request for it.
    pub fn release_buffers(&mut self) {
        if self.input.is_empty() && self.input.capacity() > 0 {
            let input = std::mem::take(&mut self.input);
            if input.capacity() <= SPARE_MAX {
                put_local(&SPARE_INPUT, input);
            }
        }
        if self.output.is_empty() {
            recycle_output(std::mem::take(&mut self.output));
        }
    }

    /// Whether the connection is closing after an error answer while the peer may still be sending;
    /// see [`Next::Close`].
    pub fn should_linger(&self) -> bool {
        self.linger
    }

    fn start(&mut self, head: head::Head) -> Request {
        self.meta = head.meta;
        self.body_error = None;
        self.state = State::Handling;
        let limit = self.limits.max_body_bytes as u64;
        let decoder = match head.body {
            BodyKind::Empty if head.meta.upgrade != Upgrade::No => Decoder::Tunnel { open: false },
            BodyKind::Empty => return Request::from_parts(head.request, Body::empty()),
            // The fast path: the whole body came with the head.
            BodyKind::Length(n) if n <= limit && self.input.len() as u64 >= n => {
                let body = self.input.split_to(n as usize).freeze();
                return Request::from_parts(head.request, Body::full(body));
            }
            BodyKind::Length(n) => Decoder::Length(n),
            BodyKind::Chunked => Decoder::Chunked(Chunked::new()),
        };
        let (limit, declared) = match decoder {
            Decoder::Length(n) => (limit, Some(n)),
            Decoder::Chunked(_) => (limit, None),
            // A switched connection's stream has no total: it is not a body held whole.
            Decoder::Tunnel { .. } => (u64::MAX, None),
        };
        let feed = Feed::new(limit, declared);
        self.incoming = Incoming::Streaming(Box::new(Streaming {
            feed: Arc::clone(&feed),
            decoder,
            continue_pending: head.expect_continue,
        }));
        Request::from_parts(head.request, Body::incoming(feed))
    }

    /// The exchange is over: next request, draining what the handler left of its body, or close.
    fn finish(&mut self) {
        if let Incoming::Streaming(s) = &self.incoming {
            // Whoever still holds the body gets no more of it.
            s.feed.lock().fail(BodyError::Disconnected);
        }
        self.state = if self.close_after {
            // The client may still be sending the body nobody read: let it see the answer first.
            self.linger |= self.body_streaming() && !self.eof;
            State::Closing
        } else if self.body_streaming() {
            State::Draining(DRAIN_MAX)
        } else {
            State::Head(None)
        };
    }

    /// Discards request body bytes the handler left unread. `None` when the body is over and the next
    /// request may be parsed.
    fn drain(&mut self) -> Option<Next> {
        loop {
            let Incoming::Streaming(s) = &mut self.incoming else {
                self.state = State::Head(None);
                return None;
            };
            if s.continue_pending {
                // The client may never send the body it announced: nothing after it can be trusted
                // to start a request.
                return Some(self.close_lingering());
            }
            let decoded = s.decoder.decode(&mut self.input, self.limits.max_header_bytes);
            let State::Draining(budget) = &mut self.state else {
                unreachable!()
            };
            match decoded {
                Ok(Some(Decoded::End)) => self.incoming = Incoming::Done,
                Ok(Some(Decoded::Data(data))) => match budget.checked_sub(data.len() as u64) {
                    Some(left) => *budget = left,
                    None => return Some(self.close_lingering()),
                },
                Ok(None) if self.eof => return Some(self.close()),
                Ok(None) => return Some(Next::Read(Wait::Body)),
                Err(_) => return Some(self.close_lingering()),
            }
        }
    }

    /// Takes over an error the body's reader ran into by itself (a declared length over its limit).
    fn note_reader_failure(&mut self) {
        if let Incoming::Streaming(s) = &self.incoming {
            let failure = s.feed.lock().failure();
            if let Some(status) = failure {
                self.body_failed(status);
            }
        }
    }

    fn body_failed(&mut self, status: StatusCode) -> Pump {
        self.body_error.get_or_insert(status);
        self.incoming = Incoming::Done;
        self.input = BytesMut::new();
        Pump::Fed
    }

    /// Answers an unusable request with `status` and closes: after a framing error the rest of the
    /// stream cannot be trusted to start at a request boundary.
    fn fail(&mut self, status: StatusCode) -> Next {
        let meta = Meta {
            version: http::Version::HTTP_11,
            keep_alive: false,
            head: false,
            upgrade: Upgrade::No,
        };
        let (parts, _) = Response::status(status).into_inner().into_parts();
        let reason = status.canonical_reason().unwrap_or("").as_bytes();
        let mut close = true;
        encode::head(
            &mut self.output,
            &parts,
            Some(reason.len() as u64),
            &meta,
            &mut close,
            self.limits.server_header.as_ref(),
        );
        if status_has_body(status) {
            self.output.extend_from_slice(reason);
        }
        self.incoming = Incoming::Done;
        self.input = BytesMut::new();
        self.close_lingering()
    }

    fn close_lingering(&mut self) -> Next {
        self.linger = !self.eof;
        self.close()
    }

    fn close(&mut self) -> Next {
        self.state = State::Closing;
        Next::Close
    }

    /// Bytes buffered for the connection (for memory accounting in tests).
    #[doc(hidden)]
    pub fn buffered(&self) -> usize {
        self.input.capacity()
    }
}

/// A response body produced more, or fewer, bytes than its `Content-Length` said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyOverrun;

#[cfg(test)]
mod tests;
