//! Parsing a request head: request line and header fields, with every validation that keeps a
//! request unambiguous (no smuggling) and bounded.

use std::cell::Cell;
use std::mem::MaybeUninit;

use bytes::BytesMut;
use http::header::{self, HeaderName};
use http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, Version};

use super::Limits;
use crate::runtime::{put_local, take_local};

/// Header fields the parser has room for. `Config::max_headers` above this is capped to it.
pub(crate) const HEADER_CAP: usize = 128;

/// How the request's body is delimited (RFC 9112 §6.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BodyKind {
    Empty,
    Length(u64),
    Chunked,
}

/// What the engine remembers of a request to answer it correctly.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Meta {
    pub version: Version,
    pub keep_alive: bool,
    pub head: bool,
    /// What answer hands the connection over, if the request asks for that (and has no body).
    pub upgrade: Upgrade,
}

/// Whether a request may end HTTP on its connection, and with which answer (RFC 9110 §7.8, §9.3.6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Upgrade {
    No,
    /// `Connection: upgrade` and an `Upgrade` field: a `101 Switching Protocols` answer switches.
    Protocol,
    /// `CONNECT`: a 2xx answer makes the connection a tunnel.
    Connect,
}

impl Upgrade {
    /// Whether an answer with `status` switches the connection to the new protocol.
    pub fn switches(self, status: StatusCode) -> bool {
        match self {
            Upgrade::No => false,
            Upgrade::Protocol => status == StatusCode::SWITCHING_PROTOCOLS,
            Upgrade::Connect => status.is_success(),
        }
    }
}

pub(crate) struct Head {
    pub request: http::request::Parts,
    pub meta: Meta,
    pub body: BodyKind,
    pub expect_continue: bool,
}

/// Header slots on the stack for the first parse attempt. A stackful coroutine keeps every stack
/// page it has ever touched, so a 4 KiB array of 128 slots would cost each connection a page; a
/// request with more fields than this is scanned again with slots on the heap.
const STACK_SLOTS: usize = 24;

/// A head's field names, each with where its value is in the buffer.
type Names = Vec<(HeaderName, (usize, usize))>;

thread_local! {
    /// Every request needs a list of its field names until the head is frozen: one per thread is
    /// reused rather than one allocated per request.
    static NAMES: Cell<Names> = const { Cell::new(Vec::new()) };
}

/// What scanning the head found (its field names aside), as offsets into the buffer.
struct Scanned {
    len: usize,
    method: Method,
    path: (usize, usize),
    version: Version,
    fields: Fields,
}

#[cfg(test)]
thread_local! {
    /// Parse attempts on this thread, for the test that a trickled head is not parsed per byte.
    pub(crate) static PARSES: Cell<usize> = const { Cell::new(0) };
}

/// Parses a complete head from the front of `buf`, consuming it. `Ok(None)`: not complete yet.
pub(crate) fn parse(buf: &mut BytesMut, limits: &Limits) -> Result<Option<Head>, StatusCode> {
    #[cfg(test)]
    PARSES.set(PARSES.get() + 1);
    let max_headers = limits.max_headers.min(HEADER_CAP);
    let mut slots = [const { MaybeUninit::<httparse::Header<'_>>::uninit() }; STACK_SLOTS];
    let mut names = take_local(&NAMES);
    let scanned = match scan(
        buf,
        limits,
        &mut slots[..max_headers.min(STACK_SLOTS)],
        &mut names,
    ) {
        Err(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE) if max_headers > STACK_SLOTS => {
            let mut slots = Vec::new();
            slots.resize_with(max_headers, MaybeUninit::uninit);
            scan(buf, limits, &mut slots, &mut names)?
        }
        scanned => scanned?,
    };
    let Some(Scanned {
        len,
        method,
        path,
        version,
        fields,
    }) = scanned
    else {
        return Ok(None);
    };

    let head = buf.split_to(len).freeze();
    let slice = |(at, n): (usize, usize)| head.slice(at..at + n);
    let uri = Uri::from_maybe_shared(slice(path)).map_err(|_| StatusCode::BAD_REQUEST)?;
    let mut headers = HeaderMap::with_capacity(names.len());
    for (name, at) in names.drain(..) {
        let value = HeaderValue::from_maybe_shared(slice(at)).map_err(|_| StatusCode::BAD_REQUEST)?;
        headers.append(name, value);
    }
    put_local(&NAMES, names);
    if let Some(authority) = uri.authority() {
        // Absolute form: the target's authority is the host, whatever `Host` says (RFC 9112 §3.2.2);
        // userinfo in it is an error (RFC 9110 §4.2.4).
        if authority.as_str().contains('@') {
            return Err(StatusCode::BAD_REQUEST);
        }
        let host = HeaderValue::from_str(authority.as_str()).map_err(|_| StatusCode::BAD_REQUEST)?;
        headers.insert(header::HOST, host);
    }

    if version == Version::HTTP_11 && fields.hosts != 1 || fields.hosts > 1 {
        return Err(StatusCode::BAD_REQUEST);
    }
    let body = fields.body_kind(version)?;
    let keep_alive = match version {
        Version::HTTP_10 => fields.keep_alive && !fields.close,
        _ => !fields.close,
    };
    let expect_continue = fields.expect_continue && version == Version::HTTP_11;
    let upgrade = match body {
        BodyKind::Empty if method == Method::CONNECT => Upgrade::Connect,
        BodyKind::Empty if version == Version::HTTP_11 && fields.upgrade && fields.upgrade_to => {
            Upgrade::Protocol
        }
        _ => Upgrade::No,
    };

    let (mut request, ()) = http::Request::new(()).into_parts();
    request.method = method;
    request.uri = uri;
    request.version = version;
    request.headers = headers;
    let head_req = request.method == Method::HEAD;
    Ok(Some(Head {
        request,
        meta: Meta {
            version,
            keep_alive,
            head: head_req,
            upgrade,
        },
        body,
        expect_continue,
    }))
}

/// Scans a head with room for `slots.len()` header fields, its field names into `names`.
/// `Ok(None)`: not complete yet.
fn scan<'b>(
    buf: &'b [u8],
    limits: &Limits,
    slots: &mut [MaybeUninit<httparse::Header<'b>>],
    names: &mut Names,
) -> Result<Option<Scanned>, StatusCode> {
    // Only the bytes a head may span: an error past the limit is the limit's 431, whether the bytes
    // arrived at once or one by one (found by fuzzing: a long malformed field gave 400 or 431).
    let buf = &buf[..buf.len().min(limits.max_header_bytes + 1)];
    let mut req = httparse::Request::new(&mut []);
    let incomplete = || {
        if buf.len() > limits.max_header_bytes {
            Err(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE)
        } else {
            Ok(None)
        }
    };
    let len = match req.parse_with_uninit_headers(buf, slots) {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) => return incomplete(),
        // 400 or 505 is judged on the whole version token, so wait for the end of the line
        // (found by fuzzing: `HTTP/2` then more bytes was 505 or 400 depending on the reads).
        Err(httparse::Error::Version) if !buf.contains(&b'\n') => return incomplete(),
        Err(httparse::Error::TooManyHeaders) => return Err(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE),
        Err(httparse::Error::Version) => return Err(version_error(buf)),
        Err(_) => return Err(StatusCode::BAD_REQUEST),
    };
    if len > limits.max_header_bytes {
        return Err(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
    }

    // Record where everything is, so that the caller can freeze the head and let the URI and header
    // values share its memory instead of being copied.
    let base = buf.as_ptr() as usize;
    let span = |s: &[u8]| (s.as_ptr() as usize - base, s.len());
    let method =
        Method::from_bytes(req.method.unwrap_or("").as_bytes()).map_err(|_| StatusCode::BAD_REQUEST)?;
    let path = span(req.path.unwrap_or("").as_bytes());
    let version = if req.version == Some(0) {
        Version::HTTP_10
    } else {
        Version::HTTP_11
    };

    let mut fields = Fields::default();
    names.clear();
    for h in req.headers.iter() {
        let name = HeaderName::from_bytes(h.name.as_bytes()).map_err(|_| StatusCode::BAD_REQUEST)?;
        fields.note(&name, h.value)?;
        names.push((name, span(h.value)));
    }
    Ok(Some(Scanned {
        len,
        method,
        path,
        version,
        fields,
    }))
}

/// The framing-relevant fields, gathered in one pass over the headers.
#[derive(Default)]
struct Fields {
    hosts: u32,
    content_length: Option<u64>,
    chunked: bool,
    unknown_coding: bool,
    transfer_encoding: bool,
    close: bool,
    keep_alive: bool,
    expect_continue: bool,
    /// `Connection: upgrade`.
    upgrade: bool,
    /// An `Upgrade` field.
    upgrade_to: bool,
}

impl Fields {
    fn note(&mut self, name: &HeaderName, value: &[u8]) -> Result<(), StatusCode> {
        if *name == header::HOST {
            if !is_host(value) {
                return Err(StatusCode::BAD_REQUEST);
            }
            self.hosts += 1;
        } else if *name == header::CONTENT_LENGTH {
            let n = parse_content_length(value).ok_or(StatusCode::BAD_REQUEST)?;
            // Repeated identical values are harmless (RFC 9110 §8.6); differing ones are smuggling.
            if self.content_length.is_some_and(|prev| prev != n) {
                return Err(StatusCode::BAD_REQUEST);
            }
            self.content_length = Some(n);
        } else if *name == header::TRANSFER_ENCODING {
            // `chunked` at most once and last, or the framing is ambiguous (400); any other coding is
            // one we do not implement (501, as Go and nginx answer).
            for coding in tokens(value) {
                if self.chunked {
                    return Err(StatusCode::BAD_REQUEST);
                }
                if coding.eq_ignore_ascii_case(b"chunked") {
                    self.chunked = true;
                } else {
                    self.unknown_coding = true;
                }
            }
            self.transfer_encoding = true;
        } else if *name == header::CONNECTION {
            for token in tokens(value) {
                self.close |= token.eq_ignore_ascii_case(b"close");
                self.keep_alive |= token.eq_ignore_ascii_case(b"keep-alive");
                self.upgrade |= token.eq_ignore_ascii_case(b"upgrade");
            }
        } else if *name == header::UPGRADE {
            self.upgrade_to = true;
        } else if *name == header::EXPECT {
            self.expect_continue |= value.eq_ignore_ascii_case(b"100-continue");
        }
        Ok(())
    }

    fn body_kind(&self, version: Version) -> Result<BodyKind, StatusCode> {
        match (self.transfer_encoding, self.content_length) {
            // Both framings at once is the classic smuggling vector: refuse it (RFC 9112 §6.3 allows
            // a server to reject rather than guess).
            (true, Some(_)) => Err(StatusCode::BAD_REQUEST),
            // Transfer-Encoding did not exist in HTTP/1.0; a 1.0 message carrying it is suspect.
            (true, None) if version == Version::HTTP_10 => Err(StatusCode::BAD_REQUEST),
            (true, None) if self.unknown_coding => Err(StatusCode::NOT_IMPLEMENTED),
            (true, None) if !self.chunked => Err(StatusCode::BAD_REQUEST),
            (true, None) => Ok(BodyKind::Chunked),
            (false, Some(0)) | (false, None) => Ok(BodyKind::Empty),
            (false, Some(n)) => Ok(BodyKind::Length(n)),
        }
    }
}

/// `Host = uri-host [ ":" port ]` (RFC 9110 §7.2), or empty: the characters of a reg-name, an IP
/// literal and a port, so no userinfo, path, or white space.
fn is_host(value: &[u8]) -> bool {
    value.iter().all(|&b| HOST_BYTES[usize::from(b)])
}

/// The bytes [`is_host`] allows, as a table: a lookup per byte, not a range match.
const HOST_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = matches!(b as u8, b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~'
            | b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'=' | b':' | b'['
            | b']' | b'%');
        b += 1;
    }
    table
};

/// Comma-separated tokens of a list-valued field, trimmed, empty elements skipped.
pub(crate) fn tokens(value: &[u8]) -> impl Iterator<Item = &[u8]> {
    value
        .split(|&b| b == b',')
        .map(|t| t.trim_ascii())
        .filter(|t| !t.is_empty())
}

/// `Content-Length = 1*DIGIT`: no sign, no spaces inside, no list, no overflow.
fn parse_content_length(value: &[u8]) -> Option<u64> {
    let digits = value.trim_ascii();
    if digits.is_empty() || digits.len() > 19 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    digits
        .iter()
        .try_fold(0u64, |n, &d| n.checked_mul(10)?.checked_add(u64::from(d - b'0')))
}

/// httparse reports any version it does not speak as a version error. A well-formed `HTTP/x.y` we do
/// not speak deserves `505`; anything else in that place is a malformed request line.
fn version_error(buf: &[u8]) -> StatusCode {
    let line = buf.split(|&b| b == b'\n').next().unwrap_or(buf);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    // The token after the target, not the line's last one: the verdict must not depend on how much
    // of the line has arrived (found by fuzzing: `POST <c \0GET /a HTTP/1.1` gave 400 or 505).
    let token = line.splitn(3, |&b| b == b' ').nth(2).unwrap_or(b"");
    match token.strip_prefix(b"HTTP/") {
        Some([major, rest @ ..]) if major.is_ascii_digit() && matches!(rest, [] | [b'.', ..]) => {
            StatusCode::HTTP_VERSION_NOT_SUPPORTED
        }
        _ => StatusCode::BAD_REQUEST,
    }
}
