//! Several routes: text, JSON serialised per request, a body echo, 404 and 405 from the router.
//!
//! ```text
//! curl localhost:8080/hello
//! curl localhost:8080/json
//! curl -d 'some bytes' localhost:8080/echo
//! curl -X DELETE localhost:8080/hello   # 405, Allow: GET, HEAD
//! ```

use serde::Serialize;
use server::{Config, Request, Response, Router, StatusCode};

#[derive(Serialize)]
struct Message<'a> {
    message: &'a str,
    path: &'a str,
}

fn main() -> std::io::Result<()> {
    let app = Router::new()
        .get("/hello", |_req: Request| Response::text("Hello, World!"))
        .get("/json", |req: Request| {
            Response::json(&Message {
                message: "Hello, World!",
                path: req.uri().path(),
            })
        })
        // The body streams straight back as it arrives: never held whole.
        .post("/echo", |req: Request| {
            Response::new(StatusCode::OK).with_body(req.into_body())
        });
    server::run(Config::default(), app)
}
