//! The smallest program: `cargo run -p server --example hello` (add `--no-default-features
//! --features threads`, or any other backend, to change how it is served; the code stays the same).

use server::{Config, Request, Response};

fn main() -> std::io::Result<()> {
    server::run(Config::default(), |_req: Request| Response::text("Hello, World!"))
}
