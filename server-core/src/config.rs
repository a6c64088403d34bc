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
/// | [`min_body_rate`](Self::min_body_rate) | 1 KiB/s after 30 s | none | none | none (Apache: 500 B/s after 20 s, `mod_reqtimeout`) |
/// | [`min_write_rate`](Self::min_write_rate) | 4 KiB/s after 30 s | none | none | none |
/// | [`half_close`](Self::half_close) | off: end of input while a request is served means the client left | the request's context is cancelled | the request is finalized (client closed) | off (`half_close`) |
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
    /// Longest wait for the next bytes of a request body, and how far a body may fall behind
    /// [`min_body_rate`](Self::min_body_rate); past either, `408` and the connection is closed.
    /// Default 30 s.
    pub body_read_timeout: Duration,
    /// Least average rate, in bytes per second, at which a request body must arrive once it has used
    /// its `body_read_timeout` of grace: the body earns `1 / min_body_rate` seconds per byte and spends
    /// its waits, holding at most `body_read_timeout` in hand, so a client sending a byte every 29 s is
    /// cut after about 30 s rather than never (Apache's `mod_reqtimeout` `body=20,MinRate=500` idea).
    /// `0` keeps only the per-read timeout. Default 1,024 (8 kbit/s, far below any real link).
    pub min_body_rate: u32,
    /// How long a keep-alive connection may sit between requests before it is closed. Default 60 s.
    pub idle_timeout: Duration,
    /// How far response writes may fall behind [`min_write_rate`](Self::min_write_rate) before the
    /// connection is closed; with a rate of `0`, the longest a single write may block. A connection's
    /// last response counts against `max_connections` until it is sent or this runs out. Default 30 s.
    pub write_timeout: Duration,
    /// Least average rate, in bytes per second, at which a client must take response bytes once it
    /// has used its `write_timeout` of grace, kept as [`min_body_rate`](Self::min_body_rate) is: a
    /// reader that takes a KiB every 2 s holds its connection for a bounded time, not for ever. Large
    /// bodies are written in 64 KiB slices, so a client that takes nothing is cut within
    /// `write_timeout` plus one slice's time at this rate (16 s at the default). `0` keeps only the
    /// per-write timeout. Default 4,096 (32 kbit/s, slower than a GPRS link).
    pub min_write_rate: u32,
    /// Whether a client may close its sending side after its request and still get the answer
    /// (`shutdown(SHUT_WR)`, a half-close). Off, the end of the client's input while a handler runs
    /// or a streamed response waits means the client left, and the handler or producer is dropped at
    /// once, as Go cancels the request's context, nginx finalizes the request and hyper (with
    /// `half_close` off) closes. On, the answer is still sent, and a client that really left is
    /// noticed at the next write. Requests that came before the end of input are answered either way.
    /// (A thread or coroutine backend notices neither before its next write: its one thread is in
    /// the handler.) Default `false`.
    pub half_close: bool,
    /// On graceful shutdown, how long in-flight requests get to finish before the remaining
    /// connections are cut. Idle connections are closed at once. Default 10 s.
    pub shutdown_grace: Duration,
    /// Stack size of each connection's thread or coroutine, for the backends that give a connection a
    /// stack of its own (threads, coroutine). Handlers run on it, so it must hold your deepest handler:
    /// overflowing it is a SIGSEGV on the guard page, which aborts the process on threads (every
    /// connection, not one) and on coroutine abandons the coroutine mid-frame (its connection hangs,
    /// holding its slot and anything it had locked; shutdown cannot finish). Neither can soundly be
    /// turned into a 500: the fault lands mid-frame in code (serde's recursion, say) that has no way to
    /// stop, and unwinding out of a signal handler is not sound.
    ///
    /// Default 512 KiB, so that the deepest document serde_json accepts (nested 127 deep; its
    /// recursion limit is 128) fits through axum's `Json<Value>` and back: that needs 111 KiB in a
    /// release build and 371 KiB in a debug one, where the old default, 64 KiB, overflowed at 66 and
    /// 11 levels (threads; the connection loop and a small handler use about 16 KiB). The cost is
    /// address space, not memory: stacks are mapped lazily, so RSS counts only the pages a connection
    /// touched, and a stack is one mapping whatever its size (`vm.max_map_count`). Measured at 2,000
    /// connections (release): 15.8 KiB per idle thread and 13.4 per idle coroutine, 15.0 and 13.5
    /// waiting in a handler, the same at 64 KiB, 512 KiB and 1 MiB. What a deep request touched stays
    /// until the connection closes (118 and 114 KiB per connection after the 127-deep document).
    /// Under strict overcommit (`vm.overcommit_memory = 2`) every stack is charged in full. The
    /// measurements: `cargo test -p bench --test deep_stack -- --ignored --nocapture`.
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
            min_body_rate: 1024,
            idle_timeout: Duration::from_secs(60),
            write_timeout: Duration::from_secs(30),
            min_write_rate: 4096,
            half_close: false,
            shutdown_grace: Duration::from_secs(10),
            stack_size: 512 * 1024,
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
