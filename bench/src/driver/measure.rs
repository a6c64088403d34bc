//! One measured run of a scenario against a started server: what a scenario's `measure` is
//! given (`Context`) and what it returns (`Sample`, one rep's raw figures).

use std::path::Path;
use std::process::Child;
use std::time::{Duration, Instant};

use super::server::ServerProcess;
use super::settings::Settings;
use super::tools::Tools;
use super::tools::load::Load;
use super::tools::oha::{self, Oha};
use super::tools::procfs;
use super::tools::sampler::{MemorySamples, Sampler};

/// One rep's raw figures.
#[derive(Clone, Default)]
pub struct Sample {
    pub load: Load,
    /// The second load of the mixed scenarios: the heavy requests.
    pub heavy: Option<Load>,
    /// `None` for a `--target` server, whose `/proc` is not ours to read.
    pub server_cpu_s: Option<f64>,
    /// The database's processes, summed (database scenarios, on a database the bench started).
    pub db_cpu_s: Option<f64>,
    pub wall_s: f64,
    pub loadgen_cpu_s: f64,
    pub memory: MemorySamples,
    pub base_rss_kb: u64,
    pub base_kernel_stack_kb: u64,
    /// Open connections while memory was sampled.
    pub connections: usize,
    /// A scenario that watches for leaks: the server at rest before and after the load.
    pub at_rest: Option<(AtRest, AtRest)>,
    /// The machine's steal time over the load, as a share of all its CPU time (%).
    pub steal_pct: f64,
}

impl Sample {
    /// Requests answered, both loads together.
    pub fn total_requests(&self) -> u64 {
        self.load.requests + self.heavy.as_ref().map_or(0, |h| h.requests)
    }

    /// Server CPU per answered request, in µs; `None` where nothing answered (no cost to rank
    /// by) or the CPU was not read (a `--target` server).
    pub fn cpu_us_per_request(&self) -> Option<f64> {
        match self.total_requests() {
            0 => None,
            requests => Some(self.server_cpu_s? * 1e6 / requests as f64),
        }
    }

    /// Memory the server grew by per open connection, RSS and kernel stacks, in KB; `None` where
    /// it was not read.
    pub fn memory_per_connection_kb(&self) -> Option<f64> {
        let per_conn = |now: u64, base: u64| now.saturating_sub(base) as f64 / self.connections.max(1) as f64;
        (self.memory.peak_rss_kb > 0).then(|| {
            per_conn(self.memory.peak_rss_kb, self.base_rss_kb)
                + per_conn(self.memory.peak_kernel_stack_kb, self.base_kernel_stack_kb)
        })
    }
}

/// What a server holds with no connection open: what a leak would make grow.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AtRest {
    pub fds: u64,
    pub threads: u64,
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

/// Everything one measured run (or warm-up) is given.
pub struct Context<'a> {
    pub server: &'a ServerProcess,
    pub tools: &'a Tools,
    pub settings: &'a Settings,
    /// The cell's connection count (see `connections` for the count a run opens).
    pub cell_connections: usize,
    pub duration: Duration,
    pub pipeline_script: &'a Path,
    pub warmup: bool,
}

impl Context<'_> {
    /// The connections this run opens: warm-up opens at most 256, enough to grow pools and caches
    /// without holding the ramp of a 10,000-connection scenario twice.
    pub fn connections(&self) -> usize {
        if self.warmup {
            self.cell_connections.min(256)
        } else {
            self.cell_connections
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.server.addr)
    }

    /// The CPUs load generators run on.
    pub fn load_cpus(&self) -> &[usize] {
        &self.settings.load_cpus
    }

    /// Starts oha on `path` (`rate`: a fixed offered rate, latency corrected).
    pub fn spawn_oha(&self, path: &str, connections: usize, rate: Option<u32>) -> Result<Child, String> {
        let url = self.url(path);
        let oha = Oha::get(&url, connections, self.duration);
        let oha = match rate {
            Some(rate) => oha.at_rate(rate),
            None => oha,
        };
        oha.spawn(&self.tools.oha, self.load_cpus())
    }

    /// oha on `path` over this run's connections, as fast as the server answers.
    pub fn oha(&self, path: &str) -> Result<Load, String> {
        oha::finish(self.spawn_oha(path, self.connections(), None)?)
    }
}

/// What a scenario's load produced: its load (and the mixed scenarios' heavy one), and the
/// server's CPU where the load generator measured it over a window of its own (sse).
#[derive(Default)]
pub struct Loaded {
    pub load: Load,
    pub heavy: Option<Load>,
    pub server_cpu_s: Option<f64>,
}

impl From<Load> for Loaded {
    fn from(load: Load) -> Self {
        Loaded {
            load,
            ..Loaded::default()
        }
    }
}

/// Runs `load` while reading the server's, the database's and the load generators' CPU and
/// sampling the server's memory: the sample of a scenario that loads the server.
pub fn under_load(
    ctx: &Context<'_>,
    load: impl FnOnce(&Context<'_>) -> Result<Loaded, String>,
) -> Result<Sample, String> {
    let server = ctx.server;
    let server_cpu = || server.pid().map(procfs::cpu_seconds);
    let db_cpu = || ctx.tools.database_pid.map(procfs::cpu_seconds);
    let db_cpu0 = db_cpu();
    let cpu0 = server_cpu();
    let children0 = procfs::children_cpu_seconds();
    let (steal0, ticks0) = procfs::steal_and_total_ticks();
    let sampler = server.pid().map(Sampler::start);
    let started = Instant::now();
    let loaded = load(ctx)?;
    let (steal1, ticks1) = procfs::steal_and_total_ticks();
    Ok(Sample {
        steal_pct: 100.0 * (steal1 - steal0) as f64 / ticks1.saturating_sub(ticks0).max(1) as f64,
        wall_s: started.elapsed().as_secs_f64(),
        memory: sampler.map(Sampler::finish).unwrap_or_default(),
        server_cpu_s: (loaded.server_cpu_s)
            .or_else(|| server_cpu().zip(cpu0).map(|(end, start)| end - start)),
        db_cpu_s: db_cpu().zip(db_cpu0).map(|(end, start)| end - start),
        loadgen_cpu_s: procfs::children_cpu_seconds() - children0,
        load: loaded.load,
        heavy: loaded.heavy,
        // From the fresh server's RSS: what this many connections (and the warm-up) made it hold.
        base_rss_kb: server.start_rss_kb,
        // rounds.rs replaces it with the base read right before the rep where that matters.
        base_kernel_stack_kb: server.start_kernel_stack_kb,
        connections: ctx.connections(),
        at_rest: None,
    })
}
