//! One keep-alive connection, one `GET /plaintext` at a time: the latency of a full round trip
//! (client write, server wake-up, engine, handler, write, client read) on each backend, in process.
//! Client and server share the machine's cores, so compare backends with each other, not with the
//! load tests.

use std::io::{Read, Write};
use std::net::TcpStream;

use bench::BackendName;
use criterion::{Criterion, criterion_group, criterion_main};
use server_core::Config;

const REQUEST: &[u8] = b"GET /plaintext HTTP/1.1\r\nHost: bench\r\n\r\n";

/// Reads one response to /plaintext: the head, then its 13-byte body.
fn read_response(stream: &mut TcpStream, buf: &mut Vec<u8>) {
    buf.clear();
    let mut chunk = [0u8; 1024];
    loop {
        let n = stream.read(&mut chunk).expect("response");
        assert!(n > 0, "server closed the connection");
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            if buf.len() >= end + 4 + "Hello, World!".len() {
                return;
            }
        }
    }
}

fn roundtrip(c: &mut Criterion) {
    let mut group = c.benchmark_group("roundtrip");
    for backend in BackendName::ALL {
        let config = Config {
            addr: "127.0.0.1:0".parse().unwrap(),
            ..Config::default()
        };
        let server = backend
            .start(config, bench::AppName::Native, 1 << 30, None)
            .expect("server starts");
        let mut stream = TcpStream::connect(server.local_addr()).unwrap();
        stream.set_nodelay(true).unwrap();
        let mut buf = Vec::with_capacity(1024);
        group.bench_function(backend.as_str(), |b| {
            b.iter(|| {
                stream.write_all(REQUEST).unwrap();
                read_response(&mut stream, &mut buf);
            })
        });
        drop(stream);
        server.shutdown();
    }
    group.finish();
}

criterion_group!(benches, roundtrip);
criterion_main!(benches);
