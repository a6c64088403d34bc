//! Server-sent events: a stream of events produced one at a time with the runtime-neutral `sleep`, each
//! written as it is produced; a subscriber that leaves cancels its producer. Runs on every backend.
//!
//! ```text
//! cargo run -p server --example sse                                          # tokio
//! cargo run -p server --example sse --no-default-features --features threads # or any backend
//! curl -N localhost:8080/events
//! ```

use std::convert::Infallible;
use std::time::Duration;

use futures_lite::stream;
use server::{Body, Config, Request, Response, Router, StatusCode, header};

fn main() -> std::io::Result<()> {
    let app = Router::new().get("/events", |_req: Request| {
        let ticks = stream::unfold(0u64, |i| async move {
            if i > 0 {
                server::sleep(Duration::from_secs(1)).await;
            }
            Some((Ok::<_, Infallible>(format!("data: tick {i}\n\n")), i + 1))
        });
        Response::new(StatusCode::OK)
            .with_header(header::CONTENT_TYPE, "text/event-stream")
            .with_header(header::CACHE_CONTROL, "no-cache")
            .with_body(Body::from_stream(ticks))
    });
    server::run(Config::default(), app)
}
