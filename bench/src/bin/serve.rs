//! `serve`: the standard workload server, on any backend, for benchmarks and external checks.

use std::io::Write;
use std::time::Duration;

use bench::{AppName, BackendName, axum_app};
use clap::Parser;
use db::{Db, Strategy};
use server_core::{Config, ShutdownSignals};

/// Serves the standard routes (/plaintext, /json, /wait?ms=N, /cpu?us=N, /cpu-offload?us=N,
/// POST /echo, POST /upload, /download?bytes=N&chunk=K, /sse?events=N&every_ms=M, /bytes?n=N, and with
/// --db-url TechEmpower's database routes; 404 otherwise) on the chosen backend until SIGINT or
/// SIGTERM, then shuts down
/// gracefully and exits 0. Prints `listening on IP:PORT` once it accepts. `--app axum` serves the
/// same routes written as an axum app; `--axum-serve` serves that app with `axum::serve` instead
/// of our backends (the way axum runs today: hyper on a tokio runtime of `--workers` threads).
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Which backend serves.
    #[arg(long, value_enum, required_unless_present = "axum_serve")]
    backend: Option<BackendName>,
    /// The routes as our own `Router` (native) or as an axum `Router` (axum).
    #[arg(long, value_enum, default_value = "native")]
    app: AppName,
    /// Serve the axum app with `axum::serve` (the reference for `--app axum`), not one of our backends.
    #[arg(long, conflicts_with_all = ["backend", "app"])]
    axum_serve: bool,
    /// Address to listen on; port 0 picks a free port (the line printed at start gives it).
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: std::net::SocketAddr,
    /// Worker threads (tokio, smol, may); ignored by threads and async-std. Default: CPUs.
    #[arg(long)]
    workers: Option<usize>,
    /// Connections served at once; the excess waits in the accept backlog. Default 10,000.
    #[arg(long)]
    max_connections: Option<usize>,
    /// Time to receive a request head, in ms (408 after). Default 10,000.
    #[arg(long)]
    header_timeout_ms: Option<u64>,
    /// Time a keep-alive connection may idle between requests, in ms. Default 60,000.
    #[arg(long)]
    idle_timeout_ms: Option<u64>,
    /// Longest wait for a request body's next bytes, and the grace of its minimum rate, in ms (408
    /// after). Default 30,000.
    #[arg(long)]
    body_timeout_ms: Option<u64>,
    /// Least average rate of a request body once its grace is used, in bytes/s; 0: none. Default 1,024.
    #[arg(long)]
    min_body_rate: Option<u32>,
    /// How far response writes may fall behind their minimum rate (with a rate of 0: the longest one
    /// write may block), in ms. Default 30,000.
    #[arg(long)]
    write_timeout_ms: Option<u64>,
    /// Least average rate at which a client must take response bytes once its grace is used, in
    /// bytes/s; 0: none. Default 4,096.
    #[arg(long)]
    min_write_rate: Option<u32>,
    /// Let a client that half-closes after its request still get the answer (`Config::half_close`);
    /// by default the end of its input means it left, and its handler is dropped.
    #[arg(long)]
    half_close: bool,
    /// Largest request head, in bytes (431 above). Default 32,768.
    #[arg(long)]
    max_header_bytes: Option<usize>,
    /// Largest request body, in bytes (413 above). Default 1,048,576.
    #[arg(long)]
    max_body_bytes: Option<usize>,
    /// Stack of each connection's thread or coroutine (threads, coroutine), in KiB. Default 512.
    #[arg(long)]
    stack_kib: Option<usize>,
    /// Put each request's peer address into its extensions (`Config::peer_addr`): with `--app axum`,
    /// `GET /axum/peer` answers it through axum's `ConnectInfo`. Off by default, as under `axum::serve`.
    #[arg(long)]
    peer_addr: bool,
    /// Largest body `POST /upload` takes, in bytes (413 above); other routes keep --max-body-bytes.
    #[arg(long, default_value_t = 1 << 30)]
    max_upload_bytes: u64,
    /// A PostgreSQL with TechEmpower's tables (`postgres://user@host:port/db`): serves /db,
    /// /queries?queries=N, /fortunes, /updates?queries=N and /cached-queries?count=N on it.
    #[arg(long)]
    db_url: Option<String>,
    /// Share a pool of this many connections, one request on each at a time; without it, one
    /// pipelined connection per thread that runs handlers.
    #[arg(long, requires = "db_url")]
    db_pool: Option<usize>,
    /// The longest a request waits for a free pool connection, in ms (503 after).
    #[arg(long, default_value_t = 1000, requires = "db_pool")]
    db_wait_ms: u64,
    /// Query through the sync `postgres` client instead, a connection per thread that calls it:
    /// inline, blocking the handler's thread, or offloaded with server_core::unblock.
    #[arg(long, value_enum, requires = "db_url", conflicts_with = "db_pool")]
    db_blocking: Option<Blocking>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Blocking {
    Inline,
    Unblock,
}

fn main() {
    let args = Args::parse();
    let mut config = Config {
        addr: args.addr,
        peer_addr: args.peer_addr,
        half_close: args.half_close,
        ..Config::default()
    };
    let ms = Duration::from_millis;
    args.workers.inspect(|&n| config.workers = n);
    args.max_connections.inspect(|&n| config.max_connections = n);
    args.header_timeout_ms
        .inspect(|&n| config.header_read_timeout = ms(n));
    args.idle_timeout_ms.inspect(|&n| config.idle_timeout = ms(n));
    args.body_timeout_ms
        .inspect(|&n| config.body_read_timeout = ms(n));
    args.min_body_rate.inspect(|&n| config.min_body_rate = n);
    args.write_timeout_ms.inspect(|&n| config.write_timeout = ms(n));
    args.min_write_rate.inspect(|&n| config.min_write_rate = n);
    args.max_header_bytes.inspect(|&n| config.max_header_bytes = n);
    args.max_body_bytes.inspect(|&n| config.max_body_bytes = n);
    args.stack_kib.inspect(|&n| config.stack_size = n * 1024);

    if let Err(e) = server_core::backend::raise_fd_limit() {
        eprintln!("serve: could not raise the open-files limit: {e}");
    }
    let signals = ShutdownSignals::block().unwrap_or_else(|e| fail("blocking SIGINT/SIGTERM", e));
    if args.axum_serve {
        return axum_serve(&config, signals);
    }
    let backend = args
        .backend
        .expect("clap requires --backend without --axum-serve");
    let strategy = match (args.db_pool, args.db_blocking) {
        (Some(size), _) => Strategy::Pool {
            size,
            wait: ms(args.db_wait_ms),
        },
        (None, Some(how)) => Strategy::Blocking {
            offload: matches!(how, Blocking::Unblock),
        },
        (None, None) => Strategy::PerThread,
    };
    let db = args
        .db_url
        .map(|url| Db::new(&url, strategy).unwrap_or_else(|e| fail("--db-url", std::io::Error::other(e))));
    let server = backend
        .start(config, args.app, args.max_upload_bytes, db)
        .unwrap_or_else(|e| fail("starting the server", e));
    println!("listening on {} ({})", server.local_addr(), backend.as_str());
    let _ = std::io::stdout().flush();
    let _ = signals.wait();
    if !server.shutdown() {
        eprintln!("serve: grace period over; remaining connections were cut");
    }
}

/// The axum app on `axum::serve`, until SIGINT or SIGTERM (then in-flight requests finish).
fn axum_serve(config: &Config, signals: ShutdownSignals) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(config.workers.max(1))
        .enable_all()
        .build()
        .unwrap_or_else(|e| fail("building the tokio runtime", e));
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(config.addr)
            .await
            .unwrap_or_else(|e| fail("binding", e));
        let addr = listener.local_addr().unwrap_or_else(|e| fail("binding", e));
        println!("listening on {addr} (axum-serve)");
        let _ = std::io::stdout().flush();
        let stop = async {
            let _ = tokio::task::spawn_blocking(move || signals.wait()).await;
        };
        axum::serve(listener, axum_app::router())
            .with_graceful_shutdown(stop)
            .await
            .unwrap_or_else(|e| fail("serving", e));
    });
}

fn fail(what: &str, e: std::io::Error) -> ! {
    eprintln!("serve: {what}: {e}");
    std::process::exit(1)
}
