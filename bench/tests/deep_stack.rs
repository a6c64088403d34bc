//! A deeply nested JSON document on a connection's own stack (issue 46, item 8).
//!
//! serde_json refuses a document nested 128 deep (its recursion limit) and parses one nested 127 deep,
//! recursing once per level; axum's `Json<Value>` adds `serde_path_to_error`'s frames to each, and
//! echoing the value back and dropping it recurse again. The threads and coroutine backends run that
//! on the connection's own stack (`Config::stack_size`); a stack overflow there is a SIGSEGV on the
//! guard page, which ends the process: every connection, not the one. The default stack must hold it.
//!
//! The ignored tests are the measurements behind that default (`Config::stack_size`'s docs), each
//! case in a child process of this test binary so that an overflow ends only the child:
//!
//! ```text
//! cargo test -p bench --test deep_stack -- --ignored --nocapture stack_needed
//! cargo test -p bench --test deep_stack -- --ignored --nocapture memory_per_connection
//! cargo test -p bench --test deep_stack -- --ignored --nocapture what_an_overflow_does
//! ```
//!
//! (`--release` for a release build's figures.)

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::Command;
use std::time::{Duration, Instant};

use axum::Json;
use bench::BackendName;
use serde_json::Value;
use server_core::conformance::{Client, test_config};
use server_core::tower::from_service;
use server_core::{Config, Handler, Request, Response, Router, ServerHandle, StatusCode};

/// serde_json's recursion limit: a document nested this deep is refused, one less deep is parsed.
const LIMIT: usize = 128;

fn nested(depth: usize) -> String {
    "[".repeat(depth) + &"]".repeat(depth)
}

/// `POST /axum/deep`: axum's `Json<Value>` in and out. `POST /native/deep`: the same with
/// `serde_json::from_slice` in a server-core handler. `GET /plaintext`, `GET /wait?ms=`.
fn app() -> Router {
    let axum = axum::Router::new().route(
        "/axum/deep",
        axum::routing::post(|Json(v): Json<Value>| async move { Json(v) }),
    );
    Router::new()
        .post("/axum/deep", from_service(axum))
        .post("/native/deep", |req: Request| async move {
            let body = match req.into_body().collect().await {
                Ok(body) => body,
                Err(e) => return e.into_response(),
            };
            match serde_json::from_slice::<Value>(&body) {
                Ok(value) => Response::json(&value),
                Err(e) => Response::text(e.to_string()).with_status(StatusCode::BAD_REQUEST),
            }
        })
        .get("/plaintext", |_req: Request| Response::text("Hello, World!"))
        .get("/wait", |req: Request| async move {
            let ms = req
                .uri()
                .query()
                .and_then(|q| q.strip_prefix("ms="))
                .and_then(|ms| ms.parse().ok())
                .unwrap_or(0);
            server_core::sleep(Duration::from_millis(ms)).await;
            Response::text("ok")
        })
}

fn bind(backend: BackendName, config: Config, handler: impl Handler) -> ServerHandle {
    let started = backend.bind(config, handler);
    started.unwrap_or_else(|e| panic!("{}: {e}", backend.as_str()))
}

fn post_json(path: &str, body: &str) -> Vec<u8> {
    format!(
        "POST {path} HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn get(path: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nHost: t\r\n\r\n").into_bytes()
}

/// Sends the deepest document serde_json parses, and one level more, to `route`; checks the answers
/// (the echo, and a 400 for the refused one) and that the connection and the server carry on.
fn deep_documents_are_answered(addr: SocketAddr, route: &str, name: &str) {
    let mut c = Client::connect(addr);
    let deepest = nested(LIMIT - 1);
    let r = c.request(&post_json(route, &deepest));
    assert_eq!(
        (r.status, r.body.as_slice()),
        (200, deepest.as_bytes()),
        "{name} {route}: {} deep",
        LIMIT - 1
    );
    let r = c.request(&post_json(route, &nested(LIMIT)));
    assert_eq!(
        r.status, 400,
        "{name} {route}: {LIMIT} deep is past serde_json's limit"
    );
    assert_eq!(
        c.request(&get("/plaintext")).status,
        200,
        "{name}: the connection carries on"
    );
    let r = Client::connect(addr).request(&get("/plaintext"));
    assert_eq!(r.status, 200, "{name}: the server carries on");
}

#[test]
fn the_deepest_json_is_answered_on_every_backend_with_the_default_stack() {
    for backend in common::runnable() {
        if !backend.serves_axum() {
            continue; // may_minihttp: may's own 32 KiB stacks, not `Config::stack_size`
        }
        let name = backend.as_str();
        let server = bind(backend, test_config(), app());
        for route in ["/axum/deep", "/native/deep"] {
            deep_documents_are_answered(server.local_addr(), route, name);
        }
        assert!(server.shutdown(), "{name}");
    }
}

// ---- measurements (ignored): each case runs in a child process of this binary ----

const PROBE: &str = "DEEP_STACK_PROBE";

fn backend_named(name: &str) -> BackendName {
    BackendName::ALL
        .into_iter()
        .find(|b| b.as_str() == name)
        .unwrap_or_else(|| panic!("no backend {name}"))
}

/// Runs `probe` in a child process with `args` in its environment; whether it passed.
fn child(args: &str) -> bool {
    let status = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "probe", "--ignored", "--nocapture", "--test-threads=1"])
        .env(PROBE, args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .output()
        .unwrap();
    if !status.status.success() {
        eprintln!(
            "    child ({args}) failed: {}: {}",
            status.status,
            String::from_utf8_lossy(&status.stderr)
                .lines()
                .filter(|l| !l.trim().is_empty())
                .take(2)
                .collect::<Vec<_>>()
                .join(" / ")
        );
    }
    for line in String::from_utf8_lossy(&status.stdout).lines() {
        if let Some(at) = line.find("MEASURED") {
            println!("{}", &line[at..]);
        }
    }
    status.status.success()
}

/// Child side: `stack BACKEND ROUTE DEPTH STACK_BYTES` serves one document nested DEPTH deep;
/// `memory BACKEND STACK_BYTES STATE CONNECTIONS` prints RSS per connection.
#[test]
#[ignore]
fn probe() {
    let Ok(args) = std::env::var(PROBE) else {
        return;
    };
    let args: Vec<&str> = args.split_whitespace().collect();
    let _ = server_core::backend::raise_fd_limit();
    match args.as_slice() {
        ["stack", backend, route, depth, stack] => {
            let config = Config {
                stack_size: stack.parse().unwrap(),
                ..test_config()
            };
            let server = bind(backend_named(backend), config, app());
            let depth: usize = depth.parse().unwrap();
            let r = Client::connect(server.local_addr()).request(&post_json(route, &nested(depth)));
            assert_eq!(r.status, if depth < LIMIT { 200 } else { 400 });
            assert!(server.shutdown());
        }
        ["overflow", backend, route, depth, stack] => {
            let config = Config {
                stack_size: stack.parse().unwrap(),
                ..test_config()
            };
            let server = bind(backend_named(backend), config, app());
            let addr = server.local_addr();
            let mut s = TcpStream::connect(addr).unwrap();
            s.write_all(&post_json(route, &nested(depth.parse().unwrap())))
                .unwrap();
            s.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
            let mut buf = [0u8; 64];
            println!(
                "MEASURED overflow: the deep request's connection reads {:?}",
                s.read(&mut buf)
            );
            let r = Client::connect(addr).request(&get("/plaintext"));
            println!("MEASURED overflow: another connection then gets {}", r.status);
            let began = Instant::now();
            println!(
                "MEASURED overflow: shutdown {} after {:?}",
                server.shutdown(),
                began.elapsed()
            );
        }
        ["memory", backend, stack, state, n] => {
            let stack: usize = stack.parse().unwrap();
            let config = Config {
                stack_size: stack,
                idle_timeout: Duration::from_secs(60),
                ..test_config()
            };
            let server = bind(backend_named(backend), config, app());
            let addr = server.local_addr();
            assert_eq!(Client::connect(addr).request(&get("/plaintext")).status, 200);
            std::thread::sleep(Duration::from_millis(500));
            let base = rss_kib();
            let n: usize = n.parse().unwrap();
            let request = match *state {
                "idle" => get("/plaintext"),
                "deep-then-idle" => post_json("/axum/deep", &nested(LIMIT - 1)),
                "wait" => get("/wait?ms=4000"),
                other => panic!("no state {other}"),
            };
            let mut conns = Vec::with_capacity(n);
            for _ in 0..n {
                let mut s = TcpStream::connect(addr).unwrap();
                s.write_all(&request).unwrap();
                conns.push(s);
            }
            if *state != "wait" {
                for s in &mut conns {
                    read_reply(s);
                }
            }
            std::thread::sleep(Duration::from_millis(1500));
            let rss = rss_kib();
            println!(
                "MEASURED {backend} stack={} KiB {state}: {:.1} KiB/conn (RSS {} -> {} KiB, {n} connections)",
                stack / 1024,
                (rss - base) as f64 / n as f64,
                base,
                rss
            );
            if *state == "wait" {
                for s in &mut conns {
                    read_reply(s);
                }
            }
            drop(conns);
            assert!(server.shutdown());
        }
        other => panic!("bad probe {other:?}"),
    }
}

/// Reads one short response (whole, by its `Content-Length`).
fn read_reply(s: &mut TcpStream) {
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = s.read(&mut buf).unwrap();
        assert!(n > 0, "closed before the reply");
        got.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&got);
        if let Some(end) = text.find("\r\n\r\n") {
            let len: usize = text[..end]
                .lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("content-length")
                        .then(|| v.trim().parse().ok())?
                })
                .unwrap_or(0);
            if got.len() >= end + 4 + len {
                assert!(text.starts_with("HTTP/1.1 200"), "{text}");
                return;
            }
        }
    }
}

fn rss_kib() -> i64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

/// The least stack (to 1 KiB) each backend needs for the deepest document on each route.
#[test]
#[ignore]
fn stack_needed() {
    let started = Instant::now();
    for backend in ["threads", "coroutine"] {
        for route in ["/axum/deep", "/native/deep"] {
            for depth in [1, LIMIT - 1, LIMIT] {
                // Invariant: `low` overflows (or is too small to start), `high` serves.
                let (mut low, mut high) = (4 * 1024, 4 << 20);
                assert!(child(&format!("stack {backend} {route} {depth} {high}")));
                while high - low > 1024 {
                    let mid = (low + high) / 2 / 1024 * 1024;
                    if child(&format!("stack {backend} {route} {depth} {mid}")) {
                        high = mid;
                    } else {
                        low = mid;
                    }
                }
                println!(
                    "MEASURED {backend} {route} depth {depth}: needs {} KiB of stack",
                    high / 1024
                );
            }
        }
    }
    println!("in {:?}", started.elapsed());
}

/// RSS per connection at 2,000 connections (`DEEP_STACK_CONNECTIONS`): idle after a small request,
/// waiting in a handler, and idle after the deepest document; at 64 KiB, 512 KiB and 1 MiB stacks.
#[test]
#[ignore]
fn memory_per_connection() {
    let n: usize = std::env::var("DEEP_STACK_CONNECTIONS").map_or(2000, |n| n.parse().unwrap());
    for backend in ["threads", "coroutine"] {
        for stack in [64 << 10, 512 << 10, 1 << 20] {
            for state in ["idle", "wait", "deep-then-idle"] {
                child(&format!("memory {backend} {stack} {state} {n}"));
            }
        }
    }
}

/// What an overflow did at the former default, 64 KiB: on threads, the process aborts; on
/// coroutine, the connection hangs and shutdown cannot finish.
#[test]
#[ignore]
fn what_an_overflow_does() {
    for backend in ["threads", "coroutine"] {
        let survived = child(&format!(
            "overflow {backend} /axum/deep {} {}",
            LIMIT - 1,
            64 << 10
        ));
        println!("MEASURED {backend}: the server process survived: {survived}");
    }
}
