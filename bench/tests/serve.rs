//! Starts the `serve` binary for every backend name and checks every route over real HTTP, then
//! stops it with SIGTERM and expects a clean exit.

mod common;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Command, Stdio};

use bench::BackendName;
use common::{check_routes, get};
use server_core::conformance::Client;

#[test]
fn every_backend_serves_every_route() {
    for backend in BackendName::ALL {
        let mut serve = Serve(
            Command::new(env!("CARGO_BIN_EXE_serve"))
                .args([
                    "--backend",
                    backend.as_str(),
                    "--addr",
                    "127.0.0.1:0",
                    "--workers",
                    "2",
                ])
                .stdout(Stdio::piped())
                .spawn()
                .expect("spawn serve"),
        );
        let mut line = String::new();
        BufReader::new(serve.0.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr: SocketAddr = line
            .split_whitespace()
            .find_map(|w| w.parse().ok())
            .unwrap_or_else(|| panic!("{}: no address in {line:?}", backend.as_str()));

        if backend == BackendName::CoroutineMinihttp {
            // may_minihttp keeps unread bytes as the next request and drops malformed ones; check
            // the routes without the framing probe.
            let mut c = Client::connect(addr);
            assert_eq!(c.request(&get("/plaintext")).body, b"Hello, World!");
            assert_eq!(c.request(&get("/json")).body, br#"{"message":"Hello, World!"}"#);
            assert_eq!(c.request(&get("/wait?ms=10")).body, b"ok");
            assert_eq!(c.request(&get("/cpu-offload?us=100")).status, 200);
            assert_eq!(
                c.request(b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nhi")
                    .body,
                b"hi"
            );
        } else {
            check_routes(addr);
        }

        // SAFETY: signalling our own child process.
        unsafe { libc_kill(serve.0.id() as i32, 15) };
        let status = serve.0.wait().unwrap();
        assert!(
            status.success(),
            "{}: serve exited with {status} after SIGTERM",
            backend.as_str()
        );
    }
}

/// Kills the server if the test fails before stopping it, so that no orphan outlives the test.
struct Serve(std::process::Child);

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

unsafe extern "C" {
    #[link_name = "kill"]
    fn libc_kill(pid: i32, sig: i32) -> i32;
}
