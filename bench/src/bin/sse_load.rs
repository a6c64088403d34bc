//! `sse-load`: the load generator of the `sse` scenario. oha and wrk time whole responses; a
//! subscription never ends, so this holds N subscriptions to `/sse` open and times every event.
//!
//! It opens the subscriptions (in batches, as a crowd of browsers would), lets them settle, then
//! measures for `--duration-s`: events delivered per second, each event's lag behind its schedule (the
//! previous event's arrival plus `every_ms`, so a late event shows and a timer's rounding does not
//! accumulate), subscriptions that failed, and, with `--server-pid`, the server's CPU time over exactly
//! that window. One JSON line on stdout.
//!
//! One thread (a tokio current-thread runtime), so that it stays on the load generator's CPU.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::{Duration, Instant};

use bench::driver::{SseReport, procfs};
use clap::Parser;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

#[derive(Parser)]
struct Args {
    /// The server's address, `IP:PORT`.
    #[arg(long)]
    addr: std::net::SocketAddr,
    /// Subscriptions held open.
    #[arg(long, default_value_t = 10_000)]
    subscribers: usize,
    /// Milliseconds between a subscription's events.
    #[arg(long, default_value_t = 1000)]
    every_ms: u64,
    /// Seconds measured, once every subscription is open and has settled.
    #[arg(long, default_value_t = 10.0)]
    duration_s: f64,
    /// Seconds between the last subscription opening and the window.
    #[arg(long, default_value_t = 1.0)]
    settle_s: f64,
    /// The server's process, for its CPU time over the window.
    #[arg(long)]
    server_pid: Option<u32>,
}

/// What the subscriptions record, shared on the one thread.
#[derive(Default)]
struct Tally {
    /// Set when the window opens: events from then on count.
    window: Cell<Option<Instant>>,
    lags_us: RefCell<Vec<u64>>,
    errors: Cell<u64>,
    opened: Cell<usize>,
}

fn main() {
    let args = Args::parse();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let report = tokio::task::LocalSet::new().block_on(&runtime, run(&args));
    println!("{}", serde_json::to_string(&report).expect("json"));
}

async fn run(args: &Args) -> SseReport {
    let tally = Rc::new(Tally::default());
    let every = Duration::from_millis(args.every_ms);
    let request = format!(
        "GET /sse?events=1000000000&every_ms={} HTTP/1.1\r\nHost: bench\r\n\r\n",
        args.every_ms
    );
    let addr = args.addr;
    for batch in (0..args.subscribers).collect::<Vec<_>>().chunks(500) {
        for _ in batch {
            let (tally, request) = (Rc::clone(&tally), request.clone());
            tokio::task::spawn_local(async move {
                if subscribe(addr, &request, every, &tally).await.is_err() {
                    tally.errors.set(tally.errors.get() + 1);
                }
            });
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Every subscription has its first event, or has failed (or 30 s went by).
    let ramp_deadline = Instant::now() + Duration::from_secs(30);
    while tally.opened.get() + (tally.errors.get() as usize) < args.subscribers
        && Instant::now() < ramp_deadline
    {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_secs_f64(args.settle_s)).await;
    let errors_before = tally.errors.get();
    let cpu_before = args.server_pid.map(procfs::threads_cpu_seconds);
    let started = Instant::now();
    tally.window.set(Some(started));
    tokio::time::sleep(Duration::from_secs_f64(args.duration_s)).await;
    let window_s = started.elapsed().as_secs_f64();
    let server_cpu_s = args
        .server_pid
        .map(procfs::threads_cpu_seconds)
        .zip(cpu_before)
        .map(|(a, b)| a - b);
    tally.window.set(None);
    let mut lags = std::mem::take(&mut *tally.lags_us.borrow_mut());
    lags.sort_unstable();
    let pct = |p: f64| lags.get(((lags.len() as f64 * p) as usize).min(lags.len().saturating_sub(1)));
    let ms = |us: &u64| *us as f64 / 1000.0;
    SseReport {
        subscribers: args.subscribers,
        errors: tally.errors.get().max(errors_before),
        events: lags.len() as u64,
        events_per_s: lags.len() as f64 / window_s,
        lag_p50_ms: pct(0.50).map(ms),
        lag_p99_ms: pct(0.99).map(ms),
        lag_max_ms: lags.last().map(ms),
        window_s,
        server_cpu_s,
    }
}

/// One subscription: the request, a `200` chunked head, then events until the runtime stops.
async fn subscribe(
    addr: std::net::SocketAddr,
    request: &str,
    every: Duration,
    tally: &Tally,
) -> std::io::Result<()> {
    let bad = |what: &str| std::io::Error::other(what.to_owned());
    let mut stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    stream.write_all(request.as_bytes()).await?;
    let mut buf = Vec::with_capacity(1024);
    let head_len = loop {
        if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        read_more(&mut stream, &mut buf).await?;
    };
    let head = String::from_utf8_lossy(&buf[..head_len]).to_ascii_lowercase();
    if !head.starts_with("http/1.1 200") {
        return Err(bad("not 200"));
    }
    let chunked = head.contains("transfer-encoding: chunked");
    buf.drain(..head_len);
    let mut last: Option<Instant> = None;
    loop {
        // Every complete event (`data: ...\n\n`) in what has arrived; chunk framing, if any, skipped.
        let events = take_events(&mut buf, chunked).map_err(|_| bad("malformed stream"))?;
        if events > 0 {
            let now = Instant::now();
            match last {
                None => tally.opened.set(tally.opened.get() + 1),
                Some(last) if tally.window.get().is_some_and(|start| now >= start) => {
                    // Event `k` of those that arrived together was due `k + 1` periods after the last.
                    let mut lags = tally.lags_us.borrow_mut();
                    let due = |k: u32| last + every * (k + 1);
                    lags.extend(
                        (0..events as u32).map(|k| now.saturating_duration_since(due(k)).as_micros() as u64),
                    );
                }
                Some(_) => {}
            }
            last = Some(now);
        }
        read_more(&mut stream, &mut buf).await?;
    }
}

async fn read_more(stream: &mut TcpStream, buf: &mut Vec<u8>) -> std::io::Result<()> {
    let mut chunk = [0u8; 512];
    match stream.read(&mut chunk).await? {
        0 => Err(std::io::ErrorKind::UnexpectedEof.into()),
        n => {
            buf.extend_from_slice(&chunk[..n]);
            Ok(())
        }
    }
}

/// Removes the complete events at the front of `buf` and counts them; with `chunked`, the chunk
/// framing around them too. An incomplete event stays for the next read.
fn take_events(buf: &mut Vec<u8>, chunked: bool) -> Result<usize, ()> {
    let mut events = 0;
    loop {
        let (start, len) = if chunked {
            let Some(line) = buf.windows(2).position(|w| w == b"\r\n") else {
                return Ok(events);
            };
            let size = std::str::from_utf8(&buf[..line]).map_err(drop)?;
            let size =
                usize::from_str_radix(size.split(';').next().unwrap_or("").trim(), 16).map_err(drop)?;
            if size == 0 {
                return Err(()); // the stream ended
            }
            if buf.len() < line + 2 + size + 2 {
                return Ok(events);
            }
            (line + 2, size)
        } else {
            let Some(end) = buf.windows(2).position(|w| w == b"\n\n") else {
                return Ok(events);
            };
            (0, end + 2)
        };
        events += buf[start..start + len]
            .windows(2)
            .filter(|w| w == b"\n\n")
            .count();
        buf.drain(..start + len + if chunked { 2 } else { 0 });
    }
}
