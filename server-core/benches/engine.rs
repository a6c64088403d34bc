//! The engine's own work per request, without I/O: parse a plaintext request, run a ready handler,
//! encode the response. Single requests and 16-deep pipelined batches (one write of all the answers).
//!
//! The `floor` group prices, each alone, the parts of that work no HTTP server that hands its
//! handlers the `http` types can avoid: scanning the head (`httparse`, as may_minihttp does), and
//! building and dropping the request and the response, each made the cheapest legitimate way. Their
//! sum bounds from below what any engine under this contract spends per request.

use std::hint::black_box;
use std::mem::MaybeUninit;

use bytes::Bytes;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use http::{HeaderMap, HeaderValue, Method, Uri, header};
use server_core::backend::engine::{Conn, Limits, Next};
use server_core::{Body, Request, Response};

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

fn floor(c: &mut Criterion) {
    let mut group = c.benchmark_group("floor");
    group.bench_function("httparse_scan", |b| {
        b.iter(|| {
            let mut slots = [const { MaybeUninit::<httparse::Header<'_>>::uninit() }; 16];
            let mut req = httparse::Request::new(&mut []);
            black_box(
                req.parse_with_uninit_headers(black_box(REQUEST), &mut slots)
                    .is_ok(),
            );
        });
    });
    // The head's bytes are shared, as the engine shares them: the URI and the field value point into
    // them, nothing is copied. The header map cannot be reused: the handler owns and drops it.
    let head = Bytes::from(REQUEST.to_vec());
    drop(head.clone());
    let path = 4..4 + "/plaintext".len();
    let host_at = REQUEST.windows(6).position(|w| w == b"Host: ").unwrap() + 6;
    let host = host_at..host_at + "127.0.0.1:8080".len();
    group.bench_function("request_types", |b| {
        b.iter(|| {
            let head = black_box(&head).clone();
            let mut req = Request::new(Body::empty());
            *req.method_mut() = Method::GET;
            *req.uri_mut() = Uri::from_maybe_shared(head.slice(path.clone())).unwrap();
            let mut headers = HeaderMap::with_capacity(1);
            let host = HeaderValue::from_maybe_shared(head.slice(host.clone())).unwrap();
            headers.append(header::HOST, host);
            *req.headers_mut() = headers;
            drop(black_box(req));
        });
    });
    // The response's header map is reused, as the engine reuses it once the head is encoded, and its
    // value is checked at compile time, as `Response::text`'s is.
    let mut spare = HeaderMap::with_capacity(1);
    group.bench_function("response_types", |b| {
        b.iter(|| {
            let mut headers = std::mem::take(&mut spare);
            let plain = const { HeaderValue::from_static("text/plain; charset=utf-8") };
            headers.insert(header::CONTENT_TYPE, plain);
            let mut resp = http::Response::new(Body::from(Bytes::from_static(b"Hello, World!")));
            *resp.headers_mut() = headers;
            let (mut parts, body) = black_box(resp).into_parts();
            drop(body);
            parts.headers.clear();
            spare = parts.headers;
        });
    });
    group.finish();
}

criterion_group!(benches, engine, floor);
criterion_main!(benches);
