//! Server configuration: every limit and timeout is a documented field with a stated default.

use std::net::SocketAddr;
use std::time::Duration;

/// Everything a backend needs to know to serve: where, how many, how big, how long.
///
/// Defaults are chosen the way a careful operator would set them for a public-facing server,
/// compared with Go's `net/http`, nginx and hyper below. Every backend reads the same `Config`,
/// so a limit means the same thing whichever scheduling model serves it.
///
/// | field | default | Go `net/http` | nginx | hyper 1.x |
/// |---|---|---|---|---|
/// | [`max_connections`](Self::max_connections) | 10,000 | unlimited | 512 × workers (`worker_connections`) | unlimited |
/// | [`max_header_bytes`](Self::max_header_bytes) | 32 KiB | 1 MiB (`MaxHeaderBytes`) | 1 KiB + 4 × 8 KiB (`large_client_header_buffers`) | ~400 KiB (`max_buf_size`) |
/// | [`max_headers`](Self::max_headers) | 100 | unlimited | unlimited (bytes bound it) | 100 |
/// | [`max_body_bytes`](Self::max_body_bytes) | 1 MiB | unlimited (handler decides) | 1 MiB (`client_max_body_size`) | unlimited (streaming) |
/// | [`header_read_timeout`](Self::header_read_timeout) | 10 s | none (`ReadHeaderTimeout`) | 60 s (`client_header_timeout`) | 30 s (`header_read_timeout`) |
/// | [`body_read_timeout`](Self::body_read_timeout) | 30 s | none (`ReadTimeout`) | 60 s between reads (`client_body_timeout`) | none |
/// | [`idle_timeout`](Self::idle_timeout) | 60 s | `ReadTimeout`, else none (`IdleTimeout`) | 75 s (`keepalive_timeout`) | none |
/// | [`write_timeout`](Self::write_timeout) | 30 s | none (`WriteTimeout`) | 60 s between writes (`send_timeout`) | none |
/// | [`shutdown_grace`](Self::shutdown_grace) | 10 s | caller's context (`Shutdown`) | `worker_shutdown_timeout` (none) | caller's choice |
///
/// Go leaves most timeouts off, which is the classic slowloris exposure; nginx's are generous. We bound
/// the header read tighter than nginx (10 s is ample for any real client on any real network, and it is
/// the window a slow-header attacker holds a connection), and keep nginx's order of magnitude elsewhere.
#[derive(Clone, Debug)]
pub struct Config {
    /// Address to bind when the backend binds for you (`Backend::bind`). Default `127.0.0.1:8080`.
    pub addr: SocketAddr,
    /// Worker threads for backends that multiplex connections onto threads (tokio, smol, async-std's
    /// executor threads, may's workers). Ignored by thread-per-connection. Default: the number of CPUs.
    pub workers: usize,
    /// Pin each worker thread of a per-core backend (tokio-per-core, compio) to a CPU of its own: worker
    /// `i` to the `i`-th CPU this process may run on (so under `taskset` workers stay within its set).
    /// Pinned workers keep their caches and never migrate; but a pinned worker shares its CPU with
    /// whatever else the scheduler puts there. Ignored by the other backends. Default `false`.
    pub pin_workers: bool,
    /// Connections served at once. Past it the acceptor stops accepting, so the excess waits in the
    /// kernel's accept backlog (and is refused by the kernel once that is full); connections already
    /// accepted are served as usual. Default 10,000.
    pub max_connections: usize,
    /// Accept backlog passed to `listen(2)` when the backend binds (capped by `net.core.somaxconn`).
    /// Default 4,096, so that a burst of thousands of connects is queued rather than dropped and retried.
    pub backlog: u32,
    /// Largest request head (request line and header fields, and the trailer section of a chunked body).
    /// A larger one gets `431 Request Header Fields Too Large` and the connection is closed. Default 32 KiB.
    pub max_header_bytes: usize,
    /// Most header fields in one request; more get `431`. Default 100.
    pub max_headers: usize,
    /// Largest request body, after chunked decoding; a larger one gets `413 Content Too Large` and the
    /// connection is closed. A handler may raise it for its own request (`Body::set_limit`, for
    /// uploads): bodies stream, so memory per connection is bounded by one read (64 KiB), not by this.
    /// A body the handler leaves unread is skipped after its response if at most 256 KiB of it remain
    /// (Go's figure); otherwise the connection closes. Default 1 MiB.
    pub max_body_bytes: usize,
    /// Time allowed to receive a whole request head, counted from its first byte (or from accept, for a
    /// connection's first request). Past it: `408 Request Timeout` if part of a head arrived, else a
    /// silent close. This is the slowloris defence: trickling bytes does not extend it. Default 10 s.
    pub header_read_timeout: Duration,
    /// Longest wait for the next bytes of a request body; past it the connection is closed. Default 30 s.
    pub body_read_timeout: Duration,
    /// How long a keep-alive connection may sit between requests before it is closed. Default 60 s.
    pub idle_timeout: Duration,
    /// Longest a single write of response bytes may block before the connection is closed. Default 30 s.
    pub write_timeout: Duration,
    /// On graceful shutdown, how long in-flight requests get to finish before the remaining
    /// connections are cut. Idle connections are closed at once. Default 10 s.
    pub shutdown_grace: Duration,
    /// Stack size of each connection's thread or coroutine, for the backends that give a connection a
    /// stack of its own (threads, coroutine). Handlers run on it, so it must hold your deepest handler.
    /// Default 64 KiB (the driver itself needs about 16 KiB; see the backend crates for measurements).
    pub stack_size: usize,
    /// Put the client's address into each request's extensions as [`PeerAddr`](crate::PeerAddr) (and,
    /// for a tower service with the `axum` feature, as axum's `ConnectInfo<SocketAddr>`). Costs one
    /// `getpeername(2)` per connection and an extension insert (an allocation) per request, so it is
    /// off unless asked for, as axum's `into_make_service_with_connect_info` is. Default `false`.
    pub peer_addr: bool,
    /// Value of the `Server` header added to every response that does not set one. `None` sends none.
    /// Default `Some("server-core")`.
    pub server_header: Option<http::HeaderValue>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            workers: std::thread::available_parallelism().map_or(1, |n| n.get()),
            pin_workers: false,
            max_connections: 10_000,
            backlog: 4096,
            max_header_bytes: 32 * 1024,
            max_headers: 100,
            max_body_bytes: 1024 * 1024,
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(60),
            write_timeout: Duration::from_secs(30),
            shutdown_grace: Duration::from_secs(10),
            stack_size: 64 * 1024,
            peer_addr: false,
            server_header: Some(http::HeaderValue::from_static("server-core")),
        }
    }
}

impl Config {
    /// The limits the engine enforces, in the form it reads them.
    pub fn limits(&self) -> crate::engine::Limits {
        crate::engine::Limits {
            max_header_bytes: self.max_header_bytes,
            max_headers: self.max_headers,
            max_body_bytes: self.max_body_bytes,
            server_header: self.server_header.clone(),
        }
    }
}
