//! The protocol cases: framing, keep-alive, pipelining, every bad-input answer, timeouts, limits,
//! shutdown, and the attacks (slowloris, resets, half-closes, floods). Each takes a function that
//! starts the backend under test with a given config.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

pub use super::bounds::*;
pub use super::outbound::*;
pub use super::streaming::*;
pub use super::websocket::*;
use super::*;

type Start<'a> = &'a dyn Fn(Config) -> ServerHandle;

fn expect_error(start: Start, config: Config, request: &[u8], status: u16) {
    let server = start(config);
    let mut c = Client::connect(server.local_addr());
    let r = c.request(request);
    assert_eq!(
        r.status,
        status,
        "for {:?}",
        String::from_utf8_lossy(&request[..request.len().min(200)])
    );
    assert_eq!(r.header("connection"), Some("close"));
    assert!(
        c.closed_within(Duration::from_secs(2)),
        "connection should close after an error"
    );
    // The server still serves everyone else.
    assert_eq!(
        Client::connect(server.local_addr())
            .request(&get("/hello"))
            .status,
        200
    );
    assert!(server.shutdown());
}

fn bad(start: Start, request: &[u8]) {
    expect_error(start, test_config(), request, 400);
}

/// `Config::peer_addr` puts the client's address into every request on the connection, and nothing
/// when it is off.
pub fn peer_addr(start: Start) {
    let server = start(test_config());
    assert_eq!(
        Client::connect(server.local_addr()).request(&get("/peer")).body,
        b"none"
    );
    assert!(server.shutdown());

    let server = start(Config {
        peer_addr: true,
        ..test_config()
    });
    let stream = TcpStream::connect(server.local_addr()).expect("connect");
    let local = stream.local_addr().unwrap().to_string();
    let mut c = Client::from_stream(stream);
    for _ in 0..2 {
        assert_eq!(String::from_utf8_lossy(&c.request(&get("/peer")).body), local);
    }
    assert!(server.shutdown());
}

/// Several requests on one connection, with `Date`, `Server` and `Content-Length`.
pub fn keep_alive(start: Start) {
    let server = start(test_config());
    let mut c = Client::connect(server.local_addr());
    for _ in 0..3 {
        let r = c.request(&get("/hello"));
        assert_eq!(r.status, 200);
        assert_eq!(r.body, b"Hello, World!");
        assert_eq!(r.header("content-length"), Some("13"));
        assert!(
            r.header("date")
                .is_some_and(|d| d.ends_with(" GMT") && d.len() == 29),
            "{r:?}"
        );
        assert_eq!(r.header("server"), Some("server-core"));
        assert_eq!(r.header("connection"), None);
    }
    assert_eq!(c.request(&get("/nope")).status, 404);
    assert_eq!(
        c.request(&get("/hello")).status,
        200,
        "a 404 keeps the connection"
    );
    assert!(server.shutdown());
}

/// Pipelined requests in one write are answered in order.
pub fn pipelined_in_order(start: Start) {
    let server = start(test_config());
    let mut c = Client::connect(server.local_addr());
    let mut batch = Vec::new();
    for i in 0..16 {
        batch.extend_from_slice(&get(&format!("/info?n={i}")));
    }
    batch.extend_from_slice(b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc");
    batch.extend_from_slice(&get("/sleep?ms=20"));
    batch.extend_from_slice(&get("/hello"));
    c.send(&batch);
    for i in 0..16 {
        assert_eq!(
            String::from_utf8(c.reply().body).unwrap(),
            format!("GET /info?n={i} HTTP/1.1")
        );
    }
    assert_eq!(c.reply().body, b"abc");
    assert_eq!(c.reply().body, b"slept");
    assert_eq!(c.reply().body, b"Hello, World!");
    assert!(server.shutdown());
}

/// HTTP/1.0 without keep-alive: answered, then closed.
pub fn http10_closes(start: Start) {
    let server = start(test_config());
    let mut c = Client::connect(server.local_addr());
    let r = c.request(b"GET /info HTTP/1.0\r\n\r\n");
    assert_eq!(r.status, 200);
    assert_eq!(r.body, b"GET /info HTTP/1.0");
    assert!(c.closed_within(Duration::from_secs(2)));
    assert!(server.shutdown());
}

/// HTTP/1.0 with `Connection: keep-alive` stays open and says so.
pub fn http10_keep_alive(start: Start) {
    let server = start(test_config());
    let mut c = Client::connect(server.local_addr());
    for _ in 0..2 {
        let r = c.request(b"GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        assert_eq!(r.status, 200);
        assert_eq!(
            r.header("connection").map(str::to_ascii_lowercase).as_deref(),
            Some("keep-alive")
        );
    }
    assert!(server.shutdown());
}

/// `Connection: close` from the client: answered with `Connection: close`, then closed.
pub fn connection_close(start: Start) {
    let server = start(test_config());
    let mut c = Client::connect(server.local_addr());
    let r = c.request(b"GET /hello HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("connection"), Some("close"));
    assert!(c.closed_within(Duration::from_secs(2)));
    assert!(server.shutdown());
}

/// `HEAD` gets the `GET` headers, including `Content-Length`, and no body.
pub fn head_has_no_body(start: Start) {
    let server = start(test_config());
    let mut c = Client::connect(server.local_addr());
    let r = c.send(b"HEAD /hello HTTP/1.1\r\nHost: t\r\n\r\n").reply_to(true);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-length"), Some("13"));
    // If a body had been sent, it would be read as the next response's start.
    assert_eq!(c.request(&get("/hello")).body, b"Hello, World!");
    assert!(server.shutdown());
}

/// A `Content-Length` body reaches the handler whole.
pub fn fixed_body(start: Start) {
    let server = start(test_config());
    let mut c = Client::connect(server.local_addr());
    let r = c.request(b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\n\r\nhello world");
    assert_eq!((r.status, r.body.as_slice()), (200, &b"hello world"[..]));
    assert_eq!(
        c.request(b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n")
            .body,
        b""
    );
    assert!(server.shutdown());
}

/// A body arriving in several writes, with pauses, is still one body.
pub fn body_in_pieces(start: Start) {
    let server = start(test_config());
    let mut c = Client::connect(server.local_addr());
    c.send(b"POST /echo HTTP/1.1\r\nHo");
    std::thread::sleep(Duration::from_millis(30));
    c.send(b"st: t\r\nContent-Length: 10\r\n\r\n01234");
    std::thread::sleep(Duration::from_millis(30));
    c.send(b"56789");
    assert_eq!(c.reply().body, b"0123456789");
    assert!(server.shutdown());
}

/// A chunked body, with a chunk extension and trailers, is decoded.
pub fn chunked_body(start: Start) {
    let server = start(test_config());
    let mut c = Client::connect(server.local_addr());
    let r = c.request(
        b"POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n\
          5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: yes\r\n\r\n",
    );
    assert_eq!((r.status, r.body.as_slice()), (200, &b"hello world"[..]));
    assert_eq!(
        c.request(&get("/hello")).status,
        200,
        "connection still usable after a chunked body"
    );
    assert!(server.shutdown());
}

/// `Expect: 100-continue` gets `100 Continue` before the body is sent.
pub fn expect_continue(start: Start) {
    let server = start(test_config());
    let mut c = Client::connect(server.local_addr());
    c.send(b"POST /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
    assert_eq!(c.reply().status, 100);
    c.send(b"hello");
    assert_eq!(c.reply().body, b"hello");
    assert!(server.shutdown());
}

/// A body near the limit round-trips, in large reads and writes.
pub fn large_body_echo(start: Start) {
    let server = start(test_config());
    let mut c = Client::connect(server.local_addr());
    let body: Vec<u8> = (0..1_000_000u32).map(|i| (i % 251) as u8).collect();
    let mut req = format!(
        "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    req.extend_from_slice(&body);
    let r = c.request(&req);
    assert_eq!(r.status, 200);
    assert!(r.body == body, "echoed body differs");
    assert!(server.shutdown());
}

/// A request line that is not one.
pub fn malformed_request_line(start: Start) {
    bad(start, b"GARBAGE\r\n\r\n");
}

/// Obsolete line folding in a header value.
pub fn obs_fold(start: Start) {
    bad(
        start,
        b"GET /hello HTTP/1.1\r\nHost: t\r\nX-Folded: a\r\n b\r\n\r\n",
    );
}

/// Whitespace between a field name and its colon.
pub fn space_before_colon(start: Start) {
    bad(start, b"GET /hello HTTP/1.1\r\nHost : t\r\n\r\n");
}

/// A NUL byte in a header value.
pub fn nul_in_value(start: Start) {
    bad(start, b"GET /hello HTTP/1.1\r\nHost: t\r\nX-A: a\0b\r\n\r\n");
}

/// A bare CR in a header value.
pub fn bare_cr_in_value(start: Start) {
    bad(start, b"GET /hello HTTP/1.1\r\nHost: t\r\nX-A: a\rb\r\n\r\n");
}

/// HTTP/1.1 requires `Host`.
pub fn missing_host(start: Start) {
    bad(start, b"GET /hello HTTP/1.1\r\nUser-Agent: t\r\n\r\n");
}

/// `Content-Length` and `Transfer-Encoding` together: refused, not guessed (no smuggling).
pub fn cl_and_te(start: Start) {
    bad(
        start,
        b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    );
}

/// Two `Content-Length` fields that disagree.
pub fn differing_content_lengths(start: Start) {
    bad(
        start,
        b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
    );
}

/// A sign in `Content-Length`.
pub fn signed_content_length(start: Start) {
    bad(
        start,
        b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: +3\r\n\r\nabc",
    );
}

/// A chunk size that is not hexadecimal.
pub fn bad_chunk_size(start: Start) {
    bad(
        start,
        b"POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
    );
}

/// A transfer coding we do not implement: `501 Not Implemented`, as Go and nginx answer.
pub fn unknown_transfer_coding(start: Start) {
    for coding in ["gzip", "gzip, chunked", "deflate"] {
        let req = format!("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: {coding}\r\n\r\nabc");
        expect_error(start, test_config(), req.as_bytes(), 501);
    }
}

/// A header section over `max_header_bytes`.
pub fn header_too_large(start: Start) {
    let config = Config {
        max_header_bytes: 4096,
        ..test_config()
    };
    let req = format!(
        "GET /hello HTTP/1.1\r\nHost: t\r\nX-Big: {}\r\n\r\n",
        "a".repeat(8000)
    );
    expect_error(start, config, req.as_bytes(), 431);
}

/// More header fields than `max_headers`.
pub fn too_many_headers(start: Start) {
    let config = Config {
        max_headers: 20,
        ..test_config()
    };
    let mut req = String::from("GET /hello HTTP/1.1\r\nHost: t\r\n");
    for i in 0..40 {
        req.push_str(&format!("X-H{i}: v\r\n"));
    }
    req.push_str("\r\n");
    expect_error(start, config, req.as_bytes(), 431);
}

/// A declared body over `max_body_bytes` is refused before it is read.
pub fn body_too_large(start: Start) {
    let config = Config {
        max_body_bytes: 1000,
        ..test_config()
    };
    let req = format!(
        "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5000\r\n\r\n{}",
        "x".repeat(5000)
    );
    expect_error(start, config, req.as_bytes(), 413);
}

/// A chunked body that grows over `max_body_bytes`.
pub fn chunked_body_too_large(start: Start) {
    let config = Config {
        max_body_bytes: 1000,
        ..test_config()
    };
    let chunk = format!("200\r\n{}\r\n", "x".repeat(0x200));
    let req = format!(
        "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n{}",
        chunk.repeat(4)
    );
    expect_error(start, config, req.as_bytes(), 413);
}

/// A version we do not speak.
pub fn unsupported_version(start: Start) {
    expect_error(
        start,
        test_config(),
        b"GET /hello HTTP/2.0\r\nHost: t\r\n\r\n",
        505,
    );
}

/// A head that does not complete within `header_read_timeout`: `408`, then closed.
pub fn header_read_timeout(start: Start) {
    let config = Config {
        header_read_timeout: Duration::from_millis(300),
        ..test_config()
    };
    let server = start(config);
    let mut c = Client::connect(server.local_addr());
    let began = Instant::now();
    c.send(b"GET /hello HTTP/1.1\r\nHost: t\r\n");
    assert_eq!(c.reply().status, 408);
    let waited = began.elapsed();
    assert!(
        waited >= Duration::from_millis(250) && waited < Duration::from_secs(2),
        "408 after {waited:?}"
    );
    assert!(c.closed_within(Duration::from_secs(2)));
    assert!(server.shutdown());
}

/// Trickling a head one byte at a time does not extend the header-read timeout (slowloris).
pub fn slowloris_trickle(start: Start) {
    let config = Config {
        header_read_timeout: Duration::from_millis(400),
        ..test_config()
    };
    let server = start(config);
    let mut c = Client::connect(server.local_addr());
    let began = Instant::now();
    let head =
        b"GET /hello HTTP/1.1\r\nHost: t\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    for byte in head {
        if c.stream.write_all(&[*byte]).is_err() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
        if began.elapsed() > Duration::from_secs(3) {
            break;
        }
    }
    let closed_after = began.elapsed();
    assert!(
        closed_after < Duration::from_secs(3),
        "a trickling client kept its connection for 3 s"
    );
    assert!(server.shutdown());
}

/// A keep-alive connection idle past `idle_timeout` is closed.
pub fn idle_timeout(start: Start) {
    let config = Config {
        idle_timeout: Duration::from_millis(300),
        // Far beyond the wait below, so that only the idle timeout can close the connection in it.
        header_read_timeout: Duration::from_secs(30),
        ..test_config()
    };
    let server = start(config);
    let mut c = Client::connect(server.local_addr());
    assert_eq!(c.request(&get("/hello")).status, 200);
    let began = Instant::now();
    assert!(
        c.closed_within(Duration::from_secs(3)),
        "idle connection not closed"
    );
    assert!(
        began.elapsed() >= Duration::from_millis(250),
        "closed after only {:?}",
        began.elapsed()
    );
    assert!(server.shutdown());
}

/// A panicking handler costs its request a `500`; the server goes on serving.
pub fn panic_isolation(start: Start) {
    let server = start(test_config());
    let mut c = Client::connect(server.local_addr());
    assert_eq!(c.request(&get("/panic")).status, 500);
    for _ in 0..3 {
        assert_eq!(
            Client::connect(server.local_addr())
                .request(&get("/hello"))
                .status,
            200
        );
    }
    assert!(server.shutdown());
}

/// The runtime-neutral wait and offload work on this backend.
pub fn sleep_and_offload(start: Start) {
    let server = start(test_config());
    let mut c = Client::connect(server.local_addr());
    let began = Instant::now();
    assert_eq!(c.request(&get("/sleep?ms=100")).body, b"slept");
    assert!(began.elapsed() >= Duration::from_millis(100));
    assert_eq!(c.request(&get("/offload")).body, b"42");
    assert!(server.shutdown());
}

/// `timeout` gives up on a future that never finishes once its time is up, not before and not
/// much after, and passes through one that finishes at once: the deadline never blocks.
pub fn timeout_races_its_deadline(start: Start) {
    let server = start(test_config());
    let mut c = Client::connect(server.local_addr());
    let began = Instant::now();
    let r = c.request(&get("/timeout"));
    let took = began.elapsed();
    assert_eq!(String::from_utf8(r.body).unwrap(), "Err(Elapsed(50ms)) Ok(42)");
    assert!(took >= Duration::from_millis(50), "{took:?}");
    assert!(took < Duration::from_secs(2), "{took:?}");
    assert!(server.shutdown());
}

/// Handlers that wait twice while many others wait too: each wait finds its backend's runtime, on
/// whichever thread the handler resumed (a may coroutine moves between threads as it waits).
pub fn sleeps_under_concurrency(start: Start) {
    const CLIENTS: usize = 32;
    const EACH: usize = 5;
    let server = start(test_config());
    let addr = server.local_addr();
    let clients: Vec<_> = (0..CLIENTS)
        .map(|_| {
            std::thread::spawn(move || {
                (0..EACH)
                    .map(|_| Client::connect(addr).request(&get("/sleep-twice?ms=2")))
                    .filter(|r| (r.status, r.body.as_slice()) != (200, &b"slept twice"[..]))
                    .count()
            })
        })
        .collect();
    let failed: usize = clients.into_iter().map(|c| c.join().unwrap()).sum();
    assert_eq!(
        failed,
        0,
        "of {} requests that wait twice, {failed} were not answered `slept twice`",
        CLIENTS * EACH
    );
    assert!(server.shutdown());
}

/// Shutdown lets a request in flight finish (with `Connection: close`), closes idle connections,
/// and stops accepting.
pub fn graceful_shutdown(start: Start) {
    let server = start(test_config());
    let addr = server.local_addr();
    let mut idle = Client::connect(addr);
    assert_eq!(idle.request(&get("/hello")).status, 200);
    let mut busy = Client::connect(addr);
    busy.send(&get("/sleep?ms=400"));
    std::thread::sleep(Duration::from_millis(100));
    let began = Instant::now();
    let stopper = std::thread::spawn(move || server.shutdown());
    let r = busy.reply();
    assert_eq!(
        (r.status, r.body.as_slice()),
        (200, &b"slept"[..]),
        "in-flight request lost"
    );
    assert_eq!(r.header("connection"), Some("close"));
    assert!(
        idle.closed_within(Duration::from_secs(2)),
        "idle connection not closed at shutdown"
    );
    assert!(
        stopper.join().unwrap(),
        "shutdown did not complete within the grace period"
    );
    assert!(began.elapsed() < Duration::from_secs(2));
    assert!(
        TcpStream::connect(addr).is_err(),
        "still accepting after shutdown"
    );
}

/// Past `max_connections` a new connection waits; it is served once another closes.
pub fn max_connections(start: Start) {
    let server = start(Config {
        max_connections: 2,
        ..test_config()
    });
    let addr = server.local_addr();
    let mut first = Client::connect(addr);
    let mut second = Client::connect(addr);
    assert_eq!(first.request(&get("/hello")).status, 200);
    assert_eq!(second.request(&get("/hello")).status, 200);
    let mut third = Client::connect(addr); // completes in the kernel's backlog
    third.send(&get("/hello"));
    third
        .stream
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    let mut byte = [0; 1];
    let waited = third.stream.read(&mut byte);
    assert!(
        waited.is_err(),
        "a connection over the limit was served at once: {waited:?}"
    );
    third.stream.set_read_timeout(Some(CLIENT_TIMEOUT)).unwrap();
    drop(first);
    assert_eq!(
        third.reply().status,
        200,
        "the waiting connection was not served after a slot freed"
    );
    assert_eq!(second.request(&get("/hello")).status, 200);
    assert!(server.shutdown());
}

/// 500 clients at once, each making several requests on its connection.
pub fn many_concurrent_clients(start: Start) {
    let _alone = exclusive();
    let server = start(test_config());
    let addr = server.local_addr();
    concurrently(500, move |i| {
        let mut c = Client::connect(addr);
        for j in 0..3 {
            let r = c.request(&get(&format!("/info?c={i}&r={j}")));
            assert_eq!(r.body, format!("GET /info?c={i}&r={j} HTTP/1.1").into_bytes());
        }
    });
    assert!(server.shutdown());
}
/// A client that pipelines without ever reading its responses: once the server's writes block
/// it stops reading, so what it buffers is bounded by the socket buffers; others are served.
pub fn unread_pipeline_is_bounded(start: Start) {
    let server = start(test_config());
    let mut greedy = TcpStream::connect(server.local_addr()).unwrap();
    greedy.set_nonblocking(true).unwrap();
    let burst = "GET /hello HTTP/1.1\r\nHost: t\r\n\r\n".repeat(512);
    let (mut sent, mut stalled_since) = (0usize, None::<Instant>);
    let give_up = Instant::now() + Duration::from_secs(10);
    // The server must stop taking requests: our writes block for good.
    while stalled_since.is_none_or(|since| since.elapsed() < Duration::from_millis(500)) {
        match greedy.write(burst.as_bytes()) {
            Ok(n) => (sent, stalled_since) = (sent + n, None),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                stalled_since.get_or_insert_with(Instant::now);
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(e) => panic!("the server dropped the connection after {sent} bytes: {e}"),
        }
        assert!(
            sent < 64 << 20,
            "the server took {sent} bytes of requests whose answers nobody reads"
        );
        assert!(
            Instant::now() < give_up,
            "the server kept reading an unread pipeline ({sent} bytes taken)"
        );
    }
    let mut other = Client::connect(server.local_addr());
    assert_eq!(other.request(&get("/hello")).status, 200);
    drop(greedy);
    assert!(server.shutdown());
}

/// Clients that reset their connection mid-request or mid-response cost nothing lasting: the
/// connections are released and everyone else is served.
pub fn resets_mid_request_and_response(start: Start) {
    let server = start(test_config());
    let addr = server.local_addr();
    let pipeline = get("/hello").repeat(2000);
    for i in 0..40 {
        let mut s = TcpStream::connect(addr).unwrap();
        if i % 2 == 0 {
            s.write_all(b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\npartial")
                .unwrap();
        } else {
            s.write_all(&pipeline).unwrap(); // 2,000 responses on their way when we reset
        }
        std::thread::sleep(Duration::from_millis(2));
        socket2::SockRef::from(&s)
            .set_linger(Some(Duration::ZERO))
            .unwrap(); // close sends RST
    }
    let mut c = Client::connect(addr);
    assert_eq!(c.request(&get("/hello")).status, 200);
    assert_eq!(
        connections_after(&server, 1, Duration::from_secs(5)),
        1,
        "reset connections were not released"
    );
    assert!(server.shutdown());
}

/// Hundreds of clients reset their connections at once, each just as its response arrives (a load
/// generator exiting): every connection is released promptly, not left to the idle timeout. The
/// resets land while the server, back from a `sleep`, has just written a response and waits to read;
/// a green-thread runtime that reads `errno` through an address cached on another thread sees a
/// stale `EAGAIN` there instead of the reset, and waits for good (may 0.3.51 under fat LTO).
pub fn mass_reset_as_responses_arrive(start: Start) {
    let _alone = exclusive();
    const CLIENTS: usize = 300;
    let server = start(Config {
        idle_timeout: Duration::from_secs(60),
        ..test_config()
    });
    let addr = server.local_addr();
    let mut survivor = Client::connect(addr);
    assert_eq!(survivor.request(&get("/hello")).status, 200);
    concurrently(CLIENTS, move |_| {
        let mut c = Client::connect(addr);
        for _ in 0..10 {
            assert_eq!(c.request(&get("/sleep?ms=10")).status, 200);
        }
        c.send(&get("/sleep?ms=10"));
        c.stream.peek(&mut [0]).unwrap(); // the response is arriving: reset without reading it
        socket2::SockRef::from(&c.stream)
            .set_linger(Some(Duration::ZERO))
            .unwrap(); // close sends RST
    });
    assert_eq!(
        connections_after(&server, 1, Duration::from_secs(5)),
        1,
        "connections reset by their clients still held 5 s later (idle timeout 60 s)"
    );
    assert_eq!(survivor.request(&get("/hello")).status, 200);
    assert!(server.shutdown());
}

/// With `half_close`, a client that sends its requests and then shuts down its sending side still
/// gets every answer, and then the connection is closed. The last requests and the end-of-file
/// arrive while the server is busy with the first, so it finds them together when it next reads.
pub fn half_closed_client(start: Start) {
    let server = start(Config {
        half_close: true,
        ..test_config()
    });
    let mut c = Client::connect(server.local_addr());
    c.send(&get("/sleep?ms=100"));
    std::thread::sleep(Duration::from_millis(30));
    c.send(&[get("/hello"), get("/hello")].concat());
    c.stream.shutdown(std::net::Shutdown::Write).unwrap();
    for expected in [&b"slept"[..], b"Hello, World!", b"Hello, World!"] {
        let r = c.reply();
        assert_eq!((r.status, r.body.as_slice()), (200, expected));
    }
    assert!(
        c.closed_within(Duration::from_secs(2)),
        "connection left open after the client's half-close"
    );
    assert!(server.shutdown());
}

/// 2 MB of chunk extensions around 500 bytes of data: refused (`400`) by Go's rule for framing that
/// outweighs its data (CVE-2023-39326), rather than read to the end.
pub fn chunk_extensions_outweighing_the_data(start: Start) {
    let server = start(test_config());
    let mut c = Client::connect(server.local_addr());
    c.send(b"POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n");
    let mut writer = c.stream.try_clone().unwrap();
    let sending = std::thread::spawn(move || {
        let chunk = format!("1;{}\r\nz\r\n", "e".repeat(4000));
        for _ in 0..500 {
            if writer.write_all(chunk.as_bytes()).is_err() {
                return; // the server answered and closed
            }
        }
        let _ = writer.write_all(b"0\r\n\r\n");
    });
    assert_eq!(c.reply().status, 400);
    drop(c);
    sending.join().unwrap();
    assert!(server.shutdown());
}

/// 2,000 clients trickle their heads a byte at a time (slowloris) while a normal client keeps
/// making requests: the normal requests are answered promptly throughout, and every slow
/// connection is closed (with or without a `408`) once the header-read timeout passes.
pub fn slowloris_crowd(start: Start) {
    let _alone = exclusive();
    const SLOW: usize = 2000;
    let timeout = Duration::from_secs(1);
    let server = start(Config {
        header_read_timeout: timeout,
        ..test_config()
    });
    let addr = server.local_addr();
    let began = Instant::now();
    let mut slow: Vec<TcpStream> = (0..SLOW)
        .map(|_| {
            let mut s = TcpStream::connect(addr).expect("connect a slow client");
            s.write_all(b"GET /hello HTTP/1.1\r\n").unwrap();
            s.set_nonblocking(true).unwrap();
            s
        })
        .collect();
    let opened = began.elapsed();
    let normal = std::thread::spawn(move || {
        let mut worst = Duration::ZERO;
        let mut c = Client::connect(addr);
        for _ in 0..40 {
            let sent = Instant::now();
            assert_eq!(c.request(&get("/hello")).status, 200);
            worst = worst.max(sent.elapsed());
            std::thread::sleep(Duration::from_millis(25));
        }
        worst
    });
    // One more header byte per slow client every 100 ms, until the timeout has passed for all.
    let mut open = vec![true; SLOW];
    while began.elapsed() < opened + timeout + Duration::from_secs(2) && open.contains(&true) {
        for (s, open) in slow.iter_mut().zip(&mut open).filter(|(_, open)| **open) {
            if let Err(e) = s.write(b"X")
                && e.kind() != io::ErrorKind::WouldBlock
            {
                *open = false;
                continue;
            }
            let mut buf = [0u8; 256];
            // EOF, a reset, or the 408 followed by EOF: the server has given up on this client.
            match s.read(&mut buf) {
                Ok(0) => *open = false,
                Err(e) if e.kind() != io::ErrorKind::WouldBlock => *open = false,
                _ => {}
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let closed_after = began.elapsed() - opened;
    let worst = normal
        .join()
        .expect("a normal request failed beside the slow clients");
    // Straight to stderr, as the figures of docs/reliability.md.
    let _ = writeln!(
        io::stderr(),
        "slowloris_crowd on {}: {SLOW} slow clients opened in {opened:?}; slowest normal request \
         {worst:?}; all slow ones closed {closed_after:?} after opening (header-read timeout {timeout:?})",
        BACKEND.get()
    );
    assert!(
        worst < Duration::from_millis(500),
        "a normal request took {worst:?} beside {SLOW} slow clients"
    );
    let still_open = open.iter().filter(|o| **o).count();
    assert_eq!(
        still_open, 0,
        "{still_open} slow clients still connected {closed_after:?} after the header-read timeout"
    );
    drop(slow);
    assert!(server.shutdown());
}

/// 200 clients at once, every other one hitting a handler that panics: each panic costs its
/// own request a `500` and nothing else; the others are served, and so is the next client.
pub fn panics_under_concurrency(start: Start) {
    let _alone = exclusive();
    let server = start(test_config());
    let addr = server.local_addr();
    concurrently(200, move |i| {
        let (path, status) = if i % 2 == 0 {
            ("/panic", 500)
        } else {
            ("/hello", 200)
        };
        assert_eq!(Client::connect(addr).request(&get(path)).status, status, "{path}");
    });
    assert_eq!(Client::connect(addr).request(&get("/hello")).status, 200);
    assert!(server.shutdown());
}

/// Runs `client(i)` for every `i` below `n`, all at once on their own threads; fails if one did.
fn concurrently(n: usize, client: impl Fn(usize) + Send + Copy + 'static) {
    let clients: Vec<_> = (0..n)
        .map(|i| {
            std::thread::Builder::new()
                .stack_size(64 * 1024)
                .spawn(move || client(i))
                .unwrap()
        })
        .collect();
    for c in clients {
        c.join().expect("a client failed");
    }
}
