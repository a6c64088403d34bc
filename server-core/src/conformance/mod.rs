//! The conformance suite: the same cases, over real sockets on 127.0.0.1, for every backend.
//!
//! A backend crate runs it with one line in a test file:
//!
//! ```ignore
//! server_core::conformance_suite!(backend_threads::Threads);
//! ```
//!
//! which expands to one `#[test]` per case. A reference engine that cannot meet a case (may_minihttp
//! has no chunked bodies, say) lists it as a known gap with the reason:
//!
//! ```ignore
//! server_core::conformance_suite!(MiniHttp, gaps = ["chunked_body" => "may_minihttp has no chunked decoding"]);
//! ```
//!
//! A known gap still runs: it passes (printing `KNOWN GAP`) only while the case fails, so a gap that
//! gets fixed must be taken off the list. A reason that begins `unreliable:` marks a case a reference
//! engine passes only sometimes, for a cause not yet traced: it runs, and its outcome is printed
//! (`UNRELIABLE`), not judged.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

use crate::{Backend, Config, Request, Response, Router, ServerHandle};

/// How long a client waits for any answer before the case fails.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(5);

/// The application every case talks to.
pub fn app() -> Router {
    let router = Router::new()
        .get("/hello", |_req: Request| Response::text("Hello, World!"))
        .post("/echo", |req: Request| async move {
            match req.into_body().collect().await {
                Ok(body) => Response::bytes(body),
                Err(e) => e.into_response(),
            }
        })
        .get("/info", |req: Request| {
            Response::text(format!("{} {} {:?}", req.method(), req.uri(), req.version()))
        })
        .get("/panic", |_req: Request| -> Response {
            panic!("handler panic (expected by the conformance suite)")
        })
        .get("/sleep", |req: Request| async move {
            let ms = query_u64(&req, "ms").unwrap_or(0);
            crate::sleep(Duration::from_millis(ms)).await;
            Response::text("slept")
        })
        .get("/sleep-twice", |req: Request| async move {
            let ms = query_u64(&req, "ms").unwrap_or(0);
            crate::sleep(Duration::from_millis(ms)).await;
            crate::sleep(Duration::from_millis(ms)).await;
            Response::text("slept twice")
        })
        .get("/peer", |req: Request| {
            match req.extensions().get::<crate::PeerAddr>() {
                Some(crate::PeerAddr(addr)) => Response::text(addr.to_string()),
                None => Response::text("none"),
            }
        })
        .get("/offload", |_req: Request| async {
            Response::text(crate::unblock(|| 6 * 7).await.to_string())
        })
        .get("/timeout", |_req: Request| async {
            let never = crate::timeout(Duration::from_millis(50), std::future::pending::<()>()).await;
            let at_once = crate::timeout(Duration::from_secs(5), async { 42 }).await;
            Response::text(format!("{never:?} {at_once:?}"))
        });
    websocket::routes(bounds::routes(outbound::routes(streaming::routes(router))))
}

fn query_u64(req: &Request, key: &str) -> Option<u64> {
    req.uri()
        .query()?
        .split('&')
        .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('=')?.parse().ok())
}

/// A configuration for tests: an ephemeral port on loopback, short timeouts.
pub fn test_config() -> Config {
    Config {
        addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        workers: 2,
        header_read_timeout: Duration::from_secs(3),
        idle_timeout: Duration::from_secs(3),
        body_read_timeout: Duration::from_secs(3),
        write_timeout: Duration::from_secs(3),
        shutdown_grace: Duration::from_secs(3),
        ..Config::default()
    }
}

/// Starts `B` serving [`app`] with `config`.
pub fn start<B: Backend>(config: Config) -> ServerHandle {
    let _ = crate::raise_fd_limit();
    B::bind(config, app()).expect("backend failed to start")
}

thread_local! {
    /// The backend under test on this thread, for the figures some cases print.
    static BACKEND: std::cell::Cell<&'static str> = const { std::cell::Cell::new("") };
}

/// Runs one case; see the module docs for how known gaps are treated.
pub fn run<B: Backend>(
    name: &str,
    gaps: &[(&str, &str)],
    requires: Option<fn() -> Result<(), String>>,
    case: fn(&dyn Fn(Config) -> ServerHandle),
) {
    BACKEND.set(std::any::type_name::<B>());
    if let Some(Err(why)) = requires.map(|requires| requires()) {
        // Said out loud, not passed silently: the harness shows this test as passed.
        let _ = writeln!(
            io::stderr(),
            "SKIPPED {name} on {}: {why}",
            std::any::type_name::<B>()
        );
        return;
    }
    let start = |config: Config| start::<B>(config);
    let gap = gaps.iter().find(|(gap, _)| *gap == name);
    let outcome = catch_unwind(AssertUnwindSafe(|| case(&start)));
    match (gap, outcome) {
        (Some((_, why)), outcome) if why.starts_with("unreliable:") => {
            let seen = if outcome.is_ok() { "passed" } else { "failed" };
            let _ = writeln!(io::stderr(), "UNRELIABLE {name} ({seen} this time): {why}");
        }
        (None, Ok(())) => {}
        (None, Err(panic)) => std::panic::resume_unwind(panic),
        // Straight to stderr: the test harness captures `println!`, and a gap should be seen.
        (Some((_, why)), Err(_)) => {
            let _ = writeln!(io::stderr(), "KNOWN GAP {name}: {why}");
        }
        (Some(_), Ok(())) => panic!("{name} is listed as a known gap but passes: take it off the gap list"),
    }
}

/// Expands to one `#[test]` per conformance case for the given backend type.
///
/// `gaps`: cases a reference engine is known to fail, each with why (checked to still fail).
/// `requires`: a `fn() -> Result<(), String>` saying whether this machine can run the backend at all
/// (io_uring, say); where it cannot, every case prints `SKIPPED` and the reason rather than failing.
#[macro_export]
macro_rules! conformance_suite {
    ($backend:ty) => {
        $crate::__conformance_cases!($backend, &[], None);
    };
    ($backend:ty, requires = $requires:path) => {
        $crate::__conformance_cases!($backend, &[], Some($requires));
    };
    ($backend:ty, gaps = [$($gap:literal => $why:literal),* $(,)?]) => {
        $crate::__conformance_cases!($backend, &[$(($gap, $why)),*], None);
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __conformance_cases {
    ($backend:ty, $gaps:expr, $requires:expr) => {
        $crate::__conformance_cases!($backend, $gaps, $requires;
            keep_alive, pipelined_in_order, http10_closes, http10_keep_alive, connection_close, head_has_no_body,
            fixed_body, body_in_pieces, chunked_body, expect_continue, large_body_echo,
            malformed_request_line, obs_fold, space_before_colon, nul_in_value, bare_cr_in_value,
            missing_host, cl_and_te, differing_content_lengths, signed_content_length, bad_chunk_size,
            unknown_transfer_coding, header_too_large, too_many_headers, body_too_large,
            chunked_body_too_large, unsupported_version, header_read_timeout, slowloris_trickle,
            idle_timeout, panic_isolation, sleep_and_offload, timeout_races_its_deadline, sleeps_under_concurrency, graceful_shutdown, max_connections,
            many_concurrent_clients, unread_pipeline_is_bounded, resets_mid_request_and_response, mass_reset_as_responses_arrive,
            half_closed_client, slowloris_crowd, panics_under_concurrency,
            streamed_upload_and_download_hold_little, stalled_download_is_bounded, expect_continue_on_upload,
            sse_events_arrive_as_produced, sse_disconnects_release_producers, upload_over_its_limit,
            ignored_body, mirror_streams_the_body_back, channel_body_and_http10_stream, peer_addr,
            outbound_connections, outbound_refused_fails_fast,
            pipelined_large_answers_are_bounded, unread_last_responses_count_against_the_limit,
            trickled_body_is_cut_by_the_minimum_rate, slow_reader_is_cut_by_the_minimum_rate,
            a_client_that_leaves_cancels_its_handler, half_closed_client_gets_its_stream,
            chunk_extensions_outweighing_the_data, websocket_echo, websocket_bad_handshakes,
            websocket_protocol_errors, websocket_broadcast, websocket_shutdown_says_going_away
        );
    };
    ($backend:ty, $gaps:expr, $requires:expr; $($case:ident),* $(,)?) => {
        $(
            #[test]
            fn $case() {
                $crate::conformance::run::<$backend>(
                    stringify!($case), $gaps, $requires, $crate::conformance::cases::$case,
                );
            }
        )*
    };
}

/// A parsed response as the test client saw it.
#[derive(Debug)]
pub struct Reply {
    /// Status code.
    pub status: u16,
    /// Header fields, names lowercased.
    pub headers: Vec<(String, String)>,
    /// Body (by `Content-Length`).
    pub body: Vec<u8>,
}

impl Reply {
    /// The first value of a header.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Serialises the cases that measure this process's memory, or load it heavily, so that one does not
/// count what another allocates.
pub(crate) fn exclusive() -> std::sync::MutexGuard<'static, ()> {
    static EXCLUSIVE: std::sync::Mutex<()> = std::sync::Mutex::new(());
    EXCLUSIVE.lock().unwrap_or_else(|e| e.into_inner())
}

/// A raw HTTP/1.1 client over a real socket.
pub struct Client {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Client {
    /// Connects to `addr`.
    pub fn connect(addr: SocketAddr) -> Client {
        let stream = TcpStream::connect(addr).expect("connect");
        stream.set_read_timeout(Some(CLIENT_TIMEOUT)).unwrap();
        stream.set_nodelay(true).unwrap();
        Client {
            stream,
            buf: Vec::new(),
        }
    }

    /// A client over an already connected stream.
    pub fn from_stream(stream: TcpStream) -> Client {
        stream.set_read_timeout(Some(CLIENT_TIMEOUT)).unwrap();
        Client {
            stream,
            buf: Vec::new(),
        }
    }

    /// Drops what was read past the last response head; returns how many bytes that was.
    pub fn take_buffered(&mut self) -> usize {
        std::mem::take(&mut self.buf).len()
    }

    /// Sends raw bytes.
    pub fn send(&mut self, bytes: &[u8]) -> &mut Self {
        self.stream.write_all(bytes).expect("send");
        self
    }

    /// Reads one response (head, then a `Content-Length` or chunked body; a `HEAD` response when `head`).
    pub fn reply_to(&mut self, head: bool) -> Reply {
        let mut reply = self.head();
        let chunked = reply
            .header("transfer-encoding")
            .is_some_and(|te| te.eq_ignore_ascii_case("chunked"));
        if head || reply.status == 100 {
            return reply;
        }
        if chunked {
            while let Some(chunk) = self.chunk() {
                reply.body.extend_from_slice(&chunk);
            }
            return reply;
        }
        let body_len = reply
            .header("content-length")
            .map_or(0, |v| v.parse().expect("content-length"));
        while self.buf.len() < body_len {
            self.fill();
        }
        reply.body = self.buf.drain(..body_len).collect();
        reply
    }

    /// Reads a response head, leaving its body to [`chunk`](Self::chunk) or the caller.
    pub fn head(&mut self) -> Reply {
        loop {
            let mut headers = [httparse::EMPTY_HEADER; 64];
            let mut resp = httparse::Response::new(&mut headers);
            if let httparse::Status::Complete(len) = resp.parse(&self.buf).expect("malformed response") {
                let reply = Reply {
                    status: resp.code.unwrap(),
                    headers: resp
                        .headers
                        .iter()
                        .map(|h| {
                            (
                                h.name.to_ascii_lowercase(),
                                String::from_utf8_lossy(h.value).into_owned(),
                            )
                        })
                        .collect(),
                    body: Vec::new(),
                };
                self.buf.drain(..len);
                return reply;
            }
            self.fill();
        }
    }

    /// Reads one chunk of a chunked body: its data, or `None` at the last chunk (trailers skipped).
    pub fn chunk(&mut self) -> Option<Vec<u8>> {
        let line = self.line();
        let size = usize::from_str_radix(line.split(';').next().unwrap().trim(), 16).expect("chunk size");
        if size == 0 {
            while !self.line().is_empty() {}
            return None;
        }
        while self.buf.len() < size + 2 {
            self.fill();
        }
        let data: Vec<u8> = self.buf.drain(..size).collect();
        assert_eq!(
            self.buf.drain(..2).as_slice(),
            b"\r\n",
            "chunk not followed by CRLF"
        );
        Some(data)
    }

    /// Reads the raw bytes of a response body of unknown framing until the server closes.
    pub fn until_close(&mut self) -> Vec<u8> {
        let mut all = std::mem::take(&mut self.buf);
        self.stream.read_to_end(&mut all).expect("read to close");
        all
    }

    fn line(&mut self) -> String {
        loop {
            if let Some(at) = self.buf.windows(2).position(|w| w == b"\r\n") {
                let line = String::from_utf8(self.buf.drain(..at).collect()).expect("utf-8 line");
                self.buf.drain(..2);
                return line;
            }
            self.fill();
        }
    }

    /// Reads one response to a non-`HEAD` request.
    pub fn reply(&mut self) -> Reply {
        self.reply_to(false)
    }

    /// Sends a request and reads its response.
    pub fn request(&mut self, bytes: &[u8]) -> Reply {
        self.send(bytes).reply()
    }

    fn fill(&mut self) {
        let mut chunk = [0; 16 * 1024];
        let n = self.stream.read(&mut chunk).expect("read (timed out or reset)");
        assert!(
            n > 0,
            "connection closed before a complete response; got {:?}",
            String::from_utf8_lossy(&self.buf)
        );
        self.buf.extend_from_slice(&chunk[..n]);
    }

    /// Whether the server closed the connection (EOF or reset) within `within`, with nothing more sent.
    pub fn closed_within(&mut self, within: Duration) -> bool {
        self.stream.set_read_timeout(Some(within)).unwrap();
        let mut chunk = [0; 1024];
        let closed = match self.stream.read(&mut chunk) {
            Ok(0) => true,
            Ok(n) => panic!("expected close, got {:?}", String::from_utf8_lossy(&chunk[..n])),
            Err(e) => matches!(
                e.kind(),
                io::ErrorKind::ConnectionReset | io::ErrorKind::ConnectionAborted
            ),
        };
        self.stream.set_read_timeout(Some(CLIENT_TIMEOUT)).unwrap();
        closed
    }
}

fn get(path: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nHost: test\r\n\r\n").into_bytes()
}

/// The server's open connections once they fall to `want`, or after `within`.
pub(crate) fn connections_after(server: &ServerHandle, want: usize, within: Duration) -> usize {
    let until = Instant::now() + within;
    while server.active_connections() > want && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(20));
    }
    server.active_connections()
}

pub mod bounds;
pub mod cases;
mod outbound;
mod streaming;
pub mod websocket;
