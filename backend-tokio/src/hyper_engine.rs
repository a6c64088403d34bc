//! hyper 1.x's HTTP/1 server as the engine, on the same tokio runtime, accept loop and registry.

use std::convert::Infallible;
use std::future::{Future, poll_fn};
use std::io;
use std::net::TcpListener as StdListener;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::task::{Context, Poll};

use http_body_util::{BodyExt, LengthLimitError, Limited};
use hyper::body::{Body as _, Incoming};
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use server_core::backend::{Accepted, Backend, ConnGuard, guarded, respond};
use server_core::{
    Body, BodyError, BoxError, Bytes, Config, Handler, PeerAddr, Request, Response, ServerHandle,
    ShutdownSignal,
};
use server_core::{StatusCode, header};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::net::tcp::OwnedReadHalf;

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
            let mut req = req;
            let upgrade = wants_upgrade(&req).then(|| hyper::upgrade::on(&mut req));
            let (mut parts, body) = req.into_parts();
            if let Some(peer) = peer {
                parts.extensions.insert(peer);
            }
            if upgrade.is_some() {
                parts.extensions.insert(ShutdownSignal::new(&shared));
            }
            let mut switched = false;
            let mut resp = if body.size_hint().lower() > settings.max_body as u64 {
                Response::status(StatusCode::PAYLOAD_TOO_LARGE)
            } else {
                // An upgrade's request body is what the client sends after the 101 (see `tunnel`).
                let (client_bytes, body) = match upgrade {
                    Some(_) => {
                        let (sender, body) = Body::channel();
                        (Some(sender), body)
                    }
                    None => (None, limited(body, settings.max_body)),
                };
                let (mut resp, panicked) =
                    respond(&*handler, Request::from_parts(parts, body), &TokioRuntime).await;
                if let (Some(upgrade), Some(client_bytes)) = (upgrade, client_bytes)
                    && resp.status() == StatusCode::SWITCHING_PROTOCOLS
                {
                    let server_bytes = std::mem::replace(resp.body_mut(), Body::empty());
                    tokio::spawn(tunnel(upgrade, client_bytes, server_bytes));
                    switched = true;
                }
                if (panicked || shared.is_shutting_down()) && !switched {
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
            // A switched connection is busy for as long as its session runs: shutdown's close of
            // idle connections must leave it to say its goodbye (close 1001).
            idle.set(!switched);
            Ok::<_, Infallible>(resp.into_inner().map(InRuntime))
        }
    });
    let _ = settings
        .builder
        .serve_connection(io, service)
        .with_upgrades()
        .await;
}

fn limited(body: Incoming, max: usize) -> Body {
    Body::new(Limited::new(body, max).map_err(|e| -> BoxError {
        if e.is::<LengthLimitError>() {
            Box::new(BodyError::TooLarge)
        } else {
            e
        }
    }))
}

fn wants_upgrade(req: &hyper::Request<Incoming>) -> bool {
    req.headers().contains_key(header::UPGRADE)
}

/// After a `101`, hyper hands the connection over: what the client sends feeds the request body the
/// handler holds, and the response body the handler gave (a WebSocket session, say) is written to the
/// client, as server-core's engine does. The registry place travels with the connection.
async fn tunnel(upgrade: hyper::upgrade::OnUpgrade, client_bytes: server_core::Sender, server_bytes: Body) {
    let Ok(upgraded) = upgrade.await else { return };
    // Our own stream back, with what hyper read past the request head.
    let Ok(hyper::upgrade::Parts { io, read_buf, .. }) = upgraded.downcast::<Guarded>() else {
        return;
    };
    let Guarded { _guard, io } = io;
    let (mut from_client, mut to_client) = io.into_inner().into_split();
    let inbound = async move {
        let mut chunk = read_buf;
        let mut buf = vec![0; 16 * 1024];
        loop {
            if !chunk.is_empty() && !sent_unless_gone(&client_bytes, chunk, &from_client).await {
                return;
            }
            match from_client.read(&mut buf).await {
                Ok(n @ 1..) => chunk = Bytes::copy_from_slice(&buf[..n]),
                _ => return,
            }
        }
    };
    let outbound = async move {
        let mut body = InRuntime(server_bytes);
        while let Some(Ok(frame)) = body.frame().await {
            if let Ok(data) = frame.into_data()
                && to_client.write_all(&data).await.is_err()
            {
                return;
            }
        }
        let _ = to_client.shutdown().await;
    };
    // Either end ends the connection, as in server-core's engine: the session returning, or the
    // client leaving (its end of input drops the session, as `Config::half_close` off does).
    let (mut inbound, mut outbound) = (pin!(inbound), pin!(outbound));
    poll_fn(
        |cx| match (inbound.as_mut().poll(cx), outbound.as_mut().poll(cx)) {
            (Poll::Pending, Poll::Pending) => Poll::Pending,
            _ => Poll::Ready(()),
        },
    )
    .await;
}

/// Hands `chunk` to the session; false if the session is gone or the client leaves first (its end of
/// input or a reset), which is watched without reading while the session is not taking bytes.
async fn sent_unless_gone(
    client_bytes: &server_core::Sender,
    chunk: Bytes,
    from_client: &OwnedReadHalf,
) -> bool {
    let mut send = pin!(client_bytes.send(chunk));
    let mut peek = [0; 1];
    let mut watching = true;
    poll_fn(|cx| {
        if let Poll::Ready(sent) = send.as_mut().poll(cx) {
            return Poll::Ready(sent.is_ok());
        }
        if watching {
            let mut peeked = tokio::io::ReadBuf::new(&mut peek);
            match from_client.as_ref().poll_peek(cx, &mut peeked) {
                Poll::Ready(Ok(0) | Err(_)) => return Poll::Ready(false),
                // More bytes wait behind this chunk: only the send can move now.
                Poll::Ready(Ok(_)) => watching = false,
                Poll::Pending => {}
            }
        }
        Poll::Pending
    })
    .await
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
    // Without these hyper takes the stream for one that cannot write vectored and copies every
    // response body into its own buffer ("flatten") instead of writing it from the body's memory.
    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }
    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
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
