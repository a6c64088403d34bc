//! The engine's own work per request, without I/O: parse a plaintext request, run a ready handler,
//! encode the response. Single requests and 16-deep pipelined batches (one read, one write).

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use server_core::engine::{Conn, Limits, Next};
use server_core::{Request, Response};

/// What wrk sends for `/plaintext`.
const REQUEST: &[u8] = b"GET /plaintext HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n";

fn handler(_req: Request) -> Response {
    Response::text("Hello, World!")
}

/// One read carrying `batch` requests, all served, their responses taken as one write.
fn serve_batch(conn: &mut Conn, input: &[u8]) -> usize {
    let buf = conn.read_buf();
    buf[..input.len()].copy_from_slice(input);
    conn.filled(input.len());
    let mut served = 0;
    while let Next::Request(req) = conn.advance() {
        conn.respond(handler(black_box(req)), false);
        served += 1;
    }
    let written = conn.output().len();
    conn.written();
    black_box(written);
    served
}

fn engine(c: &mut Criterion) {
    let mut group = c.benchmark_group("engine");
    for depth in [1usize, 16] {
        let input = REQUEST.repeat(depth);
        group.throughput(Throughput::Elements(depth as u64));
        group.bench_function(format!("plaintext_x{depth}"), |b| {
            let mut conn = Conn::new(Limits::default());
            b.iter(|| assert_eq!(serve_batch(&mut conn, &input), depth));
        });
    }
    group.finish();
}

criterion_group!(benches, engine);
criterion_main!(benches);
