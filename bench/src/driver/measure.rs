//! The scenarios of the benchmark protocol and how one measured run of each goes.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::load::{self, Load, Oha};
use super::procfs;
use super::server::{MemorySamples, PLAINTEXT_REQUEST, Sampler, ServerProcess, Subject};
use super::tools::Tools;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scenario {
    /// GET /plaintext, 256 connections: the per-request overhead.
    Plaintext,
    /// GET /json, 256 connections.
    Json,
    /// GET /wait?ms=500 on 10,000 connections: Little's-law ceiling 20,000 req/s.
    Wait,
    /// GET /cpu?us=1000, 64 connections: a handler burning 1 ms of CPU.
    Cpu,
    /// /plaintext at 2,000 req/s beside /cpu?us=10000 at 50 req/s: the cheap requests' tail.
    Mixed,
    /// As mixed, with the heavy work offloaded (/cpu-offload).
    MixedOffload,
    /// 1,000 and 10,000 open keep-alive connections: memory per connection.
    Idle,
    /// /plaintext at 1, 64 and 10,000 connections (256 is plaintext's): how cost grows.
    Sweep,
    /// /plaintext pipelined 16 deep over 64 connections (wrk).
    Pipelined,
    /// 10,000 subscribers to /sse at one event per second each (sse-load): events delivered, lag,
    /// memory per subscriber, CPU per event.
    Sse,
    /// POST /upload of 1 MiB bodies on 64 connections: MB/s and CPU per GB.
    Upload,
    /// GET /download of 1 MiB bodies (64 KiB chunks) on 64 connections: MB/s and CPU per GB.
    Download,
    /// /plaintext on 256 connections with the server on 1, 2, 4, … CPUs (and as many workers): what
    /// spreading over cores costs per request. With one server CPU (the default) the sweep borrows
    /// the load CPUs, shared with the load generator.
    Cores,
    /// The wait load held for --soak-duration (10 minutes), one rep: errors, the RSS slope, and
    /// descriptors and threads left after it. Not in the default run.
    Soak,
    /// TechEmpower's GET /db (one SELECT) on 256 and 512 connections, against the PostgreSQL the
    /// bench starts (or --db-url). A full run adds the pool sweep's rows here, at 512.
    Db,
    /// GET /queries?queries=20 on 512 connections: twenty SELECTs per request, pipelined on the
    /// connection. (/db is the one-query case: the same SELECT, unwrapped.)
    Queries,
    /// GET /fortunes on 256 and 512 connections: every Fortune row and one more, sorted, through
    /// a compile-time template.
    Fortunes,
    /// GET /updates?queries=20 on 512 connections: twenty SELECTs and one UPDATE per request.
    Updates,
}

impl Scenario {
    pub const ALL: [Scenario; 17] = [
        Scenario::Plaintext,
        Scenario::Json,
        Scenario::Wait,
        Scenario::Cpu,
        Scenario::Mixed,
        Scenario::MixedOffload,
        Scenario::Idle,
        Scenario::Sweep,
        Scenario::Pipelined,
        Scenario::Sse,
        Scenario::Upload,
        Scenario::Download,
        Scenario::Cores,
        Scenario::Db,
        Scenario::Queries,
        Scenario::Fortunes,
        Scenario::Updates,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Scenario::Plaintext => "plaintext",
            Scenario::Json => "json",
            Scenario::Wait => "wait",
            Scenario::Cpu => "cpu",
            Scenario::Mixed => "mixed",
            Scenario::MixedOffload => "mixed-offload",
            Scenario::Idle => "idle",
            Scenario::Sweep => "sweep",
            Scenario::Pipelined => "pipelined",
            Scenario::Sse => "sse",
            Scenario::Upload => "upload",
            Scenario::Download => "download",
            Scenario::Cores => "cores",
            Scenario::Soak => "soak",
            Scenario::Db => "db",
            Scenario::Queries => "queries",
            Scenario::Fortunes => "fortunes",
            Scenario::Updates => "updates",
        }
    }

    /// The route a database scenario loads; `None` for the others.
    pub fn database_path(self) -> Option<&'static str> {
        match self {
            Scenario::Db => Some("/db"),
            Scenario::Queries => Some("/queries?queries=20"),
            Scenario::Fortunes => Some("/fortunes"),
            Scenario::Updates => Some("/updates?queries=20"),
            _ => None,
        }
    }

    /// Whether the route is GET /plaintext, the one answer a runtime's floor (`bare`) gives.
    pub fn plaintext_only(self) -> bool {
        matches!(self, Scenario::Plaintext | Scenario::Pipelined | Scenario::Cores)
    }

    /// Whether the scenario talks to the database.
    pub fn has_database(self) -> bool {
        self.database_path().is_some()
    }

    /// The axum rows ask whether the app and its runtime hold up where they differ from our own
    /// routes: the request path, many waiting users, idle connections. (Streams too until the run
    /// had to fit 45 minutes: in the snapshot of 2026-12-06 each axum sse row but threads' was
    /// within its native row's spread.)
    pub fn measures_axum(self) -> bool {
        matches!(
            self,
            Scenario::Plaintext | Scenario::Json | Scenario::Wait | Scenario::Idle
        )
    }

    /// The unit of `headline`.
    pub fn headline_unit(self) -> &'static str {
        match self {
            Scenario::Wait | Scenario::Soak => "req/s",
            Scenario::Mixed | Scenario::MixedOffload => "ms cheap p99",
            Scenario::Idle => "KB/conn",
            Scenario::Sse => "CPU-µs/event",
            _ => "CPU-µs/req",
        }
    }

    /// The CPU sets the server is pinned to, one run each: the server CPUs, or for the cores scenario
    /// the first 1, 2, 4, … of them (all of them last).
    pub fn server_cpu_sets(self, settings: &Settings) -> Vec<Vec<usize>> {
        if self != Scenario::Cores {
            return vec![settings.server_cpus.clone()];
        }
        let mut all = settings.server_cpus.clone();
        if all.len() == 1 {
            all.extend(
                settings
                    .load_cpus
                    .iter()
                    .filter(|cpu| !all.contains(cpu))
                    .collect::<Vec<_>>(),
            );
        }
        let mut sets: Vec<Vec<usize>> = std::iter::successors(Some(1), |k| Some(k * 2))
            .take_while(|&k| k < all.len())
            .map(|k| all[..k].to_vec())
            .collect();
        sets.push(all);
        sets
    }

    /// The connection counts measured, one run each.
    pub fn connections(self, settings: &Settings) -> Vec<usize> {
        match self {
            Scenario::Plaintext | Scenario::Json | Scenario::Cores => vec![256],
            Scenario::Wait | Scenario::Soak | Scenario::Sse => vec![settings.wait_connections],
            Scenario::Cpu | Scenario::Pipelined | Scenario::Upload | Scenario::Download => vec![64],
            // cheap + heavy connections
            Scenario::Mixed | Scenario::MixedOffload => vec![8 + 16],
            Scenario::Idle => settings.idle_connections.clone(),
            Scenario::Sweep => settings.sweep_connections.clone(),
            Scenario::Db | Scenario::Fortunes => vec![256, 512],
            // Twenty queries a request: the connection count matters less than the queries'.
            Scenario::Queries | Scenario::Updates => vec![512],
        }
    }
}

/// How long and how often; recorded in the results.
#[derive(Clone, Debug, Serialize, serde::Deserialize)]
pub struct Settings {
    pub reps: usize,
    pub duration_s: f64,
    pub warmup_s: f64,
    pub wait_duration_s: f64,
    pub wait_connections: usize,
    pub wait_ms: u64,
    /// Absent from results written before the soak scenario existed.
    #[serde(default)]
    pub soak_duration_s: f64,
    pub idle_connections: Vec<usize>,
    pub sweep_connections: Vec<usize>,
    pub server_cpus: Vec<usize>,
    pub load_cpus: Vec<usize>,
    pub max_connections: u32,
    pub quick: bool,
    /// The database scenarios' PostgreSQL and connection strategy, when they ran.
    #[serde(default)]
    pub database: Option<String>,
}

impl Settings {
    pub fn duration(&self, scenario: Scenario) -> Duration {
        Duration::from_secs_f64(match scenario {
            Scenario::Wait => self.wait_duration_s,
            Scenario::Soak => self.soak_duration_s,
            _ => self.duration_s,
        })
    }

    /// Measured repetitions: a soak is one long run.
    pub fn reps(&self, scenario: Scenario) -> usize {
        if scenario == Scenario::Soak { 1 } else { self.reps }
    }

    /// Planned wall time of one cell (its server's start aside), for the progress line's ETA.
    pub fn planned_seconds(&self, scenario: Scenario, connections: usize) -> f64 {
        match scenario {
            Scenario::Idle => self.reps as f64 * (1.5 + connections as f64 / 20_000.0),
            _ => {
                let reps = self.reps(scenario) as f64;
                self.warmup_s + reps * (self.duration(scenario).as_secs_f64() + 0.5)
            }
        }
    }
}

/// One rep's raw figures.
#[derive(Clone, Default)]
pub struct Sample {
    load: Load,
    /// The second load of the mixed scenarios: the heavy requests.
    heavy: Option<Load>,
    /// `None` for a `--target` server, whose `/proc` is not ours to read.
    server_cpu_s: Option<f64>,
    /// The database's processes, summed (database scenarios, on a database the bench started).
    db_cpu_s: Option<f64>,
    wall_s: f64,
    loadgen_cpu_s: f64,
    memory: MemorySamples,
    base_rss_kb: u64,
    pub base_kernel_stack_kb: u64,
    /// Open connections while memory was sampled.
    connections: usize,
    /// soak: the server at rest before and after the load.
    pub at_rest: Option<(AtRest, AtRest)>,
}

/// What a server holds with no connection open: what a leak would make grow.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AtRest {
    fds: u64,
    threads: u64,
}

impl AtRest {
    fn read(pid: u32) -> AtRest {
        AtRest {
            fds: procfs::open_fds(pid),
            threads: procfs::tree_status_field(pid, "Threads:"),
        }
    }

    /// Reads the server once its connections have wound down: as soon as it is back to `base`,
    /// or what it holds after 30 s (idle pool threads retire after 10 s in tokio and `blocking`).
    pub fn settled(pid: u32, base: Option<AtRest>) -> AtRest {
        let deadline = Instant::now() + Duration::from_secs(30);
        std::thread::sleep(Duration::from_secs(2));
        loop {
            let now = AtRest::read(pid);
            let back = base.is_none_or(|b| now.fds <= b.fds && now.threads <= b.threads);
            if back || Instant::now() >= deadline {
                return now;
            }
            std::thread::sleep(Duration::from_millis(500));
        }
    }
}

/// One row of the results: a backend in a scenario at a connection count, the median of its reps.
#[derive(Clone, Debug, Serialize, serde::Deserialize)]
pub struct Run {
    pub backend: String,
    /// A reference server (Go, Node, WSGI) rather than one of our backends.
    #[serde(default)]
    pub reference: bool,
    pub scenario: String,
    pub connections: usize,
    /// CPUs the server was pinned to (absent from results written before the cores scenario).
    #[serde(default)]
    pub server_cores: Option<usize>,
    pub reps: usize,
    pub requests: u64,
    pub rps: Option<f64>,
    pub rps_min: Option<f64>,
    pub rps_max: Option<f64>,
    pub p50_ms: Option<f64>,
    pub p90_ms: Option<f64>,
    pub p99_ms: Option<f64>,
    pub p99_min_ms: Option<f64>,
    pub p99_max_ms: Option<f64>,
    pub p999_ms: Option<f64>,
    pub max_ms: Option<f64>,
    /// Failed requests over all reps (deadline cut-offs excluded).
    pub errors: u64,
    pub non_2xx: u64,
    pub cpu_us_per_req: Option<f64>,
    pub cpu_us_min: Option<f64>,
    pub cpu_us_max: Option<f64>,
    /// The database's CPU per request, its processes summed (database scenarios).
    #[serde(default)]
    pub db_cpu_us_per_req: Option<f64>,
    /// Server CPU time over wall time, as a share of its CPU set.
    pub server_cpu_pct: Option<f64>,
    pub peak_rss_kb: u64,
    pub steady_rss_kb: u64,
    /// (peak RSS − RSS before the run) / connections.
    pub rss_per_conn_kb: Option<f64>,
    /// Growth of the kernel's thread stacks / connections: the memory RSS does not show.
    pub kernel_stack_per_conn_kb: Option<f64>,
    pub threads: u64,
    pub loadgen_cpu_pct: Option<f64>,
    /// The load generator used ≥ 90% of its CPUs while the server used < 90% of its own: the
    /// request rate is the load generator's, and CPU-µs/req is the figure that ranks servers.
    pub loadgen_saturated: bool,
    /// wait: req/s as a percentage of the Little's-law ceiling.
    pub ceiling_pct: Option<f64>,
    /// mixed: the heavy requests' rate and p99 (the other figures are the cheap requests').
    pub heavy_rps: Option<f64>,
    pub heavy_p99_ms: Option<f64>,
    /// soak: the slope of RSS over the second half of the run, KB per minute.
    #[serde(default)]
    pub rss_slope_kb_per_min: Option<f64>,
    /// soak: descriptors and threads at rest before and after the load.
    #[serde(default)]
    pub fds_before: Option<u64>,
    #[serde(default)]
    pub fds_after: Option<u64>,
    #[serde(default)]
    pub threads_before: Option<u64>,
    #[serde(default)]
    pub threads_after: Option<u64>,
    /// Every server process exited 0 after SIGTERM (graceful shutdown).
    pub clean_exit: bool,
    pub note: Option<String>,
    /// The row the ratio is taken to: same scenario, connections and CPUs.
    #[serde(default)]
    pub baseline: Option<String>,
    /// The scenario's headline figure (`headline`) over the baseline's, taken within each round:
    /// the median of the rounds' ratios and their spread.
    #[serde(default)]
    pub ratio: Option<f64>,
    #[serde(default)]
    pub ratio_min: Option<f64>,
    #[serde(default)]
    pub ratio_max: Option<f64>,
    /// The row this one is paired with (`--compare`'s `<backend>@base`, `--floors`'
    /// `bare-<runtime>`), and the headline figure over the pair's, taken within each round as
    /// `ratio` is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pair: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pair_ratio: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pair_ratio_min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pair_ratio_max: Option<f64>,
}

/// The figure a scenario ranks servers by, for one rep: server CPU per request (per event for
/// sse), except where the scenario is about something else: the rate for wait and soak (capacity
/// while requests wait), the cheap requests' p99 for the mixed scenarios, memory per connection
/// for idle. `None` where it was not read (a `--target` server's CPU).
pub fn headline(job: &Job<'_>, s: &Sample) -> Option<f64> {
    let per_conn = |now: u64, base: u64| now.saturating_sub(base) as f64 / s.connections.max(1) as f64;
    match job.scenario {
        Scenario::Wait | Scenario::Soak => Some(s.load.rps),
        Scenario::Mixed | Scenario::MixedOffload => s.load.p99_ms,
        Scenario::Idle => (s.memory.peak_rss_kb > 0).then(|| {
            per_conn(s.memory.peak_rss_kb, s.base_rss_kb)
                + per_conn(s.memory.peak_kernel_stack_kb, s.base_kernel_stack_kb)
        }),
        // Nothing answered (may_minihttp cannot stream sse): no cost per request to rank by.
        _ if total_requests(s) == 0 => None,
        _ => Some(s.server_cpu_s? * 1e6 / total_requests(s) as f64),
    }
}

/// Whether a larger headline figure is the better one (only the rates are).
pub fn higher_is_better(scenario: &str) -> bool {
    matches!(scenario, "wait" | "soak")
}

pub struct Job<'a> {
    pub subject: &'a Subject,
    pub scenario: Scenario,
    pub connections: usize,
    /// The CPUs the server is pinned to (a backend's workers default to as many).
    pub server_cpus: Vec<usize>,
}

/// One load run against a started server.
pub fn measure(
    job: &Job<'_>,
    tools: &Tools,
    settings: &Settings,
    server: &ServerProcess,
    duration: Duration,
    pipeline_script: &Path,
    warmup: bool,
) -> Result<Sample, String> {
    let base = format!("http://{}", server.addr);
    let cpus = &settings.load_cpus;
    // Warm-up opens at most 256 connections: enough to grow pools and caches, without holding
    // the ramp of a 10,000-connection scenario twice.
    let connections = if warmup {
        job.connections.min(256)
    } else {
        job.connections
    };
    let oha = |path: &str, connections: usize, rate: Option<u32>| {
        Oha {
            url: &format!("{base}{path}"),
            connections,
            duration,
            rate,
            post_body: None,
        }
        .spawn(&tools.oha, cpus)
    };
    let server_cpu = || server.pid().map(procfs::cpu_seconds);
    let db_cpu = || tools.database_pid.map(procfs::cpu_seconds);
    let db_cpu0 = db_cpu();
    let cpu0 = server_cpu();
    let children0 = procfs::children_cpu_seconds();
    let sampler = server.pid().map(Sampler::start);
    let started = Instant::now();
    let mut window_cpu = None;
    let (load, heavy) = match job.scenario {
        Scenario::Plaintext | Scenario::Sweep | Scenario::Cores => {
            (oha_load(oha("/plaintext", connections, None)?)?, None)
        }
        Scenario::Json => (oha_load(oha("/json", connections, None)?)?, None),
        Scenario::Wait | Scenario::Soak => {
            let path = format!("/wait?ms={}", settings.wait_ms);
            // oha times a connection's first request from before its connect, so 10,000 fresh
            // connections put the load generator's own ramp (and SYN retries past the accept
            // backlog) into the tail; wrk connects first and times requests only.
            match &tools.wrk {
                Some(wrk) => {
                    let child =
                        load::spawn_wrk(wrk, None, &format!("{base}{path}"), connections, duration, cpus)?;
                    (load::parse_wrk(&load::output(child, "wrk")?)?, None)
                }
                None => (oha_load(oha(&path, connections, None)?)?, None),
            }
        }
        Scenario::Cpu => (oha_load(oha("/cpu?us=1000", connections, None)?)?, None),
        Scenario::Mixed | Scenario::MixedOffload => {
            let heavy_path = if job.scenario == Scenario::Mixed {
                "/cpu?us=10000"
            } else {
                "/cpu-offload?us=10000"
            };
            let heavy = oha(heavy_path, 16, Some(50))?;
            let cheap = oha("/plaintext", 8, Some(2000))?;
            (oha_load(cheap)?, Some(oha_load(heavy)?))
        }
        Scenario::Pipelined => {
            let wrk = tools.wrk.as_ref().expect("checked by run()");
            let child = load::spawn_wrk(
                wrk,
                Some(pipeline_script),
                &format!("{base}/plaintext"),
                connections,
                duration,
                cpus,
            )?;
            (load::parse_wrk(&load::output(child, "wrk")?)?, None)
        }
        Scenario::Sse => {
            let sse_load = tools.sse_load.as_ref().ok_or("sse-load is not built")?;
            let fds_before = server.pid().map(procfs::open_fds);
            let child =
                load::spawn_sse_load(sse_load, server.addr, connections, duration, server.pid(), cpus)?;
            let (load, cpu) = load::parse_sse_load(&load::output(child, "sse-load")?)?;
            window_cpu = cpu;
            // A blocking backend notices a subscriber left only at its next event (up to a second):
            // the next rep must not open 10,000 more while those are still held (10,000 threads
            // twice over would pass the kernel's limit on memory maps).
            if let Some((pid, before)) = server.pid().zip(fds_before) {
                let until = Instant::now() + Duration::from_secs(15);
                while procfs::open_fds(pid) > before + 16 && Instant::now() < until {
                    std::thread::sleep(Duration::from_millis(100));
                }
            }
            (load, None)
        }
        Scenario::Upload => {
            let body = upload_body()?;
            let child = Oha {
                url: &format!("{base}/upload"),
                connections,
                duration,
                rate: None,
                post_body: Some(&body),
            }
            .spawn(&tools.oha, cpus)?;
            (oha_load(child)?, None)
        }
        Scenario::Download => (
            oha_load(oha(
                &format!("/download?bytes={TRANSFER_BYTES}&chunk=65536"),
                connections,
                None,
            )?)?,
            None,
        ),
        Scenario::Db | Scenario::Queries | Scenario::Fortunes | Scenario::Updates => {
            let path = job.scenario.database_path().expect("a database scenario");
            (oha_load(oha(path, connections, None)?)?, None)
        }
        Scenario::Idle => unreachable!("idle opens its own connections"),
    };
    Ok(Sample {
        wall_s: started.elapsed().as_secs_f64(),
        memory: sampler.map(Sampler::finish).unwrap_or_default(),
        // sse: the load generator's own window (subscriptions open and settled), not their ramp.
        server_cpu_s: window_cpu.or_else(|| server_cpu().zip(cpu0).map(|(end, start)| end - start)),
        db_cpu_s: db_cpu().zip(db_cpu0).map(|(end, start)| end - start),
        loadgen_cpu_s: procfs::children_cpu_seconds() - children0,
        load,
        heavy,
        // From the fresh server's RSS: what this many connections (and the warm-up) made it hold.
        base_rss_kb: server.start_rss_kb,
        // rounds.rs replaces it with the base read right before the rep.
        base_kernel_stack_kb: server.start_kernel_stack_kb,
        connections,
        at_rest: None,
    })
}

/// The body of each upload and download request: 1 MiB.
pub const TRANSFER_BYTES: u64 = 1 << 20;

/// A file of `TRANSFER_BYTES` for oha to post, written once.
fn upload_body() -> Result<std::path::PathBuf, String> {
    let path = std::env::temp_dir().join("bench-upload-1mib.bin");
    if std::fs::metadata(&path).is_ok_and(|m| m.len() == TRANSFER_BYTES) {
        return Ok(path);
    }
    std::fs::write(&path, vec![b'u'; TRANSFER_BYTES as usize])
        .map_err(|e| format!("writing {}: {e}", path.display()))?;
    Ok(path)
}

fn oha_load(child: std::process::Child) -> Result<Load, String> {
    load::parse_oha(&load::output(child, "oha")?)
}

/// Opens `n` keep-alive connections, one request each, holds them, and reads the server's memory.
pub fn idle(server: &ServerProcess, n: usize) -> Result<Sample, String> {
    let pid = server
        .pid()
        .ok_or("idle reads the server's memory from /proc: not for a --target server")?;
    let open = |addr: SocketAddr| -> std::io::Result<TcpStream> {
        let mut stream = TcpStream::connect(addr)?;
        stream.set_read_timeout(Some(Duration::from_secs(10)))?;
        stream.write_all(PLAINTEXT_REQUEST)?;
        Ok(stream)
    };
    let answered = |stream: &mut TcpStream| {
        let mut buf = [0u8; 1024];
        matches!(stream.read(&mut buf), Ok(len) if buf[..len].starts_with(b"HTTP/1.1 200"))
    };
    let started = Instant::now();
    let mut held = Vec::with_capacity(n);
    let mut errors = 0;
    // Send in batches and then read, so the server sees many connections become active at once.
    for batch_start in (0..n).step_by(500) {
        let batch: Vec<TcpStream> = (batch_start..n.min(batch_start + 500))
            .filter_map(|_| open(server.addr).inspect_err(|_| errors += 1).ok())
            .collect();
        for mut stream in batch {
            if answered(&mut stream) {
                held.push(stream);
            } else {
                errors += 1;
            }
        }
    }
    std::thread::sleep(Duration::from_millis(1500));
    let rss = procfs::tree_status_field(pid, "VmRSS:");
    let memory = MemorySamples {
        peak_rss_kb: rss,
        steady_rss_kb: rss,
        peak_kernel_stack_kb: procfs::kernel_stack_kb(),
        peak_threads: procfs::tree_status_field(pid, "Threads:"),
        rss_slope_kb_per_min: None,
    };
    let served = held.len();
    drop(held);
    Ok(Sample {
        load: Load {
            requests: served as u64,
            errors,
            ..Load::default()
        },
        heavy: None,
        server_cpu_s: None,
        db_cpu_s: None,
        wall_s: started.elapsed().as_secs_f64(),
        loadgen_cpu_s: 0.0,
        memory,
        base_rss_kb: server.start_rss_kb,
        base_kernel_stack_kb: server.start_kernel_stack_kb,
        connections: served,
        at_rest: None,
    })
}

/// The row of a job that could not be measured, saying why.
pub fn failed(job: &Job<'_>, settings: &Settings, why: String) -> Run {
    aggregate(job, settings, &[], false, Some(why))
}

pub fn median(mut values: Vec<f64>) -> Option<f64> {
    values.retain(|v| v.is_finite());
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied()
}

pub fn spread(values: &[f64]) -> (Option<f64>, Option<f64>) {
    let finite = values.iter().copied().filter(|v| v.is_finite());
    (finite.clone().reduce(f64::min), finite.reduce(f64::max))
}

pub fn aggregate(
    job: &Job<'_>,
    settings: &Settings,
    samples: &[Sample],
    clean_exit: bool,
    note: Option<String>,
) -> Run {
    let of = |f: &dyn Fn(&Sample) -> Option<f64>| -> Vec<f64> { samples.iter().filter_map(f).collect() };
    let med = |f: &dyn Fn(&Sample) -> Option<f64>| median(of(f));
    let idle = job.scenario == Scenario::Idle;
    let cpu_per_req = |s: &Sample| {
        let cpu = s.server_cpu_s.filter(|_| !idle && s.load.requests > 0)?;
        Some(cpu * 1e6 / total_requests(s) as f64)
    };
    let rps = of(&|s| (!idle).then_some(s.load.rps));
    let p99 = of(&|s| s.load.p99_ms);
    let cpus = |list: &[usize]| list.len().max(1) as f64;
    let server_pct = med(&|s| {
        let cpu = s.server_cpu_s.filter(|_| !idle)?;
        Some(100.0 * cpu / s.wall_s / cpus(&job.server_cpus))
    });
    let loadgen_pct =
        med(&|s| (!idle).then(|| 100.0 * s.loadgen_cpu_s / s.wall_s / cpus(&settings.load_cpus)));
    // A zero reading is a server whose memory was not read (--target).
    let per_conn = |s: &Sample, now: u64, base: u64| {
        (s.connections > 0 && now > 0).then(|| now.saturating_sub(base) as f64 / s.connections as f64)
    };
    let median_rps = median(rps.clone());
    Run {
        backend: job.subject.name.clone(),
        reference: job.subject.reference,
        scenario: job.scenario.as_str().into(),
        connections: job.connections,
        server_cores: Some(job.server_cpus.len()),
        reps: samples.len(),
        requests: med(&|s| Some(s.load.requests as f64)).unwrap_or(0.0) as u64,
        rps: median_rps,
        rps_min: spread(&rps).0,
        rps_max: spread(&rps).1,
        p50_ms: med(&|s| s.load.p50_ms),
        p90_ms: med(&|s| s.load.p90_ms),
        p99_ms: median(p99.clone()),
        p99_min_ms: spread(&p99).0,
        p99_max_ms: spread(&p99).1,
        p999_ms: med(&|s| s.load.p999_ms),
        max_ms: of(&|s| s.load.max_ms).into_iter().reduce(f64::max),
        errors: samples
            .iter()
            .map(|s| s.load.errors + s.heavy.as_ref().map_or(0, |h| h.errors))
            .sum(),
        non_2xx: samples
            .iter()
            .map(|s| s.load.non_2xx + s.heavy.as_ref().map_or(0, |h| h.non_2xx))
            .sum(),
        cpu_us_per_req: med(&cpu_per_req),
        cpu_us_min: spread(&of(&cpu_per_req)).0,
        cpu_us_max: spread(&of(&cpu_per_req)).1,
        db_cpu_us_per_req: med(&|s| Some(s.db_cpu_s? * 1e6 / total_requests(s).max(1) as f64)),
        server_cpu_pct: server_pct,
        peak_rss_kb: samples.iter().map(|s| s.memory.peak_rss_kb).max().unwrap_or(0),
        steady_rss_kb: med(&|s| Some(s.memory.steady_rss_kb as f64)).unwrap_or(0.0) as u64,
        rss_per_conn_kb: med(&|s| per_conn(s, s.memory.peak_rss_kb, s.base_rss_kb)),
        kernel_stack_per_conn_kb: med(&|s| {
            per_conn(s, s.memory.peak_kernel_stack_kb, s.base_kernel_stack_kb)
        }),
        threads: samples.iter().map(|s| s.memory.peak_threads).max().unwrap_or(0),
        loadgen_cpu_pct: loadgen_pct,
        loadgen_saturated: loadgen_pct.is_some_and(|l| l >= 90.0) && server_pct.is_some_and(|s| s < 90.0),
        ceiling_pct: match job.scenario {
            Scenario::Wait | Scenario::Soak => {
                let ceiling = job.connections as f64 * 1000.0 / settings.wait_ms as f64;
                Some(100.0 * median_rps.unwrap_or(0.0) / ceiling)
            }
            // One event per subscriber per second.
            Scenario::Sse => Some(100.0 * median_rps.unwrap_or(0.0) / job.connections as f64),
            _ => None,
        },
        heavy_rps: med(&|s| s.heavy.as_ref().map(|h| h.rps)),
        heavy_p99_ms: med(&|s| s.heavy.as_ref().and_then(|h| h.p99_ms)),
        rss_slope_kb_per_min: samples
            .first()
            .filter(|_| job.scenario == Scenario::Soak)
            .and_then(|s| s.memory.rss_slope_kb_per_min),
        fds_before: at_rest(samples, |(before, _)| before.fds),
        fds_after: at_rest(samples, |(_, after)| after.fds),
        threads_before: at_rest(samples, |(before, _)| before.threads),
        threads_after: at_rest(samples, |(_, after)| after.threads),
        clean_exit,
        note,
        baseline: None,
        ratio: None,
        ratio_min: None,
        ratio_max: None,
        pair: None,
        pair_ratio: None,
        pair_ratio_min: None,
        pair_ratio_max: None,
    }
}

fn total_requests(sample: &Sample) -> u64 {
    sample.load.requests + sample.heavy.as_ref().map_or(0, |h| h.requests)
}

fn at_rest(samples: &[Sample], field: fn(&(AtRest, AtRest)) -> u64) -> Option<u64> {
    samples.first()?.at_rest.as_ref().map(field)
}
