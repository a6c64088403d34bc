//! Engine tests on byte streams: every split of the input must give the same requests and bytes.

use super::*;
use http::header;

fn limits() -> Limits {
    Limits {
        server_header: None,
        ..Limits::default()
    }
}

/// A response whose bytes do not depend on the clock (a handler-set `Date` suppresses ours).
fn fixed_response(seen: &str) -> Response {
    let mut resp = Response::bytes(seen.to_owned());
    resp.headers_mut().insert(
        header::DATE,
        HeaderValue::from_static("Thu, 01 Jan 1970 00:00:00 GMT"),
    );
    resp
}

/// A request as text, its body read to the end with `read` supplying bytes (`None`: the body failed).
fn seen(conn: &mut Conn, req: Request, read: impl FnMut(&mut Conn)) -> Option<String> {
    let (parts, body) = req.into_parts();
    let body = fuzz::collect_sync(conn, body, read).ok()?;
    Some(format!("{} {} {:?}", parts.method, parts.uri, body))
}

/// Hands `bytes` to the engine as one read.
fn feed(conn: &mut Conn, bytes: &[u8]) {
    conn.read_buf()[..bytes.len()].copy_from_slice(bytes);
    conn.filled(bytes.len());
}

/// Feeds `chunks` one read at a time (a chunk larger than the offered buffer takes several reads),
/// answering every request, and returns (requests seen as text, all bytes written, whether the
/// engine closed).
fn run(chunks: &[&[u8]], limits: Limits) -> (Vec<String>, Vec<u8>, bool) {
    let mut conn = Conn::new(limits);
    let mut seen_requests = Vec::new();
    let mut written = Vec::new();
    let mut chunks = chunks.iter().filter(|c| !c.is_empty()); // an empty read means EOF
    let mut pending: &[u8] = &[];
    let mut read = |conn: &mut Conn| {
        written.extend_from_slice(conn.output());
        conn.written();
        if pending.is_empty() {
            pending = chunks.next().copied().unwrap_or(b"");
        }
        let buf = conn.read_buf();
        let n = pending.len().min(buf.len());
        buf[..n].copy_from_slice(&pending[..n]);
        conn.filled(n);
        pending = &pending[n..];
    };
    loop {
        match conn.advance() {
            Next::Request(req) => {
                let text = seen(&mut conn, req, &mut read);
                conn.respond(fixed_response(text.as_deref().unwrap_or("")), false);
                seen_requests.extend(text);
            }
            Next::Read(_) => read(&mut conn),
            Next::Close => {
                written.extend_from_slice(conn.output());
                return (seen_requests, written, true);
            }
        }
    }
}

const STREAM: &[u8] = b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n\
POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello\
POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3;e=1\r\nabc\r\n2\r\nde\r\n0\r\nT: v\r\n\r\n\
HEAD /d HTTP/1.1\r\nHost: x\r\n\r\n\
GET /e HTTP/1.0\r\nConnection: keep-alive\r\n\r\n\
GET /f HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";

#[test]
fn every_split_gives_the_same_requests_and_bytes() {
    let (want_seen, want_bytes, closed) = run(&[STREAM], limits());
    assert!(closed);
    assert_eq!(
        want_seen,
        [
            "GET /a b\"\"",
            "POST /b b\"hello\"",
            "POST /c b\"abcde\"",
            "HEAD /d b\"\"",
            "GET /e b\"\"",
            "GET /f b\"\""
        ]
    );
    let text = String::from_utf8(want_bytes.clone()).unwrap();
    assert_eq!(text.matches("HTTP/1.1 200 OK\r\n").count(), 6, "{text}");
    assert!(
        text.contains("connection: keep-alive\r\n"),
        "HTTP/1.0 keep-alive acknowledged"
    );
    assert!(
        text.ends_with("connection: close\r\ncontent-length: 10\r\n\r\nGET /f b\"\""),
        "{text}"
    );
    for at in 0..=STREAM.len() {
        let (a, b) = STREAM.split_at(at);
        let got = run(&[a, b], limits());
        assert_eq!((&got.0, &got.1), (&want_seen, &want_bytes), "split at {at}");
    }
    let bytes: Vec<&[u8]> = STREAM.chunks(1).collect();
    let got = run(&bytes, limits());
    assert_eq!((&got.0, &got.1), (&want_seen, &want_bytes), "byte by byte");
}

#[test]
fn pipelined_batch_is_one_write() {
    let one = b"GET /p HTTP/1.1\r\nHost: x\r\n\r\n";
    let batch: Vec<u8> = one.iter().copied().cycle().take(one.len() * 16).collect();
    let mut conn = Conn::new(limits());
    assert!(matches!(conn.advance(), Next::Read(Wait::Head(_))));
    feed(&mut conn, &batch);
    let mut served = 0;
    while let Next::Request(req) = conn.advance() {
        let text = seen(&mut conn, req, |_| panic!("no body to read"));
        conn.respond(fixed_response(&text.unwrap()), false);
        served += 1;
    }
    assert_eq!(served, 16);
    let out = String::from_utf8(conn.output().to_vec()).unwrap();
    assert_eq!(
        out.matches("HTTP/1.1 200 OK").count(),
        16,
        "all 16 responses wait in one buffer"
    );
}

/// Each bad input gets its answer and the connection closes, whatever the split.
#[test]
fn bad_input_answers() {
    let big_header = format!("GET / HTTP/1.1\r\nHost: x\r\nX: {}\r\n\r\n", "a".repeat(40_000));
    let cases: &[(&[u8], &str)] = &[
        (b"GARBAGE\r\n\r\n", "400"),
        (b"GET / HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\n\r\n", "400"),
        (b"GET / HTTP/1.1\r\nHost : x\r\n\r\n", "400"),
        (b"GET / HTTP/1.1\r\nHost: x\r\nX: a\0b\r\n\r\n", "400"),
        (b"GET / HTTP/1.1\r\nHost: x\r\nX: a\rb\r\n\r\n", "400"),
        (b"GET / HTTP/1.1\r\n\r\n", "400"),
        (b"GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", "400"),
        (b"GET / HTTP/1.1\r\nHost: a b\r\n\r\n", "400"),
        (b"GET / HTTP/1.1\r\nHost: user@x\r\n\r\n", "400"),
        (b"GET / HTTP/1.1\r\nHost: x/y\r\n\r\n", "400"),
        (b"GET http://user@x/ HTTP/1.1\r\nHost: x\r\n\r\n", "400"),
        (
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
            "400",
        ),
        (
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
            "400",
        ),
        (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", "400"),
        (
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1 2\r\n\r\n",
            "400",
        ),
        (
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n",
            "400",
        ),
        (
            b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            "400",
        ),
        (
            b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n",
            "400",
        ),
        (
            b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n11111111111111111\r\n",
            "400",
        ),
        (
            b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n",
            "400",
        ),
        (
            b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n",
            "501",
        ),
        (
            b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
            "501",
        ),
        (
            b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
            "400",
        ),
        (
            b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
            "400",
        ),
        (
            b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            "400",
        ),
        (
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n",
            "413",
        ),
        (big_header.as_bytes(), "431"),
        (b"GET / HTTP/2.0\r\nHost: x\r\n\r\n", "505"),
        (b"GET / HTTP/1.2\r\nHost: x\r\n\r\n", "505"),
        (b"GET / HTTX/1.1\r\nHost: x\r\n\r\n", "400"),
    ];
    for (input, status) in cases {
        let (seen, bytes, closed) = run(&[input], limits());
        let text = String::from_utf8_lossy(&bytes);
        let shown = String::from_utf8_lossy(&input[..input.len().min(80)]);
        assert!(seen.is_empty(), "{shown:?} reached the handler");
        assert!(closed, "{shown:?} left the connection open");
        assert!(
            text.starts_with(&format!("HTTP/1.1 {status} ")),
            "{shown:?} answered {text:?}"
        );
        assert!(text.contains("connection: close\r\n"), "{shown:?}");
    }
}

/// An absolute-form target's authority is the request's host, whatever `Host` said (RFC 9112 §3.2.2).
#[test]
fn an_absolute_target_s_authority_wins_over_host() {
    let mut conn = Conn::new(limits());
    feed(
        &mut conn,
        b"GET http://real.example:8080/p?q HTTP/1.1\r\nHost: spoofed\r\n\r\n",
    );
    let Next::Request(req) = conn.advance() else {
        panic!("not served")
    };
    assert_eq!(req.headers()[header::HOST], "real.example:8080");
    assert_eq!(req.uri().path_and_query().unwrap(), "/p?q");
    let mut conn = Conn::new(limits());
    feed(&mut conn, b"GET / HTTP/1.1\r\nHost: [::1]:80\r\n\r\n");
    assert!(
        matches!(conn.advance(), Next::Request(_)),
        "an IP literal is a host"
    );
}

#[test]
fn expect_continue_only_when_the_body_is_missing() {
    let head = b"POST /x HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n";
    let (_, bytes, _) = run(&[head, b"ok"], limits());
    assert!(bytes.starts_with(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n"));
    let whole = [&head[..], b"ok"].concat();
    let (_, bytes, _) = run(&[&whole], limits());
    assert!(
        bytes.starts_with(b"HTTP/1.1 200 OK\r\n"),
        "body already here: no 100"
    );
    let huge = b"POST /x HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 9999999\r\n\r\n";
    let (_, bytes, _) = run(&[huge], limits());
    assert!(bytes.starts_with(b"HTTP/1.1 413 "), "too large: 413, never 100");
}

#[test]
fn head_response_has_length_but_no_body() {
    let (_, bytes, _) = run(&[b"HEAD /x HTTP/1.1\r\nHost: x\r\n\r\n"], limits());
    let text = String::from_utf8(bytes).unwrap();
    assert!(text.ends_with("content-length: 11\r\n\r\n"), "{text}"); // `HEAD /x b""`
}

#[test]
fn engine_owns_framing_headers() {
    let mut conn = Conn::new(limits());
    let req = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    feed(&mut conn, req);
    let Next::Request(_) = conn.advance() else {
        panic!()
    };
    let mut resp = Response::text("abc");
    resp.headers_mut()
        .insert(header::CONTENT_LENGTH, HeaderValue::from_static("999"));
    resp.headers_mut()
        .insert(header::TRANSFER_ENCODING, HeaderValue::from_static("chunked"));
    conn.respond(resp, false);
    let text = String::from_utf8(conn.output().to_vec()).unwrap();
    assert!(text.contains("content-length: 3\r\n") && !text.contains("999") && !text.contains("chunked"));
}

#[test]
fn no_content_and_not_modified_have_no_body() {
    for status in [StatusCode::NO_CONTENT, StatusCode::NOT_MODIFIED] {
        let mut conn = Conn::new(limits());
        let req = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n";
        feed(&mut conn, req);
        let Next::Request(_) = conn.advance() else {
            panic!()
        };
        conn.respond(Response::text("ignored").with_status(status), false);
        let text = String::from_utf8(conn.output().to_vec()).unwrap();
        assert!(
            !text.contains("content-length") && text.ends_with("\r\n\r\n"),
            "{text}"
        );
    }
}

/// Whatever the peer sends, the engine holds no more than its limits (plus one read).
#[test]
fn memory_is_bounded_by_the_limits() {
    let limits = Limits {
        max_header_bytes: 8 * 1024,
        max_body_bytes: 64 * 1024,
        ..limits()
    };
    let bound = limits.max_header_bytes + limits.max_body_bytes + MAX_READ;
    let endless_head = b"GET / HTTP/1.1\r\nHost: x\r\nX-Endless: "
        .iter()
        .chain(std::iter::repeat(&b'a'));
    let endless_body = b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        .iter()
        .chain(
            b"400\r\n"
                .iter()
                .chain(std::iter::repeat_n(&b'z', 0x400))
                .chain(b"\r\n")
                .cycle(),
        );
    let endless_ext = b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1;"
        .iter()
        .chain(std::iter::repeat(&b'e'));
    let streams: Vec<(Box<dyn Iterator<Item = &u8>>, &str)> = vec![
        (Box::new(endless_head), "431"),
        (Box::new(endless_body), "413"),
        (Box::new(endless_ext), "400"),
    ];
    for (mut stream, status) in streams {
        let mut conn = Conn::new(limits.clone());
        let mut fed = 0;
        let mut read = |conn: &mut Conn| {
            let buf = conn.read_buf();
            let n = buf.len().min(1000);
            for slot in &mut buf[..n] {
                *slot = *stream.next().unwrap();
            }
            conn.filled(n);
            fed += n;
            assert!(
                conn.buffered() <= bound,
                "holds {} after {fed} bytes",
                conn.buffered()
            );
            assert!(fed < 10_000_000, "never answered");
        };
        loop {
            match conn.advance() {
                Next::Read(_) => read(&mut conn),
                Next::Close => break,
                Next::Request(req) => {
                    let text = seen(&mut conn, req, &mut read);
                    assert!(text.is_none(), "endless input was served whole");
                    conn.respond(Response::text("handler's answer"), false);
                }
            }
        }
        let text = String::from_utf8_lossy(conn.output());
        assert!(text.starts_with(&format!("HTTP/1.1 {status} ")), "{text}");
        assert!(conn.should_linger());
    }
}

/// A head trickled in a byte at a time is parsed a bounded number of times, not once per byte (which
/// made a 32 KiB head cost about half a gigabyte of scanning).
#[test]
fn a_trickled_head_is_parsed_once_it_is_complete() {
    let mut head = b"GET /t HTTP/1.1\r\nHost: x\r\n".to_vec();
    while head.len() < 30 * 1024 {
        head.extend_from_slice(format!("X-Filler: {}\r\n", "f".repeat(1000)).as_bytes());
    }
    head.extend_from_slice(b"\r\n");
    let mut conn = Conn::new(limits());
    head::PARSES.set(0);
    for (i, byte) in head.iter().enumerate() {
        match conn.advance() {
            Next::Read(_) => feed(&mut conn, &[*byte]),
            other => panic!("after {i} bytes: {other:?}"),
        }
    }
    let next = conn.advance();
    let Next::Request(req) = next else {
        panic!(
            "the complete head was not served: {next:?} {:?}",
            String::from_utf8_lossy(conn.output())
        )
    };
    assert_eq!(req.uri(), "/t");
    assert!(head::PARSES.get() <= 2, "{} parses", head::PARSES.get());
}

/// Chunk extensions cost what they weigh: a body whose framing outweighs its data is refused by Go's
/// rule (CVE-2023-39326), while one byte per chunk (five bytes of framing a byte) is served.
#[test]
fn chunk_extensions_outweighing_the_data_are_refused() {
    let ext = format!(";{}", "e".repeat(4000));
    let mut heavy = b"POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    for _ in 0..500 {
        heavy.extend_from_slice(format!("1{ext}\r\nz\r\n").as_bytes()); // 2 MB of extensions, 500 bytes
    }
    heavy.extend_from_slice(b"0\r\n\r\n");
    let (_, written, closed) = run(&[&heavy], limits());
    assert!(
        written.starts_with(b"HTTP/1.1 400 "),
        "{}",
        String::from_utf8_lossy(&written)
    );
    assert!(closed);

    let mut light = b"POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    for _ in 0..100_000 {
        light.extend_from_slice(b"1\r\nz\r\n");
    }
    light.extend_from_slice(b"0\r\n\r\n");
    let (seen, _, _) = run(&[&light], limits());
    assert_eq!(seen.len(), 1, "one byte per chunk is legitimate framing");
}

#[test]
fn timeouts_answer_408_only_mid_request() {
    let mut conn = Conn::new(limits());
    assert!(matches!(conn.advance(), Next::Read(Wait::Head(_))));
    conn.timed_out();
    assert!(matches!(conn.advance(), Next::Close));
    assert!(conn.output().is_empty(), "nothing received: silent close");

    let mut conn = Conn::new(limits());
    feed(&mut conn, b"GET /");
    assert!(matches!(conn.advance(), Next::Read(Wait::Head(_))));
    conn.timed_out();
    assert!(matches!(conn.advance(), Next::Close));
    assert!(conn.output().starts_with(b"HTTP/1.1 408 "));
}

#[test]
fn idle_between_requests() {
    let mut conn = Conn::new(limits());
    let req = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    feed(&mut conn, req);
    let Next::Request(_) = conn.advance() else {
        panic!()
    };
    conn.respond(fixed_response("GET /"), false);
    assert!(matches!(conn.advance(), Next::Read(Wait::Idle)));
    assert!(!conn.is_idle(), "a response is still to be written");
    conn.written();
    assert!(conn.is_idle());
}

#[test]
fn header_count_past_the_stack_slots_up_to_max_headers() {
    let request = |fields: usize| {
        let mut req = String::from("GET /many HTTP/1.1\r\nHost: x\r\n");
        for i in 1..fields {
            req.push_str(&format!("X-F{i}: {i}\r\n"));
        }
        req + "\r\n"
    };
    let (seen, written, _) = run(&[request(100).as_bytes()], limits());
    assert_eq!(seen, ["GET /many b\"\""]);
    assert!(written.starts_with(b"HTTP/1.1 200 "));
    let (_, written, closed) = run(&[request(101).as_bytes()], limits());
    assert!(written.starts_with(b"HTTP/1.1 431 ") && closed);
}

/// Every committed fuzzing seed and every input that once failed a fuzz target, replayed through the
/// same harness as `cargo fuzz` runs (server-core/fuzz; docs/reliability.md).
#[test]
fn fuzz_seeds_and_regressions_replay() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    type Harness = fn(&[u8]);
    let targets: [(&str, Harness); 4] = [
        ("stream", super::fuzz::stream),
        ("pipeline", super::fuzz::pipeline),
        ("chunked", super::fuzz::chunked),
        ("encode", super::fuzz::encode),
    ];
    for (target, harness) in targets {
        let mut replayed = 0;
        for dir in ["seeds", "regressions"] {
            let Ok(entries) = std::fs::read_dir(root.join(dir).join(target)) else {
                continue;
            };
            for entry in entries {
                let path = entry.unwrap().path();
                let data = std::fs::read(&path).unwrap();
                if std::panic::catch_unwind(|| harness(&data)).is_err() {
                    panic!("{} fails its harness", path.display());
                }
                replayed += 1;
            }
        }
        assert!(
            replayed >= 3,
            "{target}: only {replayed} inputs found under {}",
            root.display()
        );
    }
}

#[test]
fn an_idle_connection_releases_its_buffers_and_a_busy_one_keeps_them() {
    let mut conn = Conn::new(limits());
    feed(
        &mut conn,
        b"GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\n",
    );
    let Next::Request(_) = conn.advance() else {
        panic!("the first request is complete")
    };
    conn.respond(fixed_response("a"), false);
    conn.release_buffers();
    assert!(conn.buffered() > 0, "half a request is buffered: kept");
    assert!(!conn.output().is_empty(), "the answer is not written yet: kept");
    conn.written();
    feed(&mut conn, b"Host: x\r\n\r\n");
    let Next::Request(_) = conn.advance() else {
        panic!("the second request is complete")
    };
    conn.respond(fixed_response("b"), false);
    conn.written();
    assert!(matches!(conn.advance(), Next::Read(Wait::Idle)));
    conn.release_buffers();
    assert_eq!(conn.buffered(), 0);
    assert_eq!(conn.output.capacity(), 0);
    // The next request reads into a fresh buffer.
    feed(&mut conn, b"GET /c HTTP/1.1\r\nHost: x\r\n\r\n");
    assert!(matches!(conn.advance(), Next::Request(_)));
}

#[test]
fn a_read_that_fills_its_room_gets_twice_the_room_from_then_on() {
    const REQUEST: &[u8] = b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n";
    let mut conn = Conn::new(limits());
    let room = conn.read_buf().len();
    conn.read_cancelled();
    assert!(room >= READ_CHUNK);
    let count = room / REQUEST.len() + 2;
    let pipelined = REQUEST.repeat(count);

    let buf = conn.read_buf();
    assert_eq!(buf.len(), room);
    buf.copy_from_slice(&pipelined[..room]);
    conn.filled(room);
    let mut served = 0;
    while let Next::Request(_) = conn.advance() {
        conn.respond(fixed_response("a"), false);
        served += 1;
    }
    conn.written();
    let buf = conn.read_buf();
    assert!(buf.len() >= 2 * room, "a full read doubles the next one's room");
    let rest = &pipelined[room..];
    buf[..rest.len()].copy_from_slice(rest);
    conn.filled(rest.len());
    while let Next::Request(_) = conn.advance() {
        conn.respond(fixed_response("a"), false);
        served += 1;
    }
    assert_eq!(served, count, "every request arrived whole");
    assert_eq!(conn.read_room, 2 * room, "a shorter read keeps the room");
    conn.written();
    conn.release_buffers();
    assert!(conn.read_buf().len() >= 2 * room, "and so does a fresh buffer");
}
