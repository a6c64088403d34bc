//! The engine's own work per request, without I/O: parse a plaintext request, run a ready handler,
//! encode the response. Single requests and 16-deep pipelined batches (one write of all the answers).

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use server_core::engine::{Conn, Limits, Next};
use server_core::{Request, Response};

/// What wrk sends for `/plaintext`.
const REQUEST: &[u8] = b"GET /plaintext HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n";

fn handler(_req: Request) -> Response {
    Response::text("Hello, World!")
}

/// `input` (`batch` requests) read in the chunks the engine makes room for, as a server's reads
/// would be (a fresh connection offers less room than 16 requests take), every request served and
/// their responses taken as one write.
fn serve_batch(conn: &mut Conn, mut input: &[u8]) -> usize {
    let mut served = 0;
    loop {
        match conn.advance() {
            Next::Request(req) => {
                conn.respond(handler(black_box(req)), false);
                served += 1;
            }
            Next::Read(_) if !input.is_empty() => {
                let buf = conn.read_buf();
                let n = buf.len().min(input.len());
                buf[..n].copy_from_slice(&input[..n]);
                conn.filled(n);
                input = &input[n..];
            }
            _ => break,
        }
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
