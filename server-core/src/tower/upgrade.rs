//! hyper's upgrades for tower services, on every backend (feature `axum`).
//!
//! axum's `WebSocketUpgrade` takes a `hyper::upgrade::OnUpgrade` from the request, and only hyper's
//! connection can make one (hyper 1.x keeps `upgrade::pending()` private, hyper#4034). So a request
//! that asks for an upgrade is served through a hyper HTTP/1 connection over an in-memory pipe: the
//! request head goes in, the service answers inside hyper (and gets its `OnUpgrade`), and what the
//! service answers comes back to the engine as it is. After a `101` the pipe carries the upgraded
//! bytes both ways: what the client sends (the request body the engine feeds after the 101) is
//! written into the pipe, and what the service writes to its upgraded connection is the response body.
//! The cost is the pipe: each byte is copied once more each way than on [`crate::ws`]'s native path.

use std::future::poll_fn;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use http::{HeaderMap, StatusCode, header};
use http_body::{Body as HttpBody, Frame};
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt, DuplexStream, ReadBuf, ReadHalf};
use tower_service::Service;

use crate::body::BoxError;
use crate::{Body, Request, Response};

/// The pipe's buffer each way: an upgraded connection's bytes in flight inside the process.
const PIPE_BYTES: usize = 64 * 1024;

/// Whether `req` asks to switch protocols (`Connection: upgrade` with an `Upgrade` field).
pub(super) fn wants_upgrade(req: &Request) -> bool {
    req.headers().contains_key(header::UPGRADE)
        && req.headers().get_all(header::CONNECTION).iter().any(|value| {
            value
                .as_bytes()
                .split(|&b| b == b',')
                .any(|t| t.trim_ascii().eq_ignore_ascii_case(b"upgrade"))
        })
}

/// Serves `req` through hyper (see the module docs); must run in a tokio context. A service that
/// fails, or a request hyper cannot take, is an error, answered 500 by the caller.
pub(super) async fn through_hyper<S, B>(service: S, req: Request) -> Result<Response, ()>
where
    S: Service<http::Request<Body>, Response = http::Response<B>> + Send + 'static,
    S::Future: Send,
    S::Error: Into<BoxError>,
    B: HttpBody<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    let (parts, client_bytes) = req.into_parts();
    let (mut ours, theirs) = tokio::io::duplex(PIPE_BYTES);
    ours.write_all(&request_head(&parts)).await.map_err(drop)?;
    let (answer, answered) = tokio::sync::oneshot::channel();
    let once = std::sync::Mutex::new(Some((service, parts.extensions, answer)));
    let inside_hyper = hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
        let taken = crate::runtime::lock(&once).take();
        async move {
            // Only the one request is written into the pipe.
            let Some((mut service, extensions, answer)) = taken else {
                return Err::<http::Response<Body>, BoxError>("a second request on an upgrade pipe".into());
            };
            let mut req = req.map(Body::new);
            req.extensions_mut().extend(extensions);
            poll_fn(|cx| service.poll_ready(cx)).await.map_err(Into::into)?;
            let resp = service.call(req).await.map_err(Into::into)?;
            // hyper writes this head into the pipe (and, for a 101, hands the pipe to the service);
            // the engine gets the service's own response.
            let mut echo = http::Response::new(Body::empty());
            *echo.status_mut() = resp.status();
            *echo.headers_mut() = resp.headers().clone();
            let _ = answer.send(resp);
            Ok(echo)
        }
    });
    tokio::spawn(
        http1::Builder::new()
            .serve_connection(TokioIo::new(theirs), inside_hyper)
            .with_upgrades(),
    );
    let (resp, body) = answered.await.map_err(drop)?.into_parts();
    if resp.status != StatusCode::SWITCHING_PROTOCOLS {
        return Ok(http::Response::from_parts(resp, super::whole_if_ready(body).await).into());
    }
    let after_head = skip_head(&mut ours).await.map_err(drop)?;
    let (from_service, mut to_service) = tokio::io::split(ours);
    tokio::spawn(async move {
        let mut client_bytes = std::pin::pin!(client_bytes);
        while let Some(Ok(frame)) = poll_fn(|cx| client_bytes.as_mut().poll_frame(cx)).await {
            if let Ok(data) = frame.into_data()
                && to_service.write_all(&data).await.is_err()
            {
                return;
            }
        }
        let _ = to_service.shutdown().await;
    });
    let upgraded = Upgraded {
        pending: after_head,
        pipe: from_service,
        buf: BytesMut::new(),
    };
    Ok(http::Response::from_parts(resp, Body::new(upgraded)).into())
}

/// The request head as hyper reads it: origin-form target, HTTP/1.1, the fields as they came.
fn request_head(parts: &http::request::Parts) -> Vec<u8> {
    let target = parts.uri.path_and_query().map_or("/", |pq| pq.as_str());
    let mut head = format!("{} {target} HTTP/1.1\r\n", parts.method).into_bytes();
    write_fields(&mut head, &parts.headers);
    head.extend_from_slice(b"\r\n");
    head
}

fn write_fields(head: &mut Vec<u8>, headers: &HeaderMap) {
    for (name, value) in headers {
        head.extend_from_slice(name.as_str().as_bytes());
        head.extend_from_slice(b": ");
        head.extend_from_slice(value.as_bytes());
        head.extend_from_slice(b"\r\n");
    }
}

/// Reads hyper's `101` head out of the pipe; returns what came after it.
async fn skip_head(pipe: &mut DuplexStream) -> std::io::Result<Bytes> {
    let mut read = BytesMut::with_capacity(1024);
    loop {
        if let Some(end) = read.windows(4).position(|w| w == b"\r\n\r\n") {
            return Ok(read.split_off(end + 4).freeze());
        }
        if pipe.read_buf(&mut read).await? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
    }
}

/// After a `101`, the response body: what the service writes to its upgraded connection.
struct Upgraded {
    /// What hyper had read past its `101` head.
    pending: Bytes,
    pipe: ReadHalf<DuplexStream>,
    buf: BytesMut,
}

impl HttpBody for Upgraded {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        let Upgraded { pending, pipe, buf } = self.get_mut();
        if !pending.is_empty() {
            return Poll::Ready(Some(Ok(Frame::data(std::mem::take(pending)))));
        }
        buf.resize(16 * 1024, 0);
        let mut read = ReadBuf::new(buf);
        let polled = Pin::new(pipe).poll_read(cx, &mut read);
        let n = read.filled().len();
        match polled {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Err(e)) => Poll::Ready(Some(Err(e))),
            Poll::Ready(Ok(())) if n == 0 => Poll::Ready(None),
            Poll::Ready(Ok(())) => {
                buf.truncate(n);
                Poll::Ready(Some(Ok(Frame::data(buf.split().freeze()))))
            }
        }
    }
}
