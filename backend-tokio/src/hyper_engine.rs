//! hyper 1.x's HTTP/1 server as the engine, on the same tokio runtime, accept loop and registry.

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::TcpListener as StdListener;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use http_body_util::{BodyExt, LengthLimitError, Limited};
use hyper::body::{Body as _, Incoming};
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use server_core::backend::{Accepted, Backend, ConnGuard, guarded, respond};
use server_core::{
    Body, BodyError, BoxError, Bytes, Config, Handler, PeerAddr, Request, Response, ServerHandle,
};
use server_core::{StatusCode, header};
use tokio::net::TcpStream;

use crate::{TokioRuntime, serve};

/// The tokio backend with hyper as the HTTP engine: the reference the project's own engine is
/// measured against.
///
/// It applies what hyper offers of [`Config`]: `max_header_bytes` (`max_header_size`), `max_headers`,
/// `header_read_timeout`, `max_body_bytes` (the body is collected through `Limited`),
/// `half_close` (answers to a client that shut down its sending side), and `pipeline_flush`. It takes part in `max_connections` and graceful shutdown through the same
/// registry as every backend. Where hyper answers differently from server-core's engine, the
/// conformance suite lists the case as a known gap of this engine (see `tests/conformance.rs`):
/// hyper has no idle, body-read or write timeouts, answers some malformed input differently, and
/// keeps a connection open after a panicking handler's `500`.
pub struct Hyper;

impl Backend for Hyper {
    fn start<H: Handler>(listener: StdListener, config: Config, handler: H) -> io::Result<ServerHandle> {
        let mut builder = http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(config.header_read_timeout)
            .max_headers(config.max_headers)
            .max_buf_size(config.max_header_bytes.max(8192) + 8192)
            .max_header_size(config.max_header_bytes)
            // Off by default in hyper: a client that half-closes would lose its answers.
            .half_close(true)
            .pipeline_flush(true);
        let settings = Arc::new(Settings {
            builder,
            max_body: config.max_body_bytes,
            server: config.server_header.clone(),
            peer_addr: config.peer_addr,
        });
        serve(listener, config, handler, move |conn, handler| {
            serve_hyper(conn, handler, Arc::clone(&settings))
        })
    }
}

struct Settings {
    builder: http1::Builder,
    max_body: usize,
    server: Option<server_core::HeaderValue>,
    peer_addr: bool,
}

async fn serve_hyper<H: Handler>(conn: Accepted<TcpStream>, handler: Arc<H>, settings: Arc<Settings>) {
    let idle = conn.guard.idle_flag();
    idle.set(true);
    let shared = Arc::clone(conn.guard.shared());
    let peer = settings
        .peer_addr
        .then(|| conn.stream.peer_addr().ok().map(PeerAddr))
        .flatten();
    let io = Guarded {
        _guard: conn.guard,
        io: TokioIo::new(conn.stream),
    };
    let for_service = Arc::clone(&settings);
    let service = hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
        let (handler, settings, idle, shared) = (
            Arc::clone(&handler),
            Arc::clone(&for_service),
            idle.clone(),
            Arc::clone(&shared),
        );
        async move {
            idle.set(false);
            let (mut parts, body) = req.into_parts();
            if let Some(peer) = peer {
                parts.extensions.insert(peer);
            }
            let mut resp = if body.size_hint().lower() > settings.max_body as u64 {
                Response::status(StatusCode::PAYLOAD_TOO_LARGE)
            } else {
                let body = Limited::new(body, settings.max_body).map_err(|e| -> BoxError {
                    if e.is::<LengthLimitError>() {
                        Box::new(BodyError::TooLarge)
                    } else {
                        e
                    }
                });
                let (mut resp, panicked) = respond(
                    &*handler,
                    Request::from_parts(parts, Body::new(body)),
                    &TokioRuntime,
                )
                .await;
                if panicked || shared.is_shutting_down() {
                    resp.headers_mut()
                        .insert(header::CONNECTION, header::HeaderValue::from_static("close"));
                }
                resp
            };
            if let Some(server) = settings
                .server
                .as_ref()
                .filter(|_| !resp.headers().contains_key(header::SERVER))
            {
                resp.headers_mut().insert(header::SERVER, server.clone());
            }
            idle.set(true);
            Ok::<_, Infallible>(resp.into_inner().map(InRuntime))
        }
    });
    let _ = settings.builder.serve_connection(io, service).await;
}

/// The stream with its registry place; fields drop in order (the registry place first, then the socket).
struct Guarded {
    _guard: ConnGuard,
    io: TokioIo<TcpStream>,
}

impl hyper::rt::Read for Guarded {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl hyper::rt::Write for Guarded {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

/// A response body polled as handler code is: with the runtime installed (a producer may call
/// `server_core::sleep`) and a panic caught (it ends the body with an error, and hyper closes).
struct InRuntime(Body);

impl hyper::body::Body for InRuntime {
    type Data = Bytes;
    type Error = BodyError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<hyper::body::Frame<Bytes>, BodyError>>> {
        let body = &mut self.0;
        let next = std::pin::pin!(guarded(
            &TokioRuntime,
            std::future::poll_fn(|cx| Pin::new(&mut *body).poll_frame(cx))
        ));
        next.poll(cx).map(|polled| {
            polled.unwrap_or_else(|_| Some(Err(BodyError::Other("response body panicked".into()))))
        })
    }

    fn is_end_stream(&self) -> bool {
        self.0.is_end_stream()
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        self.0.size_hint()
    }
}
