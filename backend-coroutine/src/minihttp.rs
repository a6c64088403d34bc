//! may_minihttp as the engine: the same handler, served by the engine that sets the speed record
//! for small requests on may.

use std::io::{self, Read};
use std::net::TcpListener as StdListener;
use std::sync::Arc;

use may_minihttp::{HttpServer, HttpService};
use server_core::backend::{Backend, Shared, block_on, respond};
use server_core::http::{self, Version};
use server_core::{Body, Bytes, Config, Handler, Response, ServerHandle, StatusCode};

use crate::{CoroutinePark, MayRuntime, configure_scheduler};

/// The coroutine backend with may_minihttp 0.1 as the HTTP engine (reference engine).
///
/// may_minihttp is built for speed, not for the open internet, and this adapter cannot add what its
/// engine lacks. Known gaps, each listed in this crate's conformance test and checked to still fail:
/// - no chunked request bodies, no `Expect: 100-continue`, no `HEAD` handling (the body is sent);
/// - at most 16 request headers; malformed requests get no answer (the connection is dropped);
/// - `Content-Length` is trusted as the body's only framing: a body left unread (a `413`, say) is
///   parsed as the next request, and CL+TE or duplicate `Content-Length` are not refused;
/// - no timeouts of any kind (header read, idle, body, write): slowloris holds connections forever;
/// - no `Connection: close` handling and no HTTP/1.0 keep-alive rules;
/// - it binds its own listener (the port is rebound from the one given to `start`), accepts
///   without limit, and its connections are not tracked, so `max_connections` and graceful shutdown
///   do not apply: shutdown stops the acceptor only;
/// - its connections run on may's default 32 KiB coroutine stacks, not `Config::stack_size`: a
///   database handler overflows them in a debug build (the server then stops answering). Changing
///   may's default at run time is no cure: may pools coroutines of the default size and hands a
///   pooled one to any spawn that asks for the new default, so other servers' coroutines overflowed;
/// - with a database restarted under load, some requests went unanswered (seen once in two runs of
///   bench's `db_faults` test, which leaves this engine out);
/// - response headers must be `&'static str`: this adapter sends the handler's `Content-Type` when
///   it is one of the common ones below, and drops other handler headers.
pub struct MiniHttp;

impl Backend for MiniHttp {
    fn start<H: Handler>(listener: StdListener, config: Config, handler: H) -> io::Result<ServerHandle> {
        configure_scheduler(&config);
        let addr = listener.local_addr()?;
        drop(listener);
        let service = Service {
            handler: Arc::new(handler),
            max_body: config.max_body_bytes,
        };
        let acceptor = HttpServer(service).start(addr)?;
        let shared = Shared::new(config, &MayRuntime);
        Ok(ServerHandle::new(addr, shared, move || {
            // SAFETY: cancelling the acceptor coroutine is may_minihttp's documented way to stop it.
            unsafe { acceptor.coroutine().cancel() };
            let _ = acceptor.join();
        }))
    }
}

struct Service<H> {
    handler: Arc<H>,
    max_body: usize,
}

impl<H> Clone for Service<H> {
    fn clone(&self) -> Self {
        Service {
            handler: Arc::clone(&self.handler),
            max_body: self.max_body,
        }
    }
}

impl<H: Handler> HttpService for Service<H> {
    fn call(&mut self, req: may_minihttp::Request, rsp: &mut may_minihttp::Response) -> io::Result<()> {
        let resp = match self.convert(req) {
            Ok(request) => block_on::<CoroutinePark, _>(respond(&*self.handler, request, &MayRuntime)).0,
            Err(status) => Response::status(status),
        };
        let (parts, mut body) = resp.into_inner().into_parts();
        // may_minihttp writes whole bodies only: a stream is collected first (so an event stream
        // arrives all at once, at its end), and one longer than `max_body_bytes` is answered 500.
        let mut status = parts.status;
        let body = match body.take_whole() {
            Some(bytes) => bytes,
            None => {
                let collected = block_on::<CoroutinePark, _>(server_core::backend::guarded(
                    &MayRuntime,
                    capped(body, self.max_body),
                ));
                collected.ok().flatten().unwrap_or_else(|| {
                    status = StatusCode::INTERNAL_SERVER_ERROR;
                    Bytes::new()
                })
            }
        };
        rsp.status_code(
            status.as_u16().into(),
            status.canonical_reason().unwrap_or("Unknown"),
        );
        if let Some(line) = parts
            .headers
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| static_content_type(v.as_bytes()))
        {
            rsp.header(line);
        }
        rsp.body_mut().extend_from_slice(&body);
        Ok(())
    }
}

impl<H> Service<H> {
    fn convert(&self, req: may_minihttp::Request) -> Result<server_core::Request, StatusCode> {
        let mut builder = http::Request::builder()
            .method(req.method())
            .uri(req.path())
            .version(if req.version() == 0 {
                Version::HTTP_10
            } else {
                Version::HTTP_11
            });
        let mut length = 0usize;
        for h in req.headers() {
            if h.name.eq_ignore_ascii_case("content-length") {
                // may_minihttp would panic on a malformed length: check it before it reads the body.
                length = std::str::from_utf8(h.value)
                    .ok()
                    .filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
                    .and_then(|v| v.parse().ok())
                    .ok_or(StatusCode::BAD_REQUEST)?;
            }
            builder = builder.header(h.name, h.value);
        }
        if length > self.max_body {
            return Err(StatusCode::PAYLOAD_TOO_LARGE);
        }
        let mut body = Vec::with_capacity(length);
        req.body()
            .read_to_end(&mut body)
            .map_err(|_| StatusCode::BAD_REQUEST)?;
        builder
            .body(Body::full(body))
            .map_err(|_| StatusCode::BAD_REQUEST)
    }
}

/// A response body collected whole, or `None` once it passes `max` bytes.
async fn capped(mut body: Body, max: usize) -> Option<Bytes> {
    let mut all = Vec::new();
    while let Some(chunk) = body.data().await {
        all.extend_from_slice(&chunk.ok()?);
        if all.len() > max {
            return None;
        }
    }
    Some(Bytes::from(all))
}

fn static_content_type(value: &[u8]) -> Option<&'static str> {
    Some(match value {
        b"text/plain; charset=utf-8" => "Content-Type: text/plain; charset=utf-8",
        b"text/plain" => "Content-Type: text/plain",
        b"application/json" => "Content-Type: application/json",
        b"application/octet-stream" => "Content-Type: application/octet-stream",
        b"text/html; charset=utf-8" => "Content-Type: text/html; charset=utf-8",
        _ => return None,
    })
}
