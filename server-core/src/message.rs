//! Request and response: the `http` crate's types with a [`Body`] that is whole `Bytes` or a stream.

use std::cell::Cell;
use std::future::{IntoFuture, Ready, ready};
use std::ops::{Deref, DerefMut};

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, StatusCode, header};

use crate::Body;
use crate::runtime::{put_local, take_local};

/// An HTTP request. Its body is whole when it arrived with the head, and otherwise streams from the
/// connection as the handler reads it (see [`Body`]); [`Body::collect`] gathers it, within
/// `Config::max_body_bytes`.
pub type Request = http::Request<Body>;

/// The client's address, in a request's extensions when [`Config::peer_addr`](crate::Config::peer_addr)
/// is set (what Go's `Request.RemoteAddr` holds):
///
/// ```
/// use server_core::{PeerAddr, Request, Response};
///
/// fn whoami(req: Request) -> Response {
///     match req.extensions().get::<PeerAddr>() {
///         Some(PeerAddr(addr)) => Response::text(addr.to_string()),
///         None => Response::text("unknown"),
///     }
/// }
/// # drop(whoami);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PeerAddr(pub std::net::SocketAddr);

/// An HTTP response: a thin wrapper over `http::Response<Body>` that adds constructors and
/// dereferences to it, so every `http` accessor (`status_mut`, `headers_mut`, ...) works as usual.
///
/// `Content-Length` (or chunked framing, for a body of unknown length), `Date` and `Server` are added
/// by the engine; a `Content-Length` or `Transfer-Encoding` set here is ignored (the body is the truth).
#[derive(Debug, Default)]
pub struct Response(http::Response<Body>);

impl Response {
    /// A response with the given status, no headers and an empty body.
    pub fn new(status: StatusCode) -> Self {
        let mut r = http::Response::new(Body::empty());
        *r.status_mut() = status;
        Response(r)
    }

    /// Replaces the body, builder style: a whole body, a [`Body`] stream, or a request's own body.
    ///
    /// ```
    /// use server_core::{Body, Response, StatusCode};
    ///
    /// let (tx, body) = Body::channel();
    /// let resp = Response::new(StatusCode::OK).with_body(body);
    /// # drop((tx, resp));
    /// ```
    pub fn with_body(mut self, body: impl Into<Body>) -> Self {
        *self.0.body_mut() = body.into();
        self
    }

    /// `200 OK` with a `text/plain; charset=utf-8` body.
    pub fn text(body: impl Into<Bytes>) -> Self {
        Self::with_type(
            StatusCode::OK,
            const { HeaderValue::from_static("text/plain; charset=utf-8") },
            body.into(),
        )
    }

    /// `200 OK` with a `text/html; charset=utf-8` body (already escaped: a template's output).
    pub fn html(body: impl Into<Bytes>) -> Self {
        Self::with_type(
            StatusCode::OK,
            const { HeaderValue::from_static("text/html; charset=utf-8") },
            body.into(),
        )
    }

    /// `200 OK` with an `application/json` body serialised from `value`.
    ///
    /// Serialisation only fails for maps with non-string keys or failing `Serialize` impls;
    /// that is a bug in the handler, answered with `500`.
    pub fn json<T: serde::Serialize + ?Sized>(value: &T) -> Self {
        let mut buf = Vec::with_capacity(64);
        match serde_json::to_writer(&mut buf, value) {
            Ok(()) => {
                let json = const { HeaderValue::from_static("application/json") };
                Self::with_type(StatusCode::OK, json, Bytes::from(buf))
            }
            Err(_) => Self::status(StatusCode::INTERNAL_SERVER_ERROR),
        }
    }

    /// `200 OK` with an `application/octet-stream` body.
    pub fn bytes(body: impl Into<Bytes>) -> Self {
        Self::with_type(
            StatusCode::OK,
            const { HeaderValue::from_static("application/octet-stream") },
            body.into(),
        )
    }

    /// A response with the given status and its canonical reason as a plain-text body
    /// (`404` → `Not Found`), so that a client always sees why.
    pub fn status(status: StatusCode) -> Self {
        let reason = status.canonical_reason().unwrap_or("");
        let mut r = Self::with_type(
            status,
            const { HeaderValue::from_static("text/plain; charset=utf-8") },
            Bytes::from_static(reason.as_bytes()),
        );
        if !status_has_body(status) {
            *r.body_mut() = Body::empty();
            r.headers_mut().remove(header::CONTENT_TYPE);
        }
        r
    }

    /// `404 Not Found`.
    pub fn not_found() -> Self {
        Self::status(StatusCode::NOT_FOUND)
    }

    /// `400 Bad Request`.
    pub fn bad_request() -> Self {
        Self::status(StatusCode::BAD_REQUEST)
    }

    /// `500 Internal Server Error`.
    pub fn internal_error() -> Self {
        Self::status(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// Sets the status, builder style.
    pub fn with_status(mut self, status: StatusCode) -> Self {
        *self.0.status_mut() = status;
        self
    }

    /// Appends a header, builder style. Panics on an invalid value, like `HeaderValue::from_static`:
    /// use `headers_mut()` for values from untrusted input.
    pub fn with_header(mut self, name: header::HeaderName, value: &'static str) -> Self {
        self.0.headers_mut().append(name, HeaderValue::from_static(value));
        self
    }

    /// The inner `http::Response`.
    pub fn into_inner(self) -> http::Response<Body> {
        self.0
    }

    /// `content_type` comes from a `const` block at each caller: `HeaderValue::from_static` checks
    /// every byte unless it runs at compile time (at run time, a quarter of what a plaintext request
    /// costs in the `http` types).
    fn with_type(status: StatusCode, content_type: HeaderValue, body: Bytes) -> Self {
        let mut r = http::Response::new(Body::full(body));
        *r.status_mut() = status;
        let mut headers = take_local(&SPARE_HEADERS).unwrap_or_default();
        headers.insert(header::CONTENT_TYPE, content_type);
        *r.headers_mut() = headers;
        Response(r)
    }
}

/// Header maps that hold up to this many fields, and have room for no more, are kept for reuse (a
/// map's first insert makes room for this many).
const SPARE_HEADERS_MAX: usize = 6;

thread_local! {
    /// A response's header map the engine has encoded, emptied, for the next response made on this
    /// thread: a map's storage is two allocations, which every response built by
    /// [`Response::text`] and its kin would otherwise make and free.
    static SPARE_HEADERS: Cell<Option<HeaderMap>> = const { Cell::new(None) };
}

/// Keeps a response's header map, once its head is encoded, for the next response on this thread.
pub(crate) fn recycle_headers(mut headers: HeaderMap) {
    let small = headers.capacity() <= SPARE_HEADERS_MAX && headers.len() <= SPARE_HEADERS_MAX;
    if headers.capacity() > 0 && small {
        headers.clear();
        put_local(&SPARE_HEADERS, Some(headers));
    }
}

impl Deref for Response {
    type Target = http::Response<Body>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl DerefMut for Response {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl From<http::Response<Body>> for Response {
    fn from(r: http::Response<Body>) -> Self {
        Response(r)
    }
}

impl From<Response> for http::Response<Body> {
    fn from(r: Response) -> Self {
        r.0
    }
}

/// A `Response` is its own ready future, so a synchronous closure `|req| Response::text("hi")` is a
/// handler just like an `async` one; the backend polls it once and it is done.
impl IntoFuture for Response {
    type Output = Response;
    type IntoFuture = Ready<Response>;
    fn into_future(self) -> Self::IntoFuture {
        ready(self)
    }
}

/// Whether a response with this status may carry a body (RFC 9110 §6.4.1).
pub(crate) fn status_has_body(status: StatusCode) -> bool {
    !(status.is_informational() || status == StatusCode::NO_CONTENT || status == StatusCode::NOT_MODIFIED)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recycled_header_map_carries_nothing_into_the_next_response() {
        let mut first = Response::text("a").with_header(header::CACHE_CONTROL, "no-store");
        first
            .headers_mut()
            .append(header::VARY, HeaderValue::from_static("accept"));
        recycle_headers(first.into_inner().into_parts().0.headers);

        let next = Response::json(&1);
        assert_eq!(next.headers().len(), 1, "{:?}", next.headers());
        assert_eq!(next.headers()[header::CONTENT_TYPE], "application/json");

        // A map too large to keep is dropped rather than kept for the thread's lifetime.
        let mut big = Response::text("b");
        for i in 0..16 {
            let name = header::HeaderName::try_from(format!("x-{i}")).unwrap();
            big.headers_mut().insert(name, HeaderValue::from_static("v"));
        }
        recycle_headers(big.into_inner().into_parts().0.headers);
        assert_eq!(SPARE_HEADERS.take().map(|h| h.capacity()), None);
    }
}
