//! `bench stalls`: the mixed-offload load repeated long enough to catch a rare stall, on every
//! backend in interleaved rounds.
//!
//! One run: `serve --backend B` on CPU 0; on CPU 1 oha sends cheap GET /plaintext at a fixed 2,000
//! req/s (8 connections, latency measured from each request's scheduled send time) beside GET
//! /cpu-offload?us=10000 at 50 req/s (16 connections), for `--seconds`. Each round runs every
//! backend once, a fresh server each run. oha writes every cheap request it completed to a SQLite
//! file, from which each 1-second window's p99 by scheduled send time is taken.
//!
//! Per backend: the stalls (windows whose p99 passed `--stall-ms`: a server that answers nothing
//! for 0.3 s puts its window's p99 near 250 ms), the runs whose p99 passed `--max-p99-ms`, the
//! worst run's p99 and p99.9, the worst window, the heavy requests' rate and p99, and the time the
//! hypervisor stole from CPUs 0 and 1 (/proc/stat). On a virtual machine whose host is busy, a vCPU
//! woken from halt can wait milliseconds, and no server then shows a sub-millisecond p99; steal is
//! sampled every 100 ms, so a window is *quiet* when nothing was stolen in it or the second before,
//! and the summary gives the worst quiet window. Verdict: "stall" if any window stalled (exit 1),
//! "pass" if every run's p99 and every window stayed within the limits, else "tail".
//! tokio-blocking-pool is measured only when named and never judged: its cheap requests hop to the
//! pool behind the heavy ones by design.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::server::{ServerProcess, Subject};
use super::tools::oha::{self, Oha};
use super::tools::procfs;
use super::tools::{find_oha, release_serve, workspace};
use crate::BackendName;

#[derive(clap::Args)]
pub struct Args {
    /// Backends (comma-separated). Default: every backend but tokio-blocking-pool.
    #[arg(long, value_enum, value_delimiter = ',')]
    backends: Vec<BackendName>,
    /// Rounds: runs per backend.
    #[arg(long, default_value_t = 40)]
    runs: usize,
    /// Seconds per run.
    #[arg(long, default_value_t = 15)]
    seconds: u64,
    /// The `serve` build. Default: target/release/serve.
    #[arg(long)]
    serve: Option<PathBuf>,
    /// A run's cheap p99 above this (ms) is a tail.
    #[arg(long, default_value_t = 1.0)]
    max_p99_ms: f64,
    /// A window's cheap p99 above this (ms) is a tail.
    #[arg(long, default_value_t = 5.0)]
    max_window_p99_ms: f64,
    /// A window's cheap p99 above this (ms) is a stall.
    #[arg(long, default_value_t = 50.0)]
    stall_ms: f64,
    /// Also append every line printed (JSON) to this file.
    #[arg(long)]
    out: Option<PathBuf>,
}

/// The server's CPU and the load generator's.
const SERVER_CPUS: [usize; 1] = [0];
const LOAD_CPUS: [usize; 1] = [1];

/// A window with fewer requests (a run's last, partial second) has no p99 worth quoting.
const MIN_WINDOW_SAMPLES: usize = 500;

pub fn run(args: Args) -> Result<(), String> {
    let serve = args.serve.clone().unwrap_or_else(|| release_serve(&workspace()));
    let oha =
        find_oha().ok_or("oha 1.16 not found (`cargo run --release -p bench -- --quick` installs it)")?;
    let backends: Vec<BackendName> = match &args.backends[..] {
        [] => BackendName::ALL
            .into_iter()
            .filter(|b| *b != BackendName::TokioBlockingPool)
            .collect(),
        chosen => chosen.to_vec(),
    };
    let mut out = match &args.out {
        Some(path) => Some(
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .map_err(|e| format!("{}: {e}", path.display()))?,
        ),
        None => None,
    };
    let mut emit = |row: &Value| {
        println!("{row}");
        if let Some(file) = &mut out {
            let _ = writeln!(file, "{row}");
        }
    };

    let mut runs: Vec<Vec<RunRow>> = backends.iter().map(|_| Vec::new()).collect();
    let began = Instant::now();
    let total = args.runs * backends.len();
    for round in 0..args.runs {
        for (i, &backend) in backends.iter().enumerate() {
            let row = one_run(&serve, &oha, backend, args.seconds)?;
            let done = runs.iter().map(Vec::len).sum::<usize>() + 1;
            let eta = began.elapsed().as_secs_f64() / done as f64 * (total - done) as f64;
            let mut line = row.json.clone();
            line["run"] = json!(round + 1);
            line["eta_min"] = json!((eta / 6.0).round() / 10.0);
            emit(&line);
            runs[i].push(row);
        }
    }

    let mut stalled = false;
    for (&backend, rows) in backends.iter().zip(&runs) {
        let summary = summarize(backend, rows, &args);
        stalled |= summary["verdict"] == "stall";
        emit(&summary);
    }
    if stalled {
        std::process::exit(1);
    }
    Ok(())
}

/// One run's figures: the printed line, and the windows the summary pools.
struct RunRow {
    json: Value,
    p99_ms: f64,
    p999_ms: f64,
    heavy_rps: f64,
    heavy_p99_ms: f64,
    errors: u64,
    steal_ms: [f64; 2],
    windows: Vec<f64>,
    quiet_windows: Vec<f64>,
}

fn one_run(serve: &Path, oha: &Path, backend: BackendName, seconds: u64) -> Result<RunRow, String> {
    let server = ServerProcess::start(&Subject::backend(serve, backend), &SERVER_CPUS)
        .map_err(|e| format!("{}: {e}", backend.as_str()))?;
    let dir = std::env::temp_dir().join(format!("bench-stalls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let db = dir.join("cheap.db");
    let _ = std::fs::remove_file(&db);
    let steal = StealSampler::start();
    let (heavy_url, cheap_url) = (
        format!("http://{}/cpu-offload?us=10000", server.addr),
        format!("http://{}/plaintext", server.addr),
    );
    let duration = Duration::from_secs(seconds);
    // The heavy requests at a fixed rate, timed from their send; the cheap ones latency-corrected
    // and recorded, for their windows.
    let heavy = Oha {
        rate: Some(50),
        ..Oha::get(&heavy_url, 16, duration)
    }
    .spawn(oha, &LOAD_CPUS)?;
    let cheap = Oha {
        record_to: Some(&db),
        ..Oha::get(&cheap_url, 8, duration).at_rate(2000)
    }
    .spawn(oha, &LOAD_CPUS)?;
    let (cheap, heavy) = (oha::finish(cheap)?, oha::finish(heavy)?);
    let stolen = steal.stop();
    let clean = server.stop();
    let by_second = window_p99s(&db)?;
    let _ = std::fs::remove_dir_all(&dir);
    // oha's clock starts as it is launched, within milliseconds of the sampler's.
    let quiet_windows: Vec<f64> = by_second
        .iter()
        .filter(|(second, _)| stolen.between(*second as f64 - 1.0, *second as f64 + 1.0) == 0.0)
        .map(|(_, p99)| *p99)
        .collect();
    let windows: Vec<f64> = by_second.iter().map(|(_, p99)| *p99).collect();
    let steal_ms = stolen.total();
    let errors = cheap.errors + heavy.errors;
    let json = json!({
        "backend": backend.as_str(), "seconds": seconds,
        "cheap_rps": cheap.rps, "p50_ms": cheap.p50_ms, "p99_ms": cheap.p99_ms,
        "p999_ms": cheap.p999_ms, "errors": errors,
        "windows": windows.len(), "worst_window_p99_ms": windows.iter().copied().reduce(f64::max),
        "quiet_windows": quiet_windows.len(),
        "heavy_rps": heavy.rps, "heavy_p99_ms": heavy.p99_ms,
        "steal_ms_cpu0": steal_ms[0], "steal_ms_cpu1": steal_ms[1], "clean_exit": clean,
    });
    Ok(RunRow {
        p99_ms: cheap.p99_ms.unwrap_or(f64::INFINITY),
        p999_ms: cheap.p999_ms.unwrap_or(f64::INFINITY),
        heavy_rps: heavy.rps,
        heavy_p99_ms: heavy.p99_ms.unwrap_or(f64::INFINITY),
        errors,
        steal_ms,
        windows,
        quiet_windows,
        json,
    })
}

/// Each full 1-second window of scheduled send times (second, p99 in ms), in order.
fn window_p99s(db: &Path) -> Result<Vec<(i64, f64)>, String> {
    let conn = rusqlite::Connection::open(db).map_err(|e| format!("{}: {e}", db.display()))?;
    let mut query = conn
        .prepare("SELECT COALESCE(start_latency_correction, start), duration FROM oha")
        .map_err(|e| format!("oha's database: {e}"))?;
    let rows = query
        .query_map([], |row| Ok((row.get::<_, f64>(0)?, row.get::<_, f64>(1)?)))
        .map_err(|e| format!("oha's database: {e}"))?;
    let mut windows: std::collections::BTreeMap<i64, Vec<f64>> = Default::default();
    for row in rows {
        let (sent, latency) = row.map_err(|e| format!("oha's database: {e}"))?;
        windows.entry(sent as i64).or_default().push(latency * 1e3);
    }
    Ok(windows
        .into_iter()
        .filter(|(_, latencies)| latencies.len() >= MIN_WINDOW_SAMPLES)
        .map(|(second, mut latencies)| {
            latencies.sort_by(f64::total_cmp);
            (second, percentile(&latencies, 99.0).expect("not empty"))
        })
        .collect())
}

/// Nearest-rank percentile of an ascending list.
fn percentile(sorted: &[f64], q: f64) -> Option<f64> {
    let rank = ((sorted.len() as f64 * q / 100.0).ceil() as usize).max(1);
    sorted.get(rank - 1).copied()
}

fn summarize(backend: BackendName, rows: &[RunRow], args: &Args) -> Value {
    let sorted = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v
    };
    let p99s = sorted(rows.iter().map(|r| r.p99_ms).collect());
    let windows = sorted(rows.iter().flat_map(|r| r.windows.iter().copied()).collect());
    let quiet = sorted(
        rows.iter()
            .flat_map(|r| r.quiet_windows.iter().copied())
            .collect(),
    );
    let stalls = windows.iter().filter(|w| **w > args.stall_ms).count();
    let over = p99s.iter().filter(|p| **p > args.max_p99_ms).count();
    let within = over == 0 && windows.last().is_some_and(|w| *w <= args.max_window_p99_ms);
    let judged = backend != BackendName::TokioBlockingPool;
    let seconds = (rows.len() as u64 * args.seconds).max(1) as f64;
    let steal_pct = |cpu: usize| rows.iter().map(|r| r.steal_ms[cpu]).sum::<f64>() / seconds / 10.0;
    let verdict = match (judged, stalls > 0, within) {
        (false, ..) => "not judged",
        (true, true, _) => "stall",
        (true, false, true) => "pass",
        (true, false, false) => "tail",
    };
    json!({
        "summary": backend.as_str(), "runs": rows.len(), "windows": windows.len(), "stalls": stalls,
        "stall_ms": args.stall_ms, "runs_over_max_p99": over, "max_p99_ms": args.max_p99_ms,
        "median_p99_ms": percentile(&p99s, 50.0), "worst_p99_ms": p99s.last(),
        "worst_p999_ms": rows.iter().map(|r| r.p999_ms).reduce(f64::max),
        "median_window_p99_ms": percentile(&windows, 50.0), "worst_window_p99_ms": windows.last(),
        "quiet_windows": quiet.len(), "worst_quiet_window_p99_ms": quiet.last(),
        "errors": rows.iter().map(|r| r.errors).sum::<u64>(),
        "heavy_rps_median": percentile(&sorted(rows.iter().map(|r| r.heavy_rps).collect()), 50.0),
        "heavy_p99_ms_median": percentile(&sorted(rows.iter().map(|r| r.heavy_p99_ms).collect()), 50.0),
        "steal_pct_cpu0": (steal_pct(0) * 100.0).round() / 100.0,
        "steal_pct_cpu1": (steal_pct(1) * 100.0).round() / 100.0,
        "verdict": verdict,
    })
}

/// Time stolen from CPUs 0 and 1 since boot, in ms (/proc/stat's steal column, USER_HZ ticks).
fn steal_ms() -> [f64; 2] {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let tick_ms = 1000.0 / procfs::ticks_per_second();
    let of = |cpu: &str| {
        stat.lines()
            .find(|line| line.split_whitespace().next() == Some(cpu))
            .and_then(|line| line.split_whitespace().nth(8)?.parse::<f64>().ok())
            .map_or(0.0, |ticks| ticks * tick_ms)
    };
    [of("cpu0"), of("cpu1")]
}

/// (seconds since a sampler's start, ms stolen from CPUs 0 and 1 since boot).
type Sample = (f64, [f64; 2]);

/// `steal_ms()` every 100 ms from its start until stopped.
struct StealSampler {
    stop: Arc<AtomicBool>,
    samples: Arc<Mutex<Vec<Sample>>>,
    thread: std::thread::JoinHandle<()>,
}

/// A run's steal samples: (seconds since the start, steal of CPUs 0 and 1).
struct Stolen(Vec<Sample>);

impl StealSampler {
    fn start() -> StealSampler {
        let began = Instant::now();
        let samples = Arc::new(Mutex::new(vec![(0.0, steal_ms())]));
        let stop = Arc::new(AtomicBool::new(false));
        let (flag, list) = (stop.clone(), samples.clone());
        let thread = std::thread::spawn(move || {
            while !flag.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(100));
                let sample = (began.elapsed().as_secs_f64(), steal_ms());
                list.lock().unwrap_or_else(|e| e.into_inner()).push(sample);
            }
        });
        StealSampler {
            stop,
            samples,
            thread,
        }
    }

    fn stop(self) -> Stolen {
        self.stop.store(true, Ordering::Relaxed);
        let _ = self.thread.join();
        let mut samples = std::mem::take(&mut *self.samples.lock().unwrap_or_else(|e| e.into_inner()));
        samples.push((f64::INFINITY, steal_ms()));
        Stolen(samples)
    }
}

impl Stolen {
    /// ms stolen from CPUs 0 and 1 together between `begin` and `end` seconds after the start.
    fn between(&self, begin: f64, end: f64) -> f64 {
        let at = |t: f64| {
            let (_, [a, b]) = self.0.iter().rev().find(|(at, _)| *at <= t).unwrap_or(&self.0[0]);
            a + b
        };
        at(end) - at(begin)
    }

    /// ms stolen from each CPU over the whole run.
    fn total(&self) -> [f64; 2] {
        let (first, last) = (self.0[0].1, self.0[self.0.len() - 1].1);
        [last[0] - first[0], last[1] - first[1]]
    }
}
