//! `bench instructions`: user-space instructions per request of `serve` builds, counted by
//! valgrind's callgrind. A count does not drift with the machine (wall-clock and CPU-time figures
//! move by 10–30% between runs here), so it is the figure for an engine change's before and after.
//!
//! Each count runs `serve --backend B --workers 1` under callgrind and sends it N requests on one
//! connection, one at a time (plaintext) or 16 per write (pipelined, as bench/pipeline.lua), for
//! N = few and N = many; (instructions(many) − instructions(few)) / (many − few) is the figure, so
//! that start-up and shutdown cancel.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::tools::clients::PLAINTEXT_REQUEST;
use super::tools::{apt_install, which};

/// Requests per write in the pipelined shape, as bench/pipeline.lua sends them.
const DEPTH: usize = 16;

#[derive(clap::Args)]
pub struct Args {
    /// The `serve` builds to count (comma-separated), each the same way.
    #[arg(long, value_delimiter = ',', required = true)]
    serve: Vec<PathBuf>,
    /// The backend, as `serve --backend` names it; `axum-<backend>` is the axum app on it.
    #[arg(long, default_value = "tokio")]
    backend: String,
    /// Requests of the short run.
    #[arg(long, default_value_t = 2_000)]
    few: usize,
    /// Requests of the long run.
    #[arg(long, default_value_t = 12_000)]
    many: usize,
}

pub fn run(args: Args) -> Result<(), String> {
    if args.many <= args.few {
        return Err("--many must be more than --few".into());
    }
    let valgrind = which("valgrind")
        .or_else(|| apt_install("valgrind", "valgrind", "to count instructions"))
        .ok_or("valgrind not found, and apt-get could not install it")?;
    let backend_args: Vec<&str> = match args.backend.strip_prefix("axum-") {
        Some(backend) => vec!["--app", "axum", "--backend", backend],
        None => vec!["--backend", &args.backend],
    };
    for (shape, depth) in [("plaintext", 1), ("pipelined", DEPTH)] {
        for serve in &args.serve {
            let count = |n| instructions(&valgrind, serve, &backend_args, n, depth);
            let (few, many) = (count(args.few)?, count(args.many)?);
            let per_request = (many - few) as f64 / (args.many - args.few) as f64;
            println!(
                "{} {} {shape}: {per_request:.0} instructions per request ({few} for {}, {many} for {})",
                serve.display(),
                args.backend,
                args.few,
                args.many
            );
        }
    }
    Ok(())
}

/// The instructions `serve` ran, start to exit, to answer `n` requests sent `depth` per write.
///
/// Started here rather than by `ServerProcess`, whose readiness polls would add a varying number of
/// requests to each count and whose 10 s start and 15 s stop budgets callgrind can outlast.
fn instructions(
    valgrind: &PathBuf,
    serve: &PathBuf,
    backend_args: &[&str],
    n: usize,
    depth: usize,
) -> Result<u64, String> {
    let dir = std::env::temp_dir().join(format!("bench-callgrind-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let out = dir.join("callgrind.out");
    let mut child = Command::new(valgrind)
        .arg("--tool=callgrind")
        .arg(format!("--callgrind-out-file={}", out.display()))
        .arg(serve)
        .args(backend_args)
        .args(["--workers", "1", "--addr", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("starting valgrind: {e}"))?;
    let mut line = String::new();
    let read = BufReader::new(child.stdout.take().expect("piped")).read_line(&mut line);
    let addr = line
        .split_whitespace()
        .find_map(|word| word.parse::<SocketAddr>().ok());
    let driven = match (read, addr) {
        (Ok(_), Some(addr)) => drive(addr, n, depth).map_err(|e| format!("driving serve: {e}")),
        _ => Err(format!("serve did not start: {line:?}")),
    };
    std::thread::sleep(Duration::from_millis(200));
    // SAFETY: signalling our own child, which has not been reaped yet.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
    let deadline = Instant::now() + Duration::from_secs(120);
    while child.try_wait().map_err(|e| e.to_string())?.is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    driven?;
    let text = std::fs::read_to_string(&out).map_err(|e| format!("{}: {e}", out.display()));
    let _ = std::fs::remove_dir_all(&dir);
    // The summary line holds the instructions executed (serve starts no other process).
    text?
        .lines()
        .find_map(|line| line.strip_prefix("summary:")?.trim().parse().ok())
        .ok_or_else(|| "callgrind wrote no summary".into())
}

/// Sends `n` requests, `depth` per write, reading every answer before the next write.
fn drive(addr: SocketAddr, n: usize, depth: usize) -> std::io::Result<()> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_nodelay(true)?;
    let batch = PLAINTEXT_REQUEST.repeat(depth);
    let mut buf = vec![0u8; 1 << 16];
    let mut sent = 0;
    while sent < n {
        let k = depth.min(n - sent);
        stream.write_all(&batch[..k * PLAINTEXT_REQUEST.len()])?;
        sent += k;
        let (mut answered, mut tail) = (0, Vec::new());
        while answered < k {
            let len = stream.read(&mut buf)?;
            if len == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            // Count bodies across reads: a body split over two reads is counted once it is whole.
            tail.extend_from_slice(&buf[..len]);
            let body = b"Hello, World!";
            while let Some(at) = tail.windows(body.len()).position(|w| w == body) {
                answered += 1;
                tail.drain(..at + body.len());
            }
        }
    }
    Ok(())
}
