//! A PostgreSQL with TechEmpower's tables, for trying the database routes by hand: prints its URL,
//! then runs until stdin closes (Ctrl-D) or the process is interrupted, and removes itself.
//!
//! `cargo run --release -p db --example postgres`, then e.g.
//! `target/release/serve --backend tokio --db-url URL --addr 127.0.0.1:8080`.

use std::io::Read;

fn main() {
    let server = db::fixture::Postgres::start().unwrap_or_else(|e| {
        eprintln!("postgres: {e}");
        std::process::exit(1)
    });
    println!("{}", server.url());
    let _ = std::io::stdin().read_to_end(&mut Vec::new());
    drop(server);
}
