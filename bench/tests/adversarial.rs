//! Faults that need a process of their own, on every backend through `serve`: a SIGTERM while
//! clients have requests in flight, and running out of file descriptors. (The in-process attacks
//! are cases of the conformance suite.)

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use bench::BackendName;
use common::serve;
use server_core::conformance::Client;

/// may_minihttp does not track its connections: on shutdown it stops accepting and exits, cutting
/// requests in flight (a known gap of that reference engine in the conformance suite).
const NOT_GRACEFUL: [BackendName; 1] = [BackendName::CoroutineMinihttp];

/// 64 clients each have a `GET /wait?ms=300` in flight when `serve` gets SIGTERM: every one is
/// answered `200` with `Connection: close`, and the process exits 0 well within its grace period.
#[test]
fn sigterm_with_requests_in_flight_loses_none() {
    const CLIENTS: usize = 64;
    for backend in common::runnable()
        .into_iter()
        .filter(|b| !NOT_GRACEFUL.contains(b))
    {
        let (mut server, addr) = serve(backend, None);
        let sent = Arc::new(Barrier::new(CLIENTS + 1));
        let clients: Vec<_> = (0..CLIENTS)
            .map(|_| {
                let sent = sent.clone();
                std::thread::spawn(move || {
                    let mut c = Client::connect(addr);
                    c.send(b"GET /wait?ms=300 HTTP/1.1\r\nHost: t\r\n\r\n");
                    sent.wait();
                    c.reply()
                })
            })
            .collect();
        sent.wait();
        std::thread::sleep(Duration::from_millis(100));
        let signalled = Instant::now();
        // SAFETY: signalling our own child.
        unsafe { libc::kill(server.0.id() as i32, libc::SIGTERM) };
        for client in clients {
            let reply = client
                .join()
                .unwrap_or_else(|_| panic!("{}: a request in flight was lost", backend.as_str()));
            assert_eq!(
                (reply.status, reply.body.as_slice()),
                (200, &b"ok"[..]),
                "{}",
                backend.as_str()
            );
            assert_eq!(reply.header("connection"), Some("close"), "{}", backend.as_str());
        }
        let status = server.wait_for(Duration::from_secs(5));
        eprintln!(
            "{}: {CLIENTS} in-flight requests answered, exit {status:?} {:?} after SIGTERM",
            backend.as_str(),
            signalled.elapsed()
        );
        assert!(
            status.is_some_and(|s| s.success()),
            "{}: after SIGTERM: {status:?} within {:?}",
            backend.as_str(),
            signalled.elapsed()
        );
    }
}

/// With `ulimit -n 128`, 300 clients exhaust the server's descriptors: the accept loop backs off
/// instead of spinning (the server uses little CPU while accept fails) and, once the clients go,
/// serves again. may_minihttp's own accept loop spins: a known gap of that reference engine.
#[test]
fn fd_exhaustion_backs_off_and_recovers() {
    for backend in common::runnable() {
        let (server, addr) = serve(backend, Some(128));
        let pid = server.0.id();
        let crowd: Vec<TcpStream> = (0..300)
            .filter_map(|_| {
                let mut s = TcpStream::connect(addr).ok()?; // completes in the backlog when accept fails
                s.write_all(b"GET /wait?ms=10 HTTP/1.1\r\nHost: t\r\n\r\n").ok()?;
                Some(s)
            })
            .collect();
        assert!(
            crowd.len() > 128,
            "{}: only {} connected",
            backend.as_str(),
            crowd.len()
        );
        std::thread::sleep(Duration::from_millis(500));
        let cpu_before = cpu_seconds(pid);
        std::thread::sleep(Duration::from_secs(1));
        let busy = cpu_seconds(pid) - cpu_before;
        if backend == BackendName::CoroutineMinihttp {
            // Checked, so that a may_minihttp release that backs off is noticed.
            assert!(
                busy >= 0.5,
                "may_minihttp's accept loop no longer spins: take it off the gap list"
            );
            eprintln!(
                "KNOWN GAP coroutine-minihttp: its accept loop retries at once on EMFILE ({busy:.2} s of CPU \
                 in 1 s) without yielding, so the coroutines that would free descriptors starve (it did not \
                 serve again within 10 s when checked)"
            );
            continue;
        } else {
            assert!(
                busy < 0.5,
                "{}: {busy:.2} s of CPU in 1 s while out of descriptors: the accept loop spins",
                backend.as_str()
            );
        }
        drop(crowd);
        let freed = Instant::now();
        let until = freed + Duration::from_secs(10);
        loop {
            if answers(addr) {
                eprintln!(
                    "{}: {busy:.2} s of CPU in 1 s without descriptors; serving again {:?} after they were freed",
                    backend.as_str(),
                    freed.elapsed()
                );
                break;
            }
            assert!(
                Instant::now() < until,
                "{}: not serving 10 s after the descriptors were freed",
                backend.as_str()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        assert!(
            !server.stderr().contains("panicked"),
            "{}: a panic while out of descriptors:\n{}",
            backend.as_str(),
            server.stderr()
        );
    }
}

/// A fresh connection gets `200` for `/plaintext` within a second.
fn answers(addr: SocketAddr) -> bool {
    let Ok(mut s) = TcpStream::connect(addr) else {
        return false;
    };
    let mut buf = [0u8; 64];
    s.set_read_timeout(Some(Duration::from_secs(1))).is_ok()
        && s.write_all(b"GET /plaintext HTTP/1.1\r\nHost: t\r\n\r\n").is_ok()
        && matches!(s.read(&mut buf), Ok(n) if buf[..n].starts_with(b"HTTP/1.1 200"))
}

/// utime + stime of a process, in seconds.
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let fields: Vec<&str> = stat.rsplit_once(')').unwrap().1.split_whitespace().collect();
    // SAFETY: sysconf has no preconditions.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
    (fields[11].parse::<f64>().unwrap() + fields[12].parse::<f64>().unwrap()) / ticks
}
