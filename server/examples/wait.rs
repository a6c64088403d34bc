//! A handler that waits, with the runtime-neutral `server::sleep`: on tokio, smol and may this parks
//! only the task or coroutine, so one worker serves thousands of waiting clients; on `threads` it
//! blocks the connection's own thread, so each waiting client costs a thread. Try
//! `curl 'localhost:8080/wait?ms=500'` under each backend feature, or load it with many connections.

use std::time::Duration;

use server::{Config, Request, Response, Router};

fn main() -> std::io::Result<()> {
    let app = Router::new().get("/wait", |req: Request| async move {
        let ms = req
            .uri()
            .query()
            .and_then(|q| q.strip_prefix("ms="))
            .and_then(|v| v.parse().ok())
            .unwrap_or(100);
        server::sleep(Duration::from_millis(ms)).await;
        Response::text(format!("waited {ms} ms on the {} backend\n", server::BACKEND))
    });
    server::run(Config::default(), app)
}
