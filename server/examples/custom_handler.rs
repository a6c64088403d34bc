//! A type that implements `Handler`, the way a Go type implements `ServeHTTP`: state lives in the
//! type, every request goes through its one method.

use std::sync::atomic::{AtomicU64, Ordering};

use server::{Config, Handler, Request, Response};

/// Counts the requests it has served and greets with the count.
struct Counter {
    greeting: &'static str,
    served: AtomicU64,
}

impl Handler for Counter {
    async fn call(&self, req: Request) -> Response {
        let n = self.served.fetch_add(1, Ordering::Relaxed) + 1;
        Response::text(format!("{} {} (request #{n})\n", self.greeting, req.uri().path()))
    }
}

fn main() -> std::io::Result<()> {
    server::run(
        Config::default(),
        Counter {
            greeting: "Hello from",
            served: AtomicU64::new(0),
        },
    )
}
