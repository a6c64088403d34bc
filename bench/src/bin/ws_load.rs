//! `ws-load`: the load generator of the WebSocket scenarios. No WebSocket load generator is packaged
//! here, so the bench has its own, shaped like uWebSockets' `load_test` and `broadcast_test`:
//!
//! - `--mode echo`: N connections to `/ws/echo`, each sending a message and waiting for it to come
//!   back before it sends the next (closed loop): messages per second and the round trip.
//! - `--mode broadcast`: M members of the room at `/ws/broadcast`; one member publishes at a fixed
//!   rate, every member times every message it receives (the sender included): deliveries per
//!   second, delivery latency, and losses (a message sent in the window that a member had not
//!   received by the end of the drain).
//!
//! One thread per process (a tokio current-thread runtime), so that it stays on the load CPU. A
//! process here holds at most 20,000 descriptors (a hard limit), so `--processes K` splits the
//! connections over K child processes of this binary, which open their share, say `ready`, measure
//! the same window (given on `CLOCK_MONOTONIC`, shared by every process of the machine), and report
//! back; the parent merges their figures. One JSON line on stdout.

use std::cell::{Cell, RefCell};
use std::io::{BufRead, BufReader, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::{Child, Command, Stdio};
use std::rc::Rc;
use std::time::Duration;

use bench::driver::{WsReport, procfs};
use clap::{Parser, ValueEnum};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Mode {
    Echo,
    Broadcast,
}

#[derive(Parser)]
struct Args {
    /// The server's address, `IP:PORT`.
    #[arg(long)]
    addr: SocketAddr,
    #[arg(long, value_enum)]
    mode: Mode,
    /// Connections (echo) or room members (broadcast), over every process.
    #[arg(long, default_value_t = 100)]
    connections: usize,
    /// Bytes per message (at least 16: the send time and a sequence number).
    #[arg(long, default_value_t = 32)]
    size: usize,
    /// Broadcast: messages published per second (by one member).
    #[arg(long, default_value_t = 10.0)]
    rate: f64,
    /// Seconds measured, once every connection is open and has settled.
    #[arg(long, default_value_t = 10.0)]
    duration_s: f64,
    /// Seconds between the last connection opening and the window.
    #[arg(long, default_value_t = 1.0)]
    settle_s: f64,
    /// Broadcast: seconds after the window in which members may still receive its messages.
    #[arg(long, default_value_t = 2.0)]
    drain_s: f64,
    /// The server's process, for its CPU time over the window.
    #[arg(long)]
    server_pid: Option<u32>,
    /// Processes to split the connections over (each holds at most 20,000 descriptors here).
    #[arg(long, default_value_t = 1)]
    processes: usize,
    /// Source addresses 127.0.0.1.. to spread the connections over (each has about 28,000 ports).
    #[arg(long, default_value_t = 1)]
    sources: u8,
    /// Set by the parent: this process is a child that opens its share and waits for the window.
    #[arg(long, hide = true)]
    child: bool,
    /// Set by the parent: this child's first connection publishes (broadcast).
    #[arg(long, hide = true)]
    publisher: bool,
    /// Set by the parent: the index of this child's first connection (for its source address).
    #[arg(long, hide = true, default_value_t = 0)]
    first: usize,
}

fn main() {
    let args = Args::parse();
    assert!(args.size >= 16, "--size: at least 16 bytes");
    let report = if args.processes > 1 && !args.child {
        parent(&args)
    } else {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime");
        tokio::task::LocalSet::new().block_on(&runtime, run(&args))
    };
    println!("{}", serde_json::to_string(&report).expect("json"));
}

/// Now on `CLOCK_MONOTONIC`, in nanoseconds: the same clock in every process of the machine.
fn now_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes the timespec it is given.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// This process's CPU time (user and system), in seconds.
fn own_cpu_s() -> f64 {
    // SAFETY: getrusage writes the struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    let s = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    s(usage.ru_utime) + s(usage.ru_stime)
}

async fn sleep_until_ns(at: u64) {
    tokio::time::sleep(Duration::from_nanos(at.saturating_sub(now_ns()))).await;
}

/// The window every process measures, on `CLOCK_MONOTONIC`.
#[derive(Clone, Copy)]
struct Window {
    start: u64,
    end: u64,
}

impl Window {
    fn holds(&self, t: u64) -> bool {
        (self.start..self.end).contains(&t)
    }
}

/// Spawns the children, waits for every one to be ready, gives them one window, merges.
fn parent(args: &Args) -> WsReport {
    let share = args.connections.div_ceil(args.processes);
    let mut children: Vec<Child> = (0..args.processes)
        .map(|k| {
            let first = k * share;
            let count = share.min(args.connections.saturating_sub(first));
            let mode = args.mode.to_possible_value().expect("a named mode");
            let mut command = Command::new(std::env::current_exe().expect("this binary"));
            command
                .args(["--addr", &args.addr.to_string(), "--mode", mode.get_name()])
                .args([
                    "--connections",
                    &count.to_string(),
                    "--size",
                    &args.size.to_string(),
                ])
                .args([
                    "--rate",
                    &args.rate.to_string(),
                    "--drain-s",
                    &args.drain_s.to_string(),
                ])
                .args(["--sources", &args.sources.to_string()])
                .args(["--child", "--first", &first.to_string()])
                .stdin(Stdio::piped())
                .stdout(Stdio::piped());
            if k == 0 {
                command.arg("--publisher");
            }
            command.spawn().expect("a ws-load child")
        })
        .collect();
    let mut outputs: Vec<BufReader<_>> = children
        .iter_mut()
        .map(|child| BufReader::new(child.stdout.take().expect("piped")))
        .collect();
    for out in &mut outputs {
        let mut line = String::new();
        out.read_line(&mut line).expect("a child's ready line");
    }
    let start = now_ns() + (args.settle_s * 1e9) as u64;
    let window = Window {
        start,
        end: start + (args.duration_s * 1e9) as u64,
    };
    for child in &mut children {
        let stdin = child.stdin.as_mut().expect("piped");
        writeln!(stdin, "{} {}", window.start, window.end).expect("a child's window");
    }
    std::thread::sleep(Duration::from_nanos(window.start.saturating_sub(now_ns())));
    let cpu_before = args.server_pid.map(procfs::threads_cpu_seconds);
    std::thread::sleep(Duration::from_nanos(window.end.saturating_sub(now_ns())));
    let server_cpu_s = args
        .server_pid
        .map(procfs::threads_cpu_seconds)
        .zip(cpu_before)
        .map(|(a, b)| a - b);
    let reports: Vec<WsReport> = outputs
        .iter_mut()
        .map(|out| {
            let mut line = String::new();
            out.read_line(&mut line).expect("a child's report");
            serde_json::from_str(&line).expect("a child's report is JSON")
        })
        .collect();
    for mut child in children {
        let _ = child.wait();
    }
    merge(reports, args.mode, server_cpu_s)
}

fn merge(reports: Vec<WsReport>, mode: Mode, server_cpu_s: Option<f64>) -> WsReport {
    let mut total = WsReport {
        server_cpu_s,
        ..WsReport::default()
    };
    for r in &reports {
        total.connections += r.connections;
        total.errors += r.errors;
        total.messages += r.messages;
        total.published += r.published;
        total.load_cpu_s += r.load_cpu_s;
        total.window_s = total.window_s.max(r.window_s);
        if total.histogram.len() < r.histogram.len() {
            total.histogram.resize(r.histogram.len(), 0);
        }
        for (sum, n) in total.histogram.iter_mut().zip(&r.histogram) {
            *sum += n;
        }
    }
    finish(&mut total, mode);
    total
}

/// The figures derived from the counts: rate, expected deliveries and losses, percentiles.
fn finish(report: &mut WsReport, mode: Mode) {
    report.messages_per_s = report.messages as f64 / report.window_s.max(1e-9);
    if mode == Mode::Broadcast {
        report.expected = report.published * report.connections as u64;
        report.lost = report.expected.saturating_sub(report.messages);
    }
    report.latency_p50_ms = percentile(&report.histogram, 0.50);
    report.latency_p99_ms = percentile(&report.histogram, 0.99);
    report.latency_max_ms = percentile(&report.histogram, 1.0);
}

/// Latency buckets 2% wide: bucket `b` holds latencies around 1.02^b µs.
fn bucket(latency_ns: u64) -> usize {
    let us = latency_ns as f64 / 1000.0;
    ((us + 1.0).ln() / 1.02f64.ln()) as usize
}

fn bucket_ms(b: usize) -> f64 {
    (1.02f64.powf(b as f64 + 0.5) - 1.0) / 1000.0
}

fn percentile(histogram: &[u64], p: f64) -> Option<f64> {
    let total: u64 = histogram.iter().sum();
    if total == 0 {
        return None;
    }
    let rank = ((total as f64 * p).ceil() as u64).clamp(1, total);
    let mut seen = 0;
    histogram.iter().enumerate().find_map(|(b, n)| {
        seen += n;
        (seen >= rank).then(|| bucket_ms(b))
    })
}

/// What this process's connections record, on its one thread.
#[derive(Default)]
struct Tally {
    window: Cell<Option<Window>>,
    histogram: RefCell<Vec<u64>>,
    messages: Cell<u64>,
    published: Cell<u64>,
    opened: Cell<usize>,
    errors: Cell<u64>,
}

impl Tally {
    /// A message sent at `sent` (ns) arrived now: counted if it was sent in the window.
    fn arrived(&self, sent: u64) {
        if self.window.get().is_some_and(|w| w.holds(sent)) {
            self.messages.set(self.messages.get() + 1);
            let b = bucket(now_ns().saturating_sub(sent));
            let mut histogram = self.histogram.borrow_mut();
            if histogram.len() <= b {
                histogram.resize(b + 1, 0);
            }
            histogram[b] += 1;
        }
    }
}

/// Opens this process's connections, measures one window, and reports.
async fn run(args: &Args) -> WsReport {
    let tally = Rc::new(Tally::default());
    let path = match args.mode {
        Mode::Echo => "/ws/echo",
        Mode::Broadcast => "/ws/broadcast",
    };
    let publishes = args.mode == Mode::Broadcast && (args.publisher || !args.child);
    for batch in (0..args.connections).collect::<Vec<_>>().chunks(500) {
        for &i in batch {
            let source = Ipv4Addr::new(
                127,
                0,
                0,
                1 + ((args.first + i) % args.sources.max(1) as usize) as u8,
            );
            let (tally, args_size) = (Rc::clone(&tally), args.size);
            let role = match args.mode {
                Mode::Echo => Role::Echo,
                Mode::Broadcast if publishes && i == 0 => Role::Publisher(args.rate),
                Mode::Broadcast => Role::Member,
            };
            let addr = args.addr;
            tokio::task::spawn_local(async move {
                if connection(addr, source, path, role, args_size, &tally)
                    .await
                    .is_err()
                {
                    tally.errors.set(tally.errors.get() + 1);
                }
            });
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Every connection has switched, or has failed (or 60 s went by).
    let ramp_deadline = now_ns() + 60_000_000_000;
    while tally.opened.get() + (tally.errors.get() as usize) < args.connections && now_ns() < ramp_deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let window = if args.child {
        println!("ready");
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .expect("the window from the parent");
        let mut fields = line.split_whitespace().map(|f| f.parse::<u64>().expect("ns"));
        Window {
            start: fields.next().expect("start"),
            end: fields.next().expect("end"),
        }
    } else {
        let start = now_ns() + (args.settle_s * 1e9) as u64;
        Window {
            start,
            end: start + (args.duration_s * 1e9) as u64,
        }
    };
    tally.window.set(Some(window));
    sleep_until_ns(window.start).await;
    let errors_before = tally.errors.get();
    let cpu_before = (!args.child)
        .then(|| args.server_pid.map(procfs::threads_cpu_seconds))
        .flatten();
    let load_before = own_cpu_s();
    sleep_until_ns(window.end).await;
    let load_cpu_s = own_cpu_s() - load_before;
    let server_cpu_s = args
        .server_pid
        .filter(|_| !args.child)
        .map(procfs::threads_cpu_seconds)
        .zip(cpu_before)
        .map(|(a, b)| a - b);
    if args.mode == Mode::Broadcast {
        tokio::time::sleep(Duration::from_secs_f64(args.drain_s)).await;
    }
    let mut report = WsReport {
        connections: args.connections,
        errors: tally.errors.get().max(errors_before),
        messages: tally.messages.get(),
        published: tally.published.get(),
        window_s: (window.end - window.start) as f64 / 1e9,
        server_cpu_s,
        load_cpu_s,
        histogram: tally.histogram.take(),
        ..WsReport::default()
    };
    finish(&mut report, args.mode);
    report
}

#[derive(Clone, Copy)]
enum Role {
    /// Sends a message, waits for it back, sends the next.
    Echo,
    /// A room member that only receives.
    Member,
    /// A room member that also publishes this many messages a second.
    Publisher(f64),
}

/// One connection: the upgrade, then its role until the process ends.
async fn connection(
    addr: SocketAddr,
    source: Ipv4Addr,
    path: &str,
    role: Role,
    size: usize,
    tally: &Rc<Tally>,
) -> std::io::Result<()> {
    let socket = TcpSocket::new_v4()?;
    socket.bind(SocketAddr::new(IpAddr::V4(source), 0))?;
    let mut stream = socket.connect(addr).await?;
    stream.set_nodelay(true)?;
    let mut buf = upgrade(&mut stream, addr, path).await?;
    tally.opened.set(tally.opened.get() + 1);
    let mut payload = vec![b'm'; size];
    match role {
        Role::Echo => loop {
            payload[..8].copy_from_slice(&now_ns().to_le_bytes());
            stream.write_all(&masked_frame(&payload)).await?;
            let message = read_message(&mut stream, &mut buf).await?;
            tally.arrived(sent_at(&message)?);
        },
        Role::Member => loop {
            let message = read_message(&mut stream, &mut buf).await?;
            tally.arrived(sent_at(&message)?);
        },
        Role::Publisher(rate) => {
            let (mut reader, mut writer) = stream.into_split();
            let publisher_tally = Rc::clone(tally);
            let every = Duration::from_secs_f64(1.0 / rate);
            tokio::task::spawn_local(async move {
                let mut ticks = tokio::time::interval(every);
                ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                loop {
                    ticks.tick().await;
                    let sent = now_ns();
                    if publisher_tally.window.get().is_some_and(|w| w.holds(sent)) {
                        publisher_tally.published.set(publisher_tally.published.get() + 1);
                    }
                    payload[..8].copy_from_slice(&sent.to_le_bytes());
                    if writer.write_all(&masked_frame(&payload)).await.is_err() {
                        return;
                    }
                }
            });
            loop {
                let message = read_message(&mut reader, &mut buf).await?;
                tally.arrived(sent_at(&message)?);
            }
        }
    }
}

/// Sends the upgrade request and reads the `101`; returns what came after it.
async fn upgrade(stream: &mut TcpStream, addr: SocketAddr, path: &str) -> std::io::Result<Vec<u8>> {
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\
         Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await?;
    let mut buf = Vec::with_capacity(4096);
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            if !buf.starts_with(b"HTTP/1.1 101") {
                return Err(std::io::Error::other("the upgrade was not answered 101"));
            }
            return Ok(buf.split_off(end + 4));
        }
        read_more(stream, &mut buf).await?;
    }
}

async fn read_more(stream: &mut (impl AsyncReadExt + Unpin), buf: &mut Vec<u8>) -> std::io::Result<()> {
    let mut chunk = [0u8; 16 * 1024];
    match stream.read(&mut chunk).await? {
        0 => Err(std::io::ErrorKind::UnexpectedEof.into()),
        n => {
            buf.extend_from_slice(&chunk[..n]);
            Ok(())
        }
    }
}

/// A client frame: one binary message, masked (RFC 6455 §5.3).
fn masked_frame(payload: &[u8]) -> Vec<u8> {
    let mut frame = Vec::with_capacity(payload.len() + 14);
    frame.push(0x82);
    match payload.len() {
        n if n < 126 => frame.push(0x80 | n as u8),
        n if n < 65536 => {
            frame.push(0x80 | 126);
            frame.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            frame.push(0x80 | 127);
            frame.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    let mask = fastrand::u32(..).to_be_bytes();
    frame.extend_from_slice(&mask);
    frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
    frame
}

/// The next data message from the server (unfragmented, unmasked); a close or a malformed frame is
/// an error: the connection has ended.
async fn read_message(
    stream: &mut (impl AsyncReadExt + Unpin),
    buf: &mut Vec<u8>,
) -> std::io::Result<Vec<u8>> {
    loop {
        if let Some((opcode, start, len)) = frame_at(buf) {
            let payload = buf[start..start + len].to_vec();
            buf.drain(..start + len);
            match opcode {
                0x1 | 0x2 => return Ok(payload),
                0x9 | 0xA => continue, // the server's pings are not part of the load
                _ => {
                    return Err(std::io::Error::other(format!(
                        "the server sent opcode {opcode:#x}"
                    )));
                }
            }
        }
        read_more(stream, buf).await?;
    }
}

/// A complete frame at the front of `buf`: (opcode, payload start, payload length).
fn frame_at(buf: &[u8]) -> Option<(u8, usize, usize)> {
    let (&b0, &b1) = (buf.first()?, buf.get(1)?);
    let (start, len) = match b1 & 0x7f {
        126 => (4, u16::from_be_bytes(buf.get(2..4)?.try_into().ok()?) as usize),
        127 => (10, u64::from_be_bytes(buf.get(2..10)?.try_into().ok()?) as usize),
        n => (2, n as usize),
    };
    (buf.len() >= start + len).then_some((b0 & 0x0f, start, len))
}

fn sent_at(message: &[u8]) -> std::io::Result<u64> {
    message
        .get(..8)
        .map(|t| u64::from_le_bytes(t.try_into().expect("8 bytes")))
        .ok_or_else(|| std::io::Error::other("a message shorter than its timestamp"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_come_back_within_a_bucket() {
        let mut histogram = Vec::new();
        for us in [100u64, 200, 300, 400, 10_000] {
            let b = bucket(us * 1000);
            histogram.resize(histogram.len().max(b + 1), 0);
            histogram[b] += 1;
        }
        let near = |got: Option<f64>, want_ms: f64| (got.unwrap() - want_ms).abs() <= want_ms * 0.02;
        assert!(near(percentile(&histogram, 0.5), 0.3));
        assert!(near(percentile(&histogram, 1.0), 10.0));
        assert_eq!(percentile(&[], 0.5), None);
    }

    #[test]
    fn a_frame_is_taken_only_once_it_is_whole() {
        let mut frame = vec![0x82, 126, 0x01, 0x00];
        frame.extend(vec![b'x'; 256]);
        assert_eq!(frame_at(&frame), Some((0x2, 4, 256)));
        assert_eq!(frame_at(&frame[..100]), None);
        assert_eq!(frame_at(&[0x81]), None);
        let masked = masked_frame(b"hello");
        assert_eq!((masked[0], masked[1]), (0x82, 0x80 | 5));
    }
}
