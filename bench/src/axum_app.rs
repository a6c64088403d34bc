//! The standard routes written as an ordinary axum application (tokio's timer and blocking pool,
//! axum's extractors), served through `server_core::tower` on any backend or by `axum::serve`; and a
//! few routes under `/axum/` that exercise what an axum app relies on (path parameters, the `Json`
//! extractor, a body-limit layer, a fallback), for the tests.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::ws::{Message as WsMessage, WebSocketUpgrade};
use axum::extract::{ConnectInfo, DefaultBodyLimit, Path, Query, Request as AxumRequest};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use futures_lite::StreamExt;
use serde::{Deserialize, Serialize};
use server_core::{BodyError, Request};

use crate::{burn_cpu, cached_bytes, cpu_time, download, sse, wait_time};

#[derive(Deserialize)]
struct Params {
    #[serde(default)]
    ms: u64,
    #[serde(default)]
    us: u64,
    #[serde(default)]
    bytes: u64,
    #[serde(default)]
    chunk: u64,
    #[serde(default)]
    events: u64,
    #[serde(default)]
    every_ms: u64,
    #[serde(default)]
    n: u64,
}

#[derive(Serialize)]
struct Message {
    message: &'static str,
}

#[derive(Deserialize, Serialize)]
struct Greeting {
    name: String,
}

/// The largest body `POST /axum/greet` takes (axum's `DefaultBodyLimit`), far below the server's.
pub const GREET_LIMIT: usize = 64;

/// The axum `Router` serving the standard routes (and `/axum/...`).
pub fn router() -> Router {
    Router::new()
        .route("/plaintext", get(|| async { "Hello, World!" }))
        .route(
            "/json",
            get(|| async {
                Json(Message {
                    message: "Hello, World!",
                })
            }),
        )
        .route(
            "/wait",
            get(|Query(p): Query<Params>| async move {
                tokio::time::sleep(wait_time(p.ms)).await;
                "ok"
            }),
        )
        .route(
            "/cpu",
            get(|Query(p): Query<Params>| async move { burn_cpu(cpu_time(p.us)).to_string() }),
        )
        .route(
            "/cpu-offload",
            get(|Query(p): Query<Params>| async move {
                let work = cpu_time(p.us);
                match tokio::task::spawn_blocking(move || burn_cpu(work)).await {
                    Ok(x) => x.to_string().into_response(),
                    Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
                }
            }),
        )
        .route("/echo", post(|body: Bytes| async move { body }))
        .route(
            "/bytes",
            get(|Query(p): Query<Params>| async move { cached_bytes(p.n) }),
        )
        .route(
            "/upload",
            post(|body: axum::body::Body| async move {
                let mut frames = body.into_data_stream();
                let mut total = 0u64;
                while let Some(chunk) = frames.next().await {
                    match chunk {
                        Ok(chunk) => total += chunk.len() as u64,
                        Err(e) => return status_of(e).into_response(),
                    }
                }
                total.to_string().into_response()
            }),
        )
        .route(
            "/download",
            get(|Query(p): Query<Params>| async move { axum::body::Body::new(download(p.bytes, p.chunk)) }),
        )
        .route(
            "/sse",
            get(|Query(p): Query<Params>| async move {
                let every = Duration::from_millis(p.every_ms);
                let events = sse(p.events, every, tokio::time::sleep);
                (
                    [(header::CONTENT_TYPE, "text/event-stream")],
                    axum::body::Body::new(events),
                )
            }),
        )
        .route("/ws/echo", get(ws_echo))
        .route(
            "/axum/users/{id}",
            get(|Path(id): Path<u32>| async move { format!("user {id}") }),
        )
        .route(
            "/axum/greet",
            post(|Json(g): Json<Greeting>| async move {
                Json(Greeting {
                    name: format!("hello {}", g.name),
                })
            })
            .layer(DefaultBodyLimit::max(GREET_LIMIT)),
        )
        // The peer address, when the server runs with `Config::peer_addr` (else axum answers 500).
        .route(
            "/axum/peer",
            get(|ConnectInfo(peer): ConnectInfo<SocketAddr>| async move { peer.to_string() }),
        )
        .fallback(|req: AxumRequest| async move {
            (
                StatusCode::NOT_FOUND,
                format!("no route for {}", req.uri().path()),
            )
        })
}

/// `GET /ws/echo` through axum's own `WebSocketUpgrade`: every text and binary message back (axum's
/// socket answers pings and the close handshake itself).
async fn ws_echo(upgrade: WebSocketUpgrade) -> axum::response::Response {
    upgrade.on_upgrade(|mut socket| async move {
        while let Some(Ok(message)) = socket.recv().await {
            if matches!(message, WsMessage::Text(_) | WsMessage::Binary(_))
                && socket.send(message).await.is_err()
            {
                break;
            }
        }
    })
}

/// The router behind a layer that raises the engine's body limit for `POST /upload` to
/// `max_upload_bytes`, as the native workload's route does (axum's own limits apply on top).
#[derive(Clone)]
pub struct App {
    router: Router,
    max_upload_bytes: u64,
}

impl App {
    /// The standard routes as an axum app.
    pub fn new(max_upload_bytes: u64) -> Self {
        App {
            router: router(),
            max_upload_bytes,
        }
    }
}

impl tower_service::Service<Request> for App {
    type Response = axum::response::Response;
    type Error = Infallible;
    type Future = <Router as tower_service::Service<Request>>::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        tower_service::Service::<Request>::poll_ready(&mut self.router, cx)
    }

    fn call(&mut self, mut req: Request) -> Self::Future {
        if req.uri().path() == "/upload" {
            req.body_mut().set_limit(self.max_upload_bytes);
        }
        self.router.call(req)
    }
}

/// The status a failed request body earns: the engine's own (413 past the limit, 400 for broken
/// framing), as the native workload answers.
fn status_of(e: axum::Error) -> StatusCode {
    e.into_inner()
        .downcast::<BodyError>()
        .map_or(StatusCode::BAD_REQUEST, |e| e.status())
}
