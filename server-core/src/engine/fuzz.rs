//! Fuzzing harnesses for the engine: the cargo-fuzz targets in `server-core/fuzz/` call these, and
//! `engine::tests` replays the committed corpus through them, so every crash found becomes a
//! regression test. Each harness checks properties, not just the absence of panics:
//!
//! - the same bytes give the same requests and answers however the reads split them;
//! - the output is a sequence of well-formed responses, one per request, at most one error, last;
//! - the engine's buffers stay within what [`Limits`] allow;
//! - every call makes progress (no request loop without input);
//! - a response body reads back as the frames that were sent, in whichever framing the head announced.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use bytes::Bytes;
use http::Method;

use super::{Conn, Limits, MAX_READ, Next, Pump};
use crate::{Body, BodyError, Response};

/// Arbitrary bytes split into arbitrary reads under arbitrary limits.
///
/// Layout: 8 bytes of parameters (limits and the split seed), then the stream.
pub fn stream(data: &[u8]) {
    let Some((params, stream)) = data.split_first_chunk::<8>() else {
        return;
    };
    let limits = limits(params);
    let seed = u32::from_le_bytes([params[4], params[5], params[6], params[7]]);
    check_split_invariant(stream, &limits, seed);
}

/// Well-formed requests (GET, POST with a body, chunked POST) then garbage: every well-formed request
/// before the garbage is served, in order, with its body.
///
/// Layout: 8 bytes of parameters, then a program: each byte picks the next piece and the bytes after
/// it fill that piece in.
pub fn pipeline(data: &[u8]) {
    let Some((params, program)) = data.split_first_chunk::<8>() else {
        return;
    };
    let limits = Limits {
        max_body_bytes: 64 * 1024,
        max_header_bytes: 8 * 1024,
        max_headers: 100,
        ..limits(params)
    };
    let mut bytes = Input(program);
    let mut wire = Vec::new();
    let mut expected = Vec::new();
    let mut clean = true;
    while let Some(op) = bytes.byte() {
        let path = format!("/p{}", bytes.byte().unwrap_or(0));
        match op % 8 {
            0..=3 => {
                wire.extend_from_slice(format!("GET {path} HTTP/1.1\r\nHost: f\r\n\r\n").as_bytes());
                expected.push(Seen::new(Method::GET, &path, b""));
            }
            4 | 5 => {
                let body = bytes.sized(1);
                let head = format!(
                    "POST {path} HTTP/1.1\r\nHost: f\r\nContent-Length: {}\r\n\r\n",
                    body.len()
                );
                wire.extend_from_slice(head.as_bytes());
                wire.extend_from_slice(body);
                expected.push(Seen::new(Method::POST, &path, body));
            }
            6 => {
                let body = bytes.sized(1);
                wire.extend_from_slice(
                    format!("POST {path} HTTP/1.1\r\nHost: f\r\nTransfer-Encoding: chunked\r\n\r\n")
                        .as_bytes(),
                );
                encode_chunked(&mut wire, body, &mut bytes);
                expected.push(Seen::new(Method::POST, &path, body));
            }
            _ => {
                // Garbage: whatever follows may or may not parse; only the prefix is checked.
                clean = false;
                wire.extend_from_slice(bytes.sized(1));
            }
        }
        if !clean {
            break;
        }
    }
    let seed = u32::from_le_bytes([params[4], params[5], params[6], params[7]]);
    let outcome = check_split_invariant(&wire, &limits, seed);
    assert!(
        outcome.requests.len() >= expected.len() && outcome.requests[..expected.len()] == expected[..],
        "well-formed requests lost or changed: sent {expected:?}, served {:?}",
        outcome.requests
    );
    if clean {
        assert_eq!(outcome.requests.len(), expected.len());
        assert!(
            outcome.error.is_none(),
            "error {:?} for well-formed input",
            outcome.error
        );
    }
}

/// One chunked POST with arbitrary chunk sizes, extensions and trailers, optionally with one byte
/// overwritten: intact, it is served with exactly its body (or 413 past the limit); damaged, it is
/// served or refused, consistently however it is split.
///
/// Layout: 8 bytes of parameters, a damage byte pair, then the body and chunking choices.
pub fn chunked(data: &[u8]) {
    let Some((params, rest)) = data.split_first_chunk::<8>() else {
        return;
    };
    let Some(([damage_at, damage], rest)) = rest.split_first_chunk::<2>().map(|(d, r)| (*d, r)) else {
        return;
    };
    let limits = Limits {
        max_header_bytes: 8 * 1024,
        max_headers: 100,
        ..limits(params)
    };
    let mut bytes = Input(rest);
    let body = bytes.sized(8);
    let mut wire = b"POST /c HTTP/1.1\r\nHost: f\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    encode_chunked(&mut wire, body, &mut bytes);
    let damaged = damage_at != 0;
    if damaged {
        let at = usize::from(damage_at) * wire.len() / 256;
        wire[at] = damage;
    }
    let seed = u32::from_le_bytes([params[4], params[5], params[6], params[7]]);
    let outcome = check_split_invariant(&wire, &limits, seed);
    if !damaged {
        if body.len() <= limits.max_body_bytes {
            assert_eq!(outcome.requests, [Seen::new(Method::POST, "/c", body)]);
            assert_eq!(outcome.error, None);
        } else {
            assert!(outcome.requests.is_empty());
            assert_eq!(outcome.error, Some(413));
        }
    }
}

/// A response body framed by the engine from arbitrary frames, with its length unknown (chunked, or
/// close-delimited for HTTP/1.0), declared right, or declared one byte off: what is written parses back
/// (the head with httparse, a chunked body with the engine's own decoder) to exactly the bytes sent,
/// and a body that runs past or short of its declared length is refused, never framed as complete.
/// Frames alternate between the copied path (`send_data`) and the direct one (`send_prefix`, the
/// caller's own write, `sent_data`).
///
/// Layout: a mode byte (bit 0: HTTP/1.0; bits 1–2: unknown, right, one over, one short), then frames,
/// each a length byte and that many bytes.
pub fn encode(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let mut bytes = Input(rest);
    let mut frames = Vec::new();
    while let Some(len) = bytes.byte() {
        frames.push(bytes.take(usize::from(len)));
    }
    let body: Vec<u8> = frames.concat();
    let total = body.len() as u64;
    let http10 = mode & 1 == 1;
    let declared = match (mode >> 1) & 3 {
        0 => None,
        1 => Some(total),
        2 => Some(total + 1),
        _ => total.checked_sub(1),
    };
    let mut conn = Conn::new(Limits {
        server_header: None,
        ..Limits::default()
    });
    let request: &[u8] = if http10 {
        b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
    } else {
        b"GET / HTTP/1.1\r\nHost: f\r\n\r\n"
    };
    conn.read_buf()[..request.len()].copy_from_slice(request);
    conn.filled(request.len());
    let Next::Request(_) = conn.advance() else {
        panic!("a well-formed request")
    };
    let (parts, _) = Response::new(http::StatusCode::OK).into_inner().into_parts();
    assert!(
        conn.respond_head(&parts, declared, false),
        "a 200 to a GET has a body"
    );
    let mut wire = Vec::new();
    let mut accepted = true;
    for (i, frame) in frames.iter().enumerate() {
        let sent = if i % 2 == 0 {
            conn.send_data(frame)
        } else {
            conn.send_prefix(frame.len()).map(|()| {
                wire.extend_from_slice(conn.output());
                conn.written();
                wire.extend_from_slice(frame);
                conn.sent_data(frame.len());
            })
        };
        if sent.is_err() {
            accepted = false;
            break;
        }
    }
    let ended = accepted && conn.end_body(None).is_ok();
    wire.extend_from_slice(conn.output());
    if declared.is_some_and(|n| n != total) {
        assert!(
            !ended,
            "a body of {total} bytes was framed as complete under a length of {declared:?}"
        );
        return;
    }
    assert!(ended, "a body matching its framing was refused");
    let mut headers = [httparse::EMPTY_HEADER; 16];
    let mut response = httparse::Response::new(&mut headers);
    let Ok(httparse::Status::Complete(head_len)) = response.parse(&wire) else {
        panic!("malformed head: {:?}", String::from_utf8_lossy(&wire));
    };
    let field = |name: &str| {
        response
            .headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| std::str::from_utf8(h.value).unwrap().to_owned())
    };
    let received = match (field("content-length"), field("transfer-encoding")) {
        (Some(length), None) => {
            assert_eq!(length.parse::<u64>().unwrap(), total);
            wire[head_len..].to_vec()
        }
        (None, Some(coding)) => {
            assert_eq!(coding, "chunked");
            assert!(!http10, "chunked to an HTTP/1.0 client");
            let mut input = bytes::BytesMut::from(&wire[head_len..]);
            let mut chunked = super::body::Chunked::new();
            let mut out = Vec::new();
            loop {
                match chunked.decode(&mut input, 1024) {
                    Ok(Some(super::body::Decoded::Data(data))) => out.extend_from_slice(&data),
                    Ok(Some(super::body::Decoded::End)) => break,
                    other => panic!("chunked framing does not decode: {other:?}"),
                }
            }
            assert!(input.is_empty(), "bytes after the last chunk");
            out
        }
        (None, None) => {
            assert!(http10, "a body without framing to an HTTP/1.1 client");
            assert_eq!(
                field("connection").as_deref(),
                Some("close"),
                "close-delimited without a close"
            );
            wire[head_len..].to_vec()
        }
        both => panic!("both framings: {both:?}"),
    };
    assert!(
        received == body,
        "the body read back differs from the frames sent"
    );
}

/// Limits from four parameter bytes: small enough that fuzzed input reaches every one of them.
fn limits(params: &[u8; 8]) -> Limits {
    Limits {
        max_header_bytes: 64 + usize::from(params[0]) * 64,
        max_headers: 1 + usize::from(params[1] % 128),
        max_body_bytes: usize::from(params[2]) * 64 + usize::from(params[3]),
        server_header: None,
    }
}

/// Chunks `body` with sizes, extensions and trailers chosen by `bytes`.
fn encode_chunked(wire: &mut Vec<u8>, mut body: &[u8], bytes: &mut Input<'_>) {
    while !body.is_empty() {
        let choice = bytes.byte().unwrap_or(0);
        let size = (usize::from(choice & 0x3f) + 1).min(body.len());
        let (chunk, rest) = body.split_at(size);
        let hex = if choice & 0x40 != 0 {
            format!("{size:X}")
        } else {
            format!("{size:x}")
        };
        wire.extend_from_slice(hex.as_bytes());
        if choice & 0x80 != 0 {
            wire.extend_from_slice(b";ext=\"v\"");
        }
        wire.extend_from_slice(b"\r\n");
        wire.extend_from_slice(chunk);
        wire.extend_from_slice(b"\r\n");
        body = rest;
    }
    wire.extend_from_slice(b"0\r\n");
    if bytes.byte().is_some_and(|b| b & 1 == 1) {
        wire.extend_from_slice(b"Trailer-Field: x\r\n");
    }
    wire.extend_from_slice(b"\r\n");
}

/// Reads bytes off the front of the fuzzer's input.
struct Input<'a>(&'a [u8]);

impl<'a> Input<'a> {
    fn byte(&mut self) -> Option<u8> {
        let (&first, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(first)
    }

    /// A length byte (times `unit`), then that many bytes.
    fn sized(&mut self, unit: usize) -> &'a [u8] {
        let len = usize::from(self.byte().unwrap_or(0)) * unit;
        self.take(len)
    }

    fn take(&mut self, n: usize) -> &'a [u8] {
        let (taken, rest) = self.0.split_at(n.min(self.0.len()));
        self.0 = rest;
        taken
    }
}

/// A request as the handler saw it.
#[derive(Debug, PartialEq)]
struct Seen {
    method: Method,
    target: String,
    body: Bytes,
}

impl Seen {
    fn new(method: Method, target: &str, body: &[u8]) -> Seen {
        Seen {
            method,
            target: target.to_owned(),
            body: Bytes::copy_from_slice(body),
        }
    }
}

#[derive(Debug, PartialEq)]
struct Outcome {
    requests: Vec<Seen>,
    /// The error status the engine answered with before closing, if any.
    error: Option<u16>,
}

/// Drives `stream` through the engine twice, in the largest reads it offers and in reads split by
/// `seed`, checks each run, and asserts that both saw the same.
fn check_split_invariant(stream: &[u8], limits: &Limits, seed: u32) -> Outcome {
    let whole = drive(stream, limits, |_| usize::MAX);
    let mut state = seed | 1;
    let split = drive(stream, limits, |offered| {
        // xorshift32: a reproducible sequence of read sizes from 1 to the space offered.
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        1 + state as usize % offered.clamp(1, 300)
    });
    assert_eq!(whole, split, "the read boundaries changed what the engine did");
    whole
}

/// Feeds `stream` in reads of at most `read_size(offered)` bytes, answering every request, then EOF;
/// checks progress, the memory bound and the responses written.
fn drive(stream: &[u8], limits: &Limits, mut read_size: impl FnMut(usize) -> usize) -> Outcome {
    let mut conn = Conn::new(limits.clone());
    let mut rest = stream;
    let mut requests = Vec::new();
    let mut output = Vec::new();
    // Every pass either consumes input, ends the stream or serves a request made of consumed input.
    let mut passes = 0;
    let memory_bound = 4 * (limits.max_header_bytes + limits.max_body_bytes) + 2 * MAX_READ;
    let mut read = |conn: &mut Conn| {
        passes += 1;
        assert!(passes <= 4 * stream.len() + 16, "no progress");
        output.extend_from_slice(conn.output());
        conn.written();
        let buf = conn.read_buf();
        let n = read_size(buf.len()).min(buf.len()).min(rest.len());
        buf[..n].copy_from_slice(&rest[..n]);
        conn.filled(n);
        rest = &rest[n..];
        assert!(
            conn.buffered() <= memory_bound,
            "{} bytes buffered, over the bound of {memory_bound}",
            conn.buffered()
        );
    };
    loop {
        match conn.advance() {
            Next::Request(req) => {
                let (parts, body) = req.into_parts();
                assert!(
                    parts.headers.len() <= limits.max_headers,
                    "too many fields served"
                );
                // A body that fails (over the limit, malformed) gets its error answer, whatever the
                // handler says: only a request whose body arrived whole counts as served.
                if let Ok(body) = collect_sync(&mut conn, body, &mut read) {
                    assert!(body.len() <= limits.max_body_bytes, "body over the limit served");
                    requests.push(Seen {
                        method: parts.method.clone(),
                        target: parts.uri.to_string(),
                        body,
                    });
                }
                conn.respond(Response::text("ok"), false);
            }
            Next::Read(_) => read(&mut conn),
            Next::Close => break,
        }
    }
    output.extend_from_slice(conn.output());
    let error = check_responses(&output, requests.len());
    Outcome { requests, error }
}

/// Reads a request body to its end without a runtime, as the connection loop does: polls the body,
/// pumps the engine, and calls `read` whenever the engine needs bytes (after writing its output).
pub(crate) fn collect_sync(
    conn: &mut Conn,
    body: Body,
    mut read: impl FnMut(&mut Conn),
) -> Result<Bytes, BodyError> {
    let mut collect = pin!(body.collect());
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(out) = collect.as_mut().poll(&mut cx) {
            return out;
        }
        match conn.pump() {
            Pump::Fed => {}
            Pump::Read => read(conn),
            Pump::Idle => panic!("the body waits for bytes but the engine has nothing to do"),
        }
    }
}

/// The written bytes are well-formed responses: one `200 ok` per request served (after any
/// `100 Continue`), and at most one error answer, last. Returns that error's status.
fn check_responses(mut output: &[u8], served: usize) -> Option<u16> {
    let mut ok = 0;
    let mut error = None;
    while !output.is_empty() {
        assert!(error.is_none(), "a response after the error answer");
        let mut headers = [httparse::EMPTY_HEADER; 16];
        let mut response = httparse::Response::new(&mut headers);
        let Ok(httparse::Status::Complete(len)) = response.parse(output) else {
            panic!("malformed response: {:?}", String::from_utf8_lossy(output));
        };
        let status = response.code.expect("complete");
        let body_len = response
            .headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case("content-length"))
            .map_or(0, |h| {
                std::str::from_utf8(h.value).unwrap().parse::<usize>().unwrap()
            });
        match status {
            100 => assert_eq!(body_len, 0),
            200 => ok += 1,
            400..=599 => error = Some(status),
            other => panic!("unexpected status {other}"),
        }
        output = &output[len + body_len..];
    }
    assert_eq!(ok, served, "one 200 per request served");
    error
}
