//! Encoding a response: its head, then its body in the framing the head announced.

use http::response::Parts;
use http::{HeaderMap, HeaderValue, StatusCode, header};

use super::date;
use super::head::{Meta, tokens};
use crate::message::status_has_body;

/// How a response body is delimited on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Framing {
    /// No body (`HEAD`, `204`, `304`, or an error answer already complete).
    None,
    /// `Content-Length`; the bytes still owed.
    Length(u64),
    /// `Transfer-Encoding: chunked`.
    Chunked,
    /// Until the connection closes (an HTTP/1.0 client, length unknown).
    Close,
    /// The bytes of the protocol the connection switched to (`101`, or a 2xx to `CONNECT`), as they
    /// come; the connection closes after them.
    Raw,
}

/// Appends the head of a response to a request described by `meta`, and says how its body is framed.
///
/// The engine owns framing: `Content-Length` comes from the body's exact size (`length`), chunked
/// when it is unknown (or a close-delimited body for HTTP/1.0, which forces `close`), `Connection`
/// from the keep-alive decision, and any of those the handler set are replaced. `Date` and `Server`
/// are added unless the handler set them; a `Connection: close` the handler set closes the connection.
pub(crate) fn head(
    out: &mut Vec<u8>,
    parts: &Parts,
    length: Option<u64>,
    meta: &Meta,
    close: &mut bool,
    server: Option<&HeaderValue>,
) -> Framing {
    let switching = meta.upgrade.switches(parts.status);
    let has_body = status_has_body(parts.status);
    let framing = match length {
        _ if switching => {
            *close = true;
            Framing::Raw
        }
        _ if !has_body => Framing::None,
        Some(n) => Framing::Length(n),
        None if meta.version == http::Version::HTTP_10 => {
            *close = true;
            Framing::Close
        }
        None => Framing::Chunked,
    };
    status_line(out, parts.status);
    // One pass over the handler's fields, noting those the engine owns or adds: a map lookup for each
    // of `Server`, `Date` and `Connection` would hash the names again for every response.
    let (mut has_server, mut has_date) = (false, false);
    for (name, value) in &parts.headers {
        match *name {
            header::CONTENT_LENGTH | header::TRANSFER_ENCODING => continue,
            // A switching answer's `Connection: upgrade` is the handler's to send.
            header::CONNECTION if !switching => {
                *close |= tokens(value.as_bytes()).any(|t| t.eq_ignore_ascii_case(b"close"));
                continue;
            }
            header::SERVER => has_server = true,
            header::DATE => has_date = true,
            _ => {}
        }
        field(out, name.as_str().as_bytes(), value.as_bytes());
    }
    if let Some(server) = server.filter(|_| !has_server) {
        field(out, b"server: ", server.as_bytes());
    }
    if !has_date {
        out.extend_from_slice(b"date: ");
        date::append(out);
        out.extend_from_slice(b"\r\n");
    }
    if *close && !switching {
        out.extend_from_slice(b"connection: close\r\n");
    } else if meta.version == http::Version::HTTP_10 {
        out.extend_from_slice(b"connection: keep-alive\r\n");
    }
    match framing {
        Framing::Length(n) => {
            out.extend_from_slice(b"content-length: ");
            out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        Framing::Chunked => out.extend_from_slice(b"transfer-encoding: chunked\r\n"),
        Framing::None | Framing::Close | Framing::Raw => {}
    }
    out.extend_from_slice(b"\r\n");
    if meta.head { Framing::None } else { framing }
}

/// The line that opens a chunk of `len` bytes.
pub(crate) fn chunk_size(out: &mut Vec<u8>, len: usize) {
    let mut hex = [0u8; 16];
    let mut at = hex.len();
    let mut n = len;
    loop {
        at -= 1;
        hex[at] = b"0123456789abcdef"[n & 0xf];
        n >>= 4;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&hex[at..]);
    out.extend_from_slice(b"\r\n");
}

/// The last chunk, the trailer fields, and the end of the message.
pub(crate) fn last_chunk(out: &mut Vec<u8>, trailers: Option<&HeaderMap>) {
    out.extend_from_slice(b"0\r\n");
    for (name, value) in trailers.into_iter().flatten() {
        field(out, name.as_str().as_bytes(), value.as_bytes());
    }
    out.extend_from_slice(b"\r\n");
}

fn status_line(out: &mut Vec<u8>, status: StatusCode) {
    if status == StatusCode::OK {
        out.extend_from_slice(b"HTTP/1.1 200 OK\r\n");
        return;
    }
    out.extend_from_slice(b"HTTP/1.1 ");
    out.extend_from_slice(status.as_str().as_bytes());
    out.push(b' ');
    out.extend_from_slice(status.canonical_reason().unwrap_or("Unknown").as_bytes());
    out.extend_from_slice(b"\r\n");
}

fn field(out: &mut Vec<u8>, name: &[u8], value: &[u8]) {
    out.extend_from_slice(name);
    if !name.ends_with(b": ") {
        out.extend_from_slice(b": ");
    }
    out.extend_from_slice(value);
    out.extend_from_slice(b"\r\n");
}
