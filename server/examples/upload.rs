//! Uploads far larger than memory: the body is read chunk by chunk as it arrives and never held, under
//! a limit this route raises for itself (`Config::max_body_bytes` stays 1 MiB for every other route).
//! `Expect: 100-continue` is answered when the handler first reads. Runs on every backend.
//!
//! ```text
//! cargo run -p server --example upload
//! head -c 500M /dev/zero | curl -T - localhost:8080/upload      # 200: 524288000 bytes
//! ```

use server::{Config, Request, Response, Router};

const MAX_UPLOAD: u64 = 4 << 30;

fn main() -> std::io::Result<()> {
    let app = Router::new().route(server::Method::PUT, "/upload", |mut req: Request| async move {
        req.body_mut().set_limit(MAX_UPLOAD);
        let mut body = req.into_body();
        let mut total = 0u64;
        while let Some(chunk) = body.data().await {
            match chunk {
                Ok(chunk) => total += chunk.len() as u64, // write it somewhere, hash it, ...
                Err(e) => return e.into_response(),       // 413 past the limit, 408, 400
            }
        }
        Response::text(format!("{total} bytes\n"))
    });
    server::run(Config::default(), app)
}
