//! Encoding a response into bytes to write.

use http::{HeaderValue, StatusCode, header};

use super::date;
use super::head::Meta;
use crate::Response;
use crate::message::status_has_body;

/// Appends `resp` to `out` as an HTTP/1.1 response to a request described by `meta`.
///
/// The engine owns framing: `Content-Length` comes from the body, `Connection` from the keep-alive
/// decision (`close`), and any of those the handler set are replaced. `Date` and `Server` are added
/// unless the handler set them.
pub(crate) fn response(
    out: &mut Vec<u8>,
    resp: Response,
    meta: &Meta,
    close: bool,
    server: Option<&HeaderValue>,
) {
    let (parts, body) = resp.into_inner().into_parts();
    status_line(out, parts.status);

    let headers = &parts.headers;
    if let Some(server) = server.filter(|_| !headers.contains_key(header::SERVER)) {
        field(out, b"server: ", server.as_bytes());
    }
    if !headers.contains_key(header::DATE) {
        out.extend_from_slice(b"date: ");
        date::append(out);
        out.extend_from_slice(b"\r\n");
    }
    for (name, value) in headers {
        if !matches!(
            *name,
            header::CONTENT_LENGTH | header::TRANSFER_ENCODING | header::CONNECTION
        ) {
            field(out, name.as_str().as_bytes(), value.as_bytes());
        }
    }
    if close {
        out.extend_from_slice(b"connection: close\r\n");
    } else if meta.version == http::Version::HTTP_10 {
        out.extend_from_slice(b"connection: keep-alive\r\n");
    }
    let has_body = status_has_body(parts.status);
    if has_body {
        out.extend_from_slice(b"content-length: ");
        out.extend_from_slice(itoa::Buffer::new().format(body.len()).as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    if has_body && !meta.head {
        out.extend_from_slice(&body);
    }
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
