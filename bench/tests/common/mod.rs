//! The route contract, checked over real HTTP: shared by the tests of `serve` and of the
//! reference servers.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use server_core::conformance::Client;

pub fn get(path: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nHost: t\r\n\r\n").into_bytes()
}

pub fn check_routes(addr: SocketAddr) {
    let mut c = Client::connect(addr);
    let r = c.request(&get("/plaintext"));
    assert_eq!((r.status, r.body.as_slice()), (200, &b"Hello, World!"[..]));
    assert!(r.header("content-type").unwrap().starts_with("text/plain"));

    let r = c.request(&get("/json"));
    assert_eq!(
        (r.status, r.header("content-type")),
        (200, Some("application/json"))
    );
    assert_eq!(r.body, br#"{"message":"Hello, World!"}"#);

    let began = Instant::now();
    let r = c.request(&get("/wait?ms=50"));
    assert_eq!((r.status, r.body.as_slice()), (200, &b"ok"[..]));
    assert!(began.elapsed() >= Duration::from_millis(50));

    for route in ["/cpu?us=2000", "/cpu-offload?us=2000"] {
        let began = Instant::now();
        let r = c.request(&get(route));
        assert_eq!(r.status, 200, "{route}");
        assert!(
            std::str::from_utf8(&r.body).unwrap().parse::<u64>().is_ok(),
            "{route} returns its result"
        );
        assert!(
            began.elapsed() >= Duration::from_millis(2),
            "{route} burned its time"
        );
    }

    let r = c.request(b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nround-trip");
    assert_eq!((r.status, r.body.as_slice()), (200, &b"round-trip"[..]));
    assert_eq!(c.request(&get("/echo")).status, 405, "GET on a POST route");

    assert_eq!(Client::connect(addr).request(&get("/nope")).status, 404);
}
