//! The streaming cases: request bodies read as they arrive, response bodies written as they are
//! produced, with backpressure both ways, bounded memory, and nothing left behind when a client goes.

use std::collections::HashMap;
use std::convert::Infallible;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_lite::stream;
use http::{StatusCode, header};

use super::{
    Client, Config, Request, Response, Router, ServerHandle, connections_after, exclusive, get, query_u64,
    test_config,
};
use crate::Body;

type Start<'a> = &'a dyn Fn(Config) -> ServerHandle;

/// The streaming routes of the conformance app.
pub(super) fn routes(router: Router) -> Router {
    router
        // Streams the request body straight back (same length framing as it came).
        .post("/mirror", |req: Request| {
            Response::new(StatusCode::OK).with_body(req.into_body())
        })
        // Counts the body without holding it; `limit` raises (or lowers) the body limit for itself.
        .post("/upload", |mut req: Request| async move {
            if let Some(limit) = query_u64(&req, "limit") {
                req.body_mut().set_limit(limit);
            }
            let mut body = req.into_body();
            let mut total = 0u64;
            while let Some(chunk) = body.data().await {
                match chunk {
                    Ok(chunk) => total += chunk.len() as u64,
                    Err(e) => return e.into_response(),
                }
            }
            Response::text(total.to_string())
        })
        .post("/ignore", |_req: Request| Response::text("ignored"))
        // `bytes` bytes in `chunk`-sized pieces, with `Content-Length`.
        .get("/download", |req: Request| {
            let total = query_u64(&req, "bytes").unwrap_or(0);
            let chunk = query_u64(&req, "chunk").unwrap_or(64 * 1024).max(1);
            let piece = Bytes::from(vec![b'x'; chunk.min(total) as usize]);
            let pieces = (0..total.div_ceil(chunk)).map(move |i| {
                let len = chunk.min(total - i * chunk) as usize;
                Ok::<_, Infallible>(piece.slice(..len))
            });
            Response::bytes(Bytes::new())
                .with_body(Body::from_stream(stream::iter(pieces)).with_length(total))
        })
        // `events` server-sent events `every_ms` apart; the producer counts itself live under `id`.
        .get("/sse", |req: Request| {
            let events = query_u64(&req, "events").unwrap_or(0);
            let every = Duration::from_millis(query_u64(&req, "every_ms").unwrap_or(0));
            let live = Live::new(query_u64(&req, "id").unwrap_or(0));
            let events = stream::unfold((0, live), move |(i, live)| async move {
                if i == events {
                    return None;
                }
                if i > 0 {
                    crate::sleep(every).await;
                }
                Some((Ok::<_, Infallible>(format!("data: {i}\n\n")), (i + 1, live)))
            });
            Response::new(StatusCode::OK)
                .with_header(header::CONTENT_TYPE, "text/event-stream")
                .with_body(Body::from_stream(events))
        })
        // A body fed through a channel from a thread of the handler's own.
        .get("/channel", |req: Request| {
            let lines = query_u64(&req, "lines").unwrap_or(0);
            let (tx, body) = Body::channel();
            std::thread::spawn(move || {
                for i in 0..lines {
                    if tx.send_blocking(format!("{i}\n")).is_err() {
                        return;
                    }
                }
            });
            Response::new(StatusCode::OK).with_body(body)
        })
}

/// Producers alive per test id, so that a case can see its own producers released.
static LIVE: Mutex<Option<HashMap<u64, usize>>> = Mutex::new(None);

pub(super) struct Live(u64);

impl Live {
    pub(super) fn new(id: u64) -> Live {
        *LIVE
            .lock()
            .unwrap()
            .get_or_insert_default()
            .entry(id)
            .or_default() += 1;
        Live(id)
    }

    pub(super) fn count(id: u64) -> usize {
        LIVE.lock()
            .unwrap()
            .as_ref()
            .and_then(|m| m.get(&id).copied())
            .unwrap_or(0)
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        if let Some(n) = LIVE.lock().unwrap().get_or_insert_default().get_mut(&self.0) {
            *n -= 1;
        }
    }
}

pub(super) fn fresh_id() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// This process's resident memory, in bytes.
fn rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

/// Runs `f` while sampling RSS; returns its result and how far RSS rose above where it started.
pub(super) fn peak_rss_growth<T>(f: impl FnOnce() -> T) -> (T, u64) {
    let before = rss();
    let done = AtomicBool::new(false);
    std::thread::scope(|s| {
        let sampler = s.spawn(|| {
            let mut peak = before;
            while !done.load(Ordering::Relaxed) {
                peak = peak.max(rss());
                std::thread::sleep(Duration::from_millis(5));
            }
            peak.max(rss())
        });
        // Stops the sampler even if `f` panics (a failing case), so that the scope can end.
        struct Stop<'a>(&'a AtomicBool);
        impl Drop for Stop<'_> {
            fn drop(&mut self) {
                self.0.store(true, Ordering::Relaxed);
            }
        }
        let stop = Stop(&done);
        let out = f();
        drop(stop);
        let peak = sampler.join().unwrap();
        (out, peak.saturating_sub(before))
    })
}

pub(super) const MIB: u64 = 1024 * 1024;

/// A 256 MiB chunked upload is counted, and a 256 MiB download arrives whole, while the server's
/// memory grows by less than 32 MiB: neither is ever held.
pub fn streamed_upload_and_download_hold_little(start: Start) {
    let _alone = exclusive();
    let server = start(test_config());
    let addr = server.local_addr();
    let size = 256 * MIB;
    let (counted, grew) = peak_rss_growth(|| {
        let mut s = TcpStream::connect(addr).unwrap();
        s.write_all(
            b"POST /upload?limit=1000000000 HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n",
        )
        .unwrap();
        let chunk = vec![b'u'; 256 * 1024];
        let mut framed = format!("{:x}\r\n", chunk.len()).into_bytes();
        framed.extend_from_slice(&chunk);
        framed.extend_from_slice(b"\r\n");
        for _ in 0..size / chunk.len() as u64 {
            s.write_all(&framed).unwrap();
        }
        s.write_all(b"0\r\n\r\n").unwrap();
        let mut c = Client::from_stream(s);
        let r = c.reply();
        (r.status, String::from_utf8(r.body).unwrap())
    });
    assert_eq!(counted, (200, size.to_string()));
    assert!(grew < 32 * MIB, "upload: RSS grew by {} MiB", grew / MIB);

    let (received, grew) = peak_rss_growth(|| {
        let mut c = Client::connect(addr);
        c.send(&get(&format!("/download?bytes={size}&chunk=65536")));
        let head = c.head();
        assert_eq!(head.status, 200);
        assert_eq!(head.header("content-length"), Some(size.to_string().as_str()));
        let mut received = c.take_buffered() as u64;
        let mut buf = vec![0; 256 * 1024];
        while received < size {
            let n = c.stream.read(&mut buf).unwrap();
            assert!(n > 0, "download cut at {received} bytes");
            received += n as u64;
        }
        received
    });
    assert_eq!(received, size);
    assert!(grew < 32 * MIB, "download: RSS grew by {} MiB", grew / MIB);
    assert!(server.shutdown());
}

/// A client that stops reading a 1 GiB download makes the producer wait: the server holds no more
/// than the socket buffers, and the connection is released once the client goes.
pub fn stalled_download_is_bounded(start: Start) {
    let _alone = exclusive();
    let server = start(test_config());
    let mut c = Client::connect(server.local_addr());
    let (_, grew) = peak_rss_growth(|| {
        c.send(&get(&format!("/download?bytes={}&chunk=65536", 1024 * MIB)));
        assert_eq!(c.head().status, 200);
        std::thread::sleep(Duration::from_millis(1500)); // not reading
    });
    assert!(
        grew < 32 * MIB,
        "an unread download grew RSS by {} MiB",
        grew / MIB
    );
    drop(c);
    assert_eq!(
        connections_after(&server, 0, Duration::from_secs(5)),
        0,
        "the stalled download's connection was not released"
    );
    assert!(server.shutdown());
}

/// `Expect: 100-continue`: `100` goes out when the handler reads the body, before the final answer;
/// a handler that answers without reading sends no `100`, and the connection then closes (the client
/// may never send the body it announced).
pub fn expect_continue_on_upload(start: Start) {
    let server = start(test_config());
    let mut c = Client::connect(server.local_addr());
    c.send(b"POST /upload HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
    assert_eq!(c.reply().status, 100);
    c.send(b"hello");
    let r = c.reply();
    assert_eq!((r.status, r.body.as_slice()), (200, &b"5"[..]));
    assert_eq!(
        c.request(&get("/hello")).status,
        200,
        "the connection stays usable"
    );

    let mut c = Client::connect(server.local_addr());
    c.send(b"POST /ignore HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
    let r = c.reply();
    assert_eq!(
        (r.status, r.body.as_slice()),
        (200, &b"ignored"[..]),
        "no 100 before it"
    );
    assert_eq!(r.header("connection"), Some("close"));
    assert!(c.closed_within(Duration::from_secs(2)));
    assert!(server.shutdown());
}

/// Eight events 150 ms apart arrive 150 ms apart, each written when it is produced.
pub fn sse_events_arrive_as_produced(start: Start) {
    let server = start(test_config());
    let mut c = Client::connect(server.local_addr());
    c.send(&get("/sse?events=8&every_ms=150"));
    let head = c.head();
    assert_eq!(head.status, 200);
    assert_eq!(head.header("content-type"), Some("text/event-stream"));
    assert_eq!(head.header("transfer-encoding"), Some("chunked"));
    let mut last = None::<Instant>;
    let mut gaps = Vec::new();
    for i in 0..8 {
        let event = c.chunk().expect("an event");
        assert_eq!(event, format!("data: {i}\n\n").into_bytes());
        let now = Instant::now();
        if let Some(last) = last {
            gaps.push(now - last);
        }
        last = Some(now);
    }
    assert_eq!(c.chunk(), None, "the stream ends after its events");
    for gap in &gaps {
        assert!(
            *gap >= Duration::from_millis(90) && *gap <= Duration::from_millis(300),
            "events batched or late: gaps {gaps:?}"
        );
    }
    assert_eq!(c.request(&get("/hello")).status, 200, "keep-alive after a stream");
    assert!(server.shutdown());
}

/// Fifty subscribers leave at once: every connection and every producer is released within 3 s.
pub fn sse_disconnects_release_producers(start: Start) {
    let server = start(test_config());
    let id = fresh_id();
    let clients: Vec<Client> = (0..50)
        .map(|_| {
            let mut c = Client::connect(server.local_addr());
            c.send(&get(&format!("/sse?events=100000&every_ms=100&id={id}")));
            c
        })
        .collect();
    let mut clients: Vec<Client> = clients
        .into_iter()
        .map(|mut c| {
            assert_eq!(c.head().status, 200);
            c.chunk().expect("a first event");
            c
        })
        .collect();
    assert_eq!(Live::count(id), 50);
    clients.clear();
    let until = Instant::now() + Duration::from_secs(3);
    while (server.active_connections() > 0 || Live::count(id) > 0) && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(
        (server.active_connections(), Live::count(id)),
        (0, 0),
        "(connections, producers) still held 3 s after their clients left"
    );
    assert!(server.shutdown());
}

/// An upload past its own limit (a raised one, or a lowered one) gets `413` and a close.
pub fn upload_over_its_limit(start: Start) {
    let server = start(test_config());
    let chunk = format!("400\r\n{}\r\n", "x".repeat(0x400));
    let req = format!(
        "POST /upload?limit=3000 HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n{}0\r\n\r\n",
        chunk.repeat(4)
    );
    let mut c = Client::connect(server.local_addr());
    let r = c.request(req.as_bytes());
    assert_eq!(r.status, 413);
    assert_eq!(r.header("connection"), Some("close"));
    assert!(c.closed_within(Duration::from_secs(2)));
    // Raised above `max_body_bytes` (1 MiB), the same route takes 2 MiB.
    let mut c = Client::connect(server.local_addr());
    let body = vec![b'y'; 2 * MIB as usize];
    c.send(
        format!(
            "POST /upload?limit=3000000 HTTP/1.1\r\nHost: t\r\nContent-Length: {}\r\n\r\n",
            body.len()
        )
        .as_bytes(),
    );
    c.send(&body);
    assert_eq!(c.reply().body, (2 * MIB).to_string().into_bytes());
    assert!(server.shutdown());
}

/// A handler that ignores its request body: a small rest is skipped and the connection serves the
/// next request; a 10 MiB one closes the connection after a complete answer, never desynchronised.
pub fn ignored_body(start: Start) {
    let server = start(test_config());
    let mut c = Client::connect(server.local_addr());
    c.send(b"POST /ignore HTTP/1.1\r\nHost: t\r\nContent-Length: 20000\r\n\r\n");
    let r = c.reply(); // answered before the body is sent
    assert_eq!((r.status, r.body.as_slice()), (200, &b"ignored"[..]));
    c.send(&vec![b'z'; 20000]);
    assert_eq!(
        c.request(&get("/hello")).body,
        b"Hello, World!",
        "the rest was skipped"
    );

    let mut c = Client::connect(server.local_addr());
    let mut writer = c.stream.try_clone().unwrap();
    let sender = std::thread::spawn(move || {
        let _ = writer.write_all(b"POST /ignore HTTP/1.1\r\nHost: t\r\nContent-Length: 10485760\r\n\r\n");
        let _ = writer.write_all(&vec![b'z'; 10 * MIB as usize]); // the server may close before all of it
        let _ = writer.write_all(&get("/hello"));
    });
    let r = c.reply();
    assert_eq!((r.status, r.body.as_slice()), (200, &b"ignored"[..]));
    assert_eq!(r.header("connection"), Some("close"));
    let _ = sender.join();
    assert!(server.shutdown());
}

/// A body streamed back as it arrives: chunked in, chunked out (in pieces, with pauses); with a
/// `Content-Length` in, the same length out.
pub fn mirror_streams_the_body_back(start: Start) {
    let server = start(test_config());
    let mut c = Client::connect(server.local_addr());
    c.send(b"POST /mirror HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
    let head = c.head();
    assert_eq!(head.status, 200);
    assert_eq!(head.header("transfer-encoding"), Some("chunked"));
    assert_eq!(
        c.chunk().as_deref(),
        Some(&b"hello"[..]),
        "echoed before the body ended"
    );
    c.send(b"6\r\n world\r\n0\r\n\r\n");
    assert_eq!(c.chunk().as_deref(), Some(&b" world"[..]));
    assert_eq!(c.chunk(), None);

    let body: Vec<u8> = (0..300_000u32).map(|i| (i % 253) as u8).collect();
    let mut req = format!(
        "POST /mirror HTTP/1.1\r\nHost: t\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    req.extend_from_slice(&body);
    let r = c.request(&req);
    assert_eq!(r.header("content-length"), Some("300000"));
    assert!(r.body == body, "mirrored body differs");
    assert!(server.shutdown());
}

/// A body sent through a channel from another thread arrives in order, chunked; to an HTTP/1.0 client
/// a body of unknown length is delimited by closing the connection.
pub fn channel_body_and_http10_stream(start: Start) {
    let server = start(test_config());
    let mut c = Client::connect(server.local_addr());
    let r = c.request(&get("/channel?lines=100"));
    let expected: String = (0..100).map(|i| format!("{i}\n")).collect();
    assert_eq!(String::from_utf8(r.body).unwrap(), expected);

    let mut c = Client::connect(server.local_addr());
    c.send(b"GET /sse?events=3 HTTP/1.0\r\n\r\n");
    let head = c.head();
    assert_eq!(head.header("connection"), Some("close"));
    assert_eq!(head.header("transfer-encoding"), None);
    assert_eq!(c.until_close(), b"data: 0\n\ndata: 1\n\ndata: 2\n\n");
    assert!(server.shutdown());
}
