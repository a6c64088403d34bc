//! An axum application, unchanged, on whichever backend the `server` feature picks:
//! `cargo run -p server --example axum --features axum` (tokio), or add
//! `--no-default-features --features threads,axum` (or `coroutine`, `smol`, `compio`, ...).
//! Then `curl localhost:8080/users/7`, `curl -d '{"name":"Ada"}' -H 'content-type: application/json'
//! localhost:8080/greet`, `curl 'localhost:8080/wait?ms=300'`, `curl localhost:8080/whoami`.

use std::net::SocketAddr;
use std::time::Duration;

use axum::extract::{ConnectInfo, Path, Query};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;

#[derive(Deserialize)]
struct Wait {
    ms: u64,
}

#[derive(Deserialize)]
struct Greeting {
    name: String,
}

fn main() -> std::io::Result<()> {
    let app = Router::new()
        .route(
            "/users/{id}",
            get(|Path(id): Path<u32>| async move { format!("user {id}\n") }),
        )
        .route(
            "/greet",
            post(|Json(g): Json<Greeting>| async move { Json(serde_json::json!({ "hello": g.name })) }),
        )
        .route(
            "/wait",
            // tokio's timer, as any axum app would use it: it works on every backend.
            get(|Query(w): Query<Wait>| async move {
                tokio::time::sleep(Duration::from_millis(w.ms)).await;
                format!("waited {} ms on the {} backend\n", w.ms, server::BACKEND)
            }),
        )
        .route(
            "/whoami",
            get(|ConnectInfo(peer): ConnectInfo<SocketAddr>| async move { format!("{peer}\n") }),
        );
    // `peer_addr` is what `into_make_service_with_connect_info` is under axum::serve.
    let config = server::Config {
        peer_addr: true,
        ..server::Config::default()
    };
    server::serve_service(config, app)
}
