//! Starts the `serve` binary for every backend name and checks every route over real HTTP, then
//! stops it with SIGTERM and expects a clean exit.

mod common;

use bench::BackendName;
use common::{check_routes, get, serve};
use server_core::conformance::Client;

#[test]
fn every_backend_serves_every_route() {
    for backend in common::runnable() {
        let (mut server, addr) = serve(backend, None);

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
        unsafe { libc::kill(server.0.id() as i32, libc::SIGTERM) };
        let status = server.0.wait().unwrap();
        assert!(
            status.success(),
            "{}: serve exited with {status} after SIGTERM",
            backend.as_str()
        );
    }
}
