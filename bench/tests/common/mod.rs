//! Shared by the test binaries: starting `serve`, and the route contract checked over real HTTP.
//! Each binary uses part of it.
#![allow(dead_code)]

pub mod db;
pub mod techempower;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bench::BackendName;
use server_core::conformance::Client;

/// Every backend this machine can run; for one it cannot (compio without io_uring), says so and why.
pub fn runnable() -> Vec<BackendName> {
    BackendName::ALL
        .into_iter()
        .filter(|backend| match backend.unavailable() {
            Some(why) => {
                eprintln!("SKIPPED {}: {why}", backend.as_str());
                false
            }
            None => true,
        })
        .collect()
}

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

/// `serve --backend B` on an ephemeral port, with its open-files limit (soft and hard) set to
/// `fd_limit` if given.
pub fn serve(backend: BackendName, fd_limit: Option<u64>) -> (Serve, SocketAddr) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_serve"));
    command
        .args([
            "--backend",
            backend.as_str(),
            "--addr",
            "127.0.0.1:0",
            "--workers",
            "2",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(limit) = fd_limit {
        let rlimit = libc::rlimit {
            rlim_cur: limit,
            rlim_max: limit,
        };
        // SAFETY: setrlimit is async-signal-safe and the struct is built before fork.
        unsafe {
            command.pre_exec(move || {
                if libc::setrlimit(libc::RLIMIT_NOFILE, &rlimit) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    }
    let mut child = command.spawn().expect("spawn serve");
    let stderr = Arc::new(Mutex::new(String::new()));
    let (pipe, log) = (child.stderr.take().unwrap(), Arc::clone(&stderr));
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines().map_while(Result::ok) {
            eprintln!("serve: {line}");
            let mut log = log.lock().unwrap();
            log.push_str(&line);
            log.push('\n');
        }
    });
    let mut child = Serve(child, stderr);
    let mut line = String::new();
    BufReader::new(child.0.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .split_whitespace()
        .find_map(|w| w.parse().ok())
        .unwrap_or_else(|| panic!("{}: no address in {line:?}", backend.as_str()));
    (child, addr)
}

/// Kills the server if the test fails before it exits, so that no orphan outlives the test. Keeps
/// what the server wrote to stderr (echoed to the test's own, line by line).
pub struct Serve(pub Child, Arc<Mutex<String>>);

impl Serve {
    /// Everything the server has written to stderr so far.
    pub fn stderr(&self) -> String {
        self.1.lock().unwrap().clone()
    }

    pub fn wait_for(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let until = Instant::now() + limit;
        while Instant::now() < until {
            if let Ok(Some(status)) = self.0.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
