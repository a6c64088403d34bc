//! The benchmark driver: every backend under identical load, then the results docs.

mod charts;
mod instructions;
mod kind;
mod measure;
mod plan;
mod progress;
mod recheck;
pub mod reference;
mod report;
mod rounds;
mod row;
mod scenarios;
pub mod server;
mod settings;
mod skew;
mod stalls;
mod stats;
mod tools;
pub use tools::procfs;
pub use tools::python_venv;
pub use tools::sse_load::SseReport;
pub use tools::ws_load::WsReport;

use std::path::{Path, PathBuf};

use clap::Parser;

use crate::BackendName;
use plan::{Choice, Plan, Row};
use reference::Reference;
use row::Run;
use scenarios::{ScenarioRef, WrkUse};
use settings::Settings;
use tools::Tools;

/// Runs every backend's `serve` process under identical load (oha; wrk for pipelining), server
/// and load generator pinned to disjoint CPUs, and writes results.json, results.md and SVG charts.
#[derive(Parser)]
#[command(version, args_conflicts_with_subcommands = true)]
pub struct Args {
    #[command(subcommand)]
    command: Option<Command>,
    /// A short run (about a minute): plaintext and json, one rep of 2 s each.
    #[arg(long)]
    quick: bool,
    /// Backends to measure (comma-separated). Default: all.
    #[arg(long, value_enum, value_delimiter = ',')]
    backends: Vec<BackendName>,
    /// Reference servers of bench/reference/ to measure beside them (comma-separated). Default:
    /// all whose toolchain is present, unless --quick or --backends is given.
    #[arg(long, value_enum, value_delimiter = ',')]
    references: Vec<Reference>,
    /// Also measure the standard routes written as an axum app: on each chosen backend (rows
    /// `axum-<backend>`; not coroutine-minihttp) and on `axum::serve` (row `ref-axum-serve`), in
    /// the scenarios axum rows are measured in. A full run (no selection) always does.
    #[arg(long, conflicts_with = "target")]
    axum: bool,
    /// Measure no reference server.
    #[arg(long, conflicts_with = "references")]
    no_references: bool,
    /// Measure only the server already running at this URL (e.g. `http://10.0.0.2:8080`, a
    /// `serve` or a load balancer on another machine): load-side figures only, since its CPU and
    /// memory are not readable from here; idle is skipped.
    #[arg(long, conflicts_with_all = ["backends", "references", "serve"])]
    target: Option<String>,
    /// Scenarios to run (comma-separated). Default: all but soak (quick: plaintext,json).
    #[arg(long, value_enum, value_delimiter = ',')]
    scenarios: Vec<ScenarioRef>,
    /// Measured repetitions per run; the median is reported with the min–max spread.
    #[arg(long)]
    reps: Option<usize>,
    /// Seconds per measured run.
    #[arg(long)]
    duration: Option<f64>,
    /// Seconds of warm-up load before the measured runs of each backend.
    #[arg(long)]
    warmup: Option<f64>,
    /// Seconds per measured run of the wait scenario.
    #[arg(long)]
    wait_duration: Option<f64>,
    /// Seconds of the soak scenario's one run.
    #[arg(long, default_value_t = 600.0)]
    soak_duration: f64,
    /// Connections of the wait and soak scenarios (each request waits 500 ms).
    #[arg(long, default_value_t = 10_000)]
    wait_connections: usize,
    /// Room sizes of the ws-broadcast scenario (comma-separated). A process here holds at most
    /// 20,000 descriptors, so about 19,000 is the most one server can take.
    #[arg(long, value_delimiter = ',', default_value = "1000,10000")]
    ws_members: Vec<usize>,
    /// CPUs the server is pinned to (comma-separated).
    #[arg(long, value_delimiter = ',', default_value = "0")]
    server_cpus: Vec<usize>,
    /// CPUs the load generator and this driver are pinned to (comma-separated).
    #[arg(long, value_delimiter = ',', default_value = "1")]
    load_cpus: Vec<usize>,
    /// Where results.json, results.md and img/ go. Default: docs/ (quick: target/bench-quick/).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Use this serve binary instead of building it.
    #[arg(long)]
    serve: Option<PathBuf>,
    /// Only rewrite results.md and the charts from an existing results.json in --out.
    #[arg(long)]
    report_only: bool,
    /// The row every ratio is taken to, round by round (a backend, reference or axum row name).
    #[arg(long, default_value = "tokio")]
    baseline: String,
    /// Let a partial run (--quick, --backends, --references, --scenarios, --target, ...) write over
    /// the complete snapshot in --out. Without it a partial run refuses to.
    #[arg(long)]
    replace_snapshot: bool,
    /// The database scenarios' PostgreSQL (with TechEmpower's tables): an existing server instead
    /// of the one the bench starts (installed, initialised in a temporary directory, pinned to the
    /// load CPUs, removed at exit).
    #[arg(long)]
    db_url: Option<String>,
    /// In the database scenarios, every backend shares a pool of this many connections (serve
    /// --db-pool); without it, one pipelined connection per thread that runs handlers. The Go and
    /// Node references get it as their pool's size (default 16); gunicorn keeps a connection per
    /// worker thread.
    #[arg(long)]
    db_pool: Option<usize>,
    /// In the database scenarios, also measure each chosen backend with a shared pool of each of
    /// these sizes (comma-separated), as rows `<backend>-pool-<N>` in the same rounds: the pool
    /// sweep, and a pool against one connection per worker.
    #[arg(long, value_delimiter = ',')]
    db_pool_rows: Vec<usize>,
    /// In the database scenarios, also measure each chosen backend on the sync `postgres` client
    /// (a connection per calling thread), as rows `<backend>-sync` (called inline, blocking the
    /// handler's thread) and `<backend>-sync-unblock` (through server_core::unblock).
    #[arg(long)]
    db_sync_rows: bool,
    /// Also measure each chosen backend on this other `serve` build (rows `<backend>@base`), in
    /// the same rounds, and give each backend's figure over its @base row's, round by round: a
    /// change's after over its before.
    #[arg(long, conflicts_with = "target")]
    compare: Option<PathBuf>,
    /// Also measure each runtime's floor (rows `bare-<runtime>`: `bare`, the least a /plaintext
    /// server on that runtime can cost, no HTTP engine) in the plaintext, pipelined and cores
    /// scenarios, and give each backend on one of those runtimes its figure over its floor's.
    #[arg(long, conflicts_with_all = ["target", "compare"])]
    floors: bool,
}

/// Measurements that are not a comparison in rounds.
#[derive(clap::Subcommand)]
enum Command {
    /// Instructions per request of `serve` builds, counted by valgrind's callgrind: a figure
    /// that does not drift with the machine, for an engine change's before and after.
    Instructions(instructions::Args),
    /// How a per-core server's workers share a few heavy connections: the kernel's SO_REUSEPORT
    /// spread beside our acceptor's, by each worker's CPU time.
    Skew(skew::Args),
    /// The mixed-offload load repeated long enough to catch a rare stall, every backend in
    /// interleaved rounds, with the hypervisor's steal beside each window's p99.
    Stalls(stalls::Args),
    /// Whether a second run reproduces a first: per row, is each run's median inside the other's
    /// reported range, and the share of rows where it is.
    Recheck(recheck::Args),
}

pub fn main() {
    let mut args = Args::parse();
    let result = match args.command.take() {
        Some(Command::Instructions(args)) => instructions::run(args),
        Some(Command::Skew(args)) => skew::run(args),
        Some(Command::Stalls(args)) => stalls::run(args),
        Some(Command::Recheck(args)) => recheck::run(args),
        None => run(args),
    };
    if let Err(e) = result {
        eprintln!("bench: {e}");
        std::process::exit(1);
    }
}

fn run(args: Args) -> Result<(), String> {
    let workspace = tools::workspace();
    let complete = is_complete(&args);
    let out = out_dir(&args, complete, &workspace);
    if args.report_only {
        let results = report::load(&out)?;
        return report::write(&out, &results);
    }
    report::may_write(&out, complete, args.replace_snapshot)?;
    let mut settings = settings(&args);
    let mut scenarios = chosen_scenarios(&args);
    raise_fd_limit();
    let wrk = WrkNeed::of(&scenarios);
    let mut tools = tools::prepare(
        &workspace,
        args.serve.clone(),
        args.target.is_none(),
        wrk.why().as_deref(),
    )?;
    let mut not_measured: Vec<String> = Vec::new();
    let database = start_database(
        &args,
        complete,
        &mut scenarios,
        &mut settings,
        &mut tools,
        &mut not_measured,
    )?;
    if let (Some(missing), None) = (wrk.missing(), &tools.wrk) {
        eprintln!(
            "note: wrk not found; {} (`apt-get install wrk` adds it)",
            missing.note
        );
        not_measured.push(missing.not_measured);
    }
    if let Err(e) = tools::pin::pin_self(&settings.load_cpus) {
        eprintln!(
            "note: could not pin the driver to CPUs {:?}: {e}",
            settings.load_cpus
        );
    }
    let db_url = database.as_ref().map(|(url, _)| url.as_str());
    let rows = rows(&args, complete, &workspace, &tools, db_url, &mut not_measured)?;
    let baseline = baseline(&args.baseline, &rows);
    let plan = plan::plan(&scenarios, &rows, &settings, tools.wrk.is_some());
    let run = Measuring {
        tools: &tools,
        settings: &settings,
        pipeline_script: &workspace.join("bench/pipeline.lua"),
        baseline: &baseline,
        out: &out,
        complete,
        not_measured: &not_measured,
    };
    run.announce(&plan, rows.len());
    run.measure(&plan)?;
    // Held to here: dropping it stops the database the bench started and removes its directory.
    drop(database);
    Ok(())
}

/// A run of everything: the snapshot docs/ holds.
fn is_complete(args: &Args) -> bool {
    !args.quick
        && args.backends.is_empty()
        && args.references.is_empty()
        && !args.no_references
        && args.scenarios.is_empty()
        && args.target.is_none()
        && args.compare.is_none()
        && !args.floors
}

/// Where results go: `--out`, or docs/ for a complete run; anything less goes elsewhere.
fn out_dir(args: &Args, complete: bool, workspace: &Path) -> PathBuf {
    args.out.clone().unwrap_or_else(|| match (complete, args.quick) {
        (true, _) => workspace.join("docs"),
        (false, true) => workspace.join("target/bench-quick"),
        (false, false) => workspace.join("target/bench-partial"),
    })
}

/// The scenarios to measure: those named, or quick's two, or all of a default run.
fn chosen_scenarios(args: &Args) -> Vec<ScenarioRef> {
    match (&args.scenarios[..], args.quick) {
        ([], true) => (scenarios::ALL.iter().copied())
            .filter(|s| s.in_quick_run())
            .collect(),
        ([], false) => (scenarios::ALL.iter().copied())
            .filter(|s| s.in_default_run())
            .collect(),
        (chosen, _) => chosen.to_vec(),
    }
}

/// Which chosen scenarios use wrk, and what is said when it cannot be had.
struct WrkNeed {
    required: Vec<&'static str>,
    preferred: Vec<&'static str>,
}

/// What is said when a needed wrk cannot be had: on the console, and in the report.
struct WrkMissing {
    note: String,
    not_measured: String,
}

impl WrkNeed {
    fn of(scenarios: &[ScenarioRef]) -> WrkNeed {
        let using = |how: WrkUse| {
            (scenarios.iter())
                .filter(|s| s.wrk() == how)
                .map(|s| s.id())
                .collect()
        };
        WrkNeed {
            required: using(WrkUse::Required),
            preferred: using(WrkUse::Preferred),
        }
    }

    /// Why wrk is installed, if it is needed.
    fn why(&self) -> Option<String> {
        let users: Vec<&str> = self.required.iter().chain(&self.preferred).copied().collect();
        (!users.is_empty()).then(|| format!("for the {} scenarios", users.join(", ")))
    }

    fn missing(&self) -> Option<WrkMissing> {
        self.why()?;
        let (required, preferred) = (self.required.join(", "), self.preferred.join(", "));
        let skipped = (!required.is_empty()).then(|| format!("{required} is skipped"));
        let on_oha = (!preferred.is_empty()).then(|| format!("{preferred} runs on oha"));
        Some(WrkMissing {
            note: [skipped, on_oha]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" and "),
            not_measured: match (required.is_empty(), preferred.is_empty()) {
                (false, false) => format!("{required}: wrk could not be installed ({preferred} ran on oha)"),
                (false, true) => format!("{required}: wrk could not be installed"),
                _ => format!("wrk could not be installed ({preferred} ran on oha)"),
            },
        })
    }
}

/// The database scenarios' PostgreSQL, where a chosen scenario needs one: its URL, and the server
/// the bench started (stopped and removed when dropped). A complete run goes on without the
/// database scenarios where it cannot start one, and says so in its report.
fn start_database(
    args: &Args,
    complete: bool,
    scenarios: &mut Vec<ScenarioRef>,
    settings: &mut Settings,
    tools: &mut Tools,
    not_measured: &mut Vec<String>,
) -> Result<Option<(String, Option<db::fixture::Postgres>)>, String> {
    let needed: Vec<&str> = (scenarios.iter())
        .filter(|s| s.needs_database())
        .map(|s| s.id())
        .collect();
    if needed.is_empty() || args.target.is_some() {
        return Ok(None);
    }
    if let Some(url) = &args.db_url {
        settings.database = Some(format!("{url} (given), {}", strategy(args.db_pool)));
        return Ok(Some((url.clone(), None)));
    }
    let server = match start_postgres() {
        Err(e) if complete => {
            // As without wrk: the full run goes on, and its report says what it lacks.
            eprintln!("note: the database scenarios are not measured: {e}");
            not_measured.push(format!("{}: {e}", needed.join(", ")));
            scenarios.retain(|s| !s.needs_database());
            return Ok(None);
        }
        Err(e) => return Err(format!("the database scenarios need PostgreSQL: {e}")),
        Ok(server) => server,
    };
    let pid = server.pid() as u32;
    for process in procfs::tree(pid) {
        tools::pin::pin_pid(process, &settings.load_cpus)
            .map_err(|e| format!("pinning PostgreSQL to {:?}: {e}", settings.load_cpus))?;
    }
    tools.database_pid = Some(pid);
    settings.database = Some(format!(
        "PostgreSQL started by the bench, pinned to CPUs {:?} with the load generator, {}",
        settings.load_cpus,
        strategy(args.db_pool)
    ));
    Ok(Some((server.url(), Some(server))))
}

/// Every row of the run: the `--target`, or the chosen backends with their variants and the
/// chosen references.
fn rows(
    args: &Args,
    complete: bool,
    workspace: &Path,
    tools: &Tools,
    db_url: Option<&str>,
    not_measured: &mut Vec<String>,
) -> Result<Vec<Row>, String> {
    if let Some(url) = &args.target {
        return Ok(vec![server::Subject::running(url)?.into()]);
    }
    let Some(serve) = &tools.serve else {
        return Ok(Vec::new());
    };
    let backends = if args.backends.is_empty() {
        BackendName::ALL.to_vec()
    } else {
        args.backends.clone()
    };
    let choice = Choice {
        args,
        complete,
        backends: &backends,
        db_url,
    };
    let mut rows = plan::serve_rows(&choice, serve, tools)?;
    let references = match (&args.references[..], args.no_references) {
        (_, true) => vec![],
        ([], _) if args.quick || !args.backends.is_empty() => vec![],
        ([], _) => Reference::ALL.to_vec(),
        (chosen, _) => chosen.to_vec(),
    };
    rows.extend(plan::reference_rows(
        &references,
        workspace,
        db_url,
        args.db_pool,
        not_measured,
    ));
    Ok(rows)
}

/// The row ratios are taken to: `--baseline` where it is measured, else the first row.
fn baseline(wanted: &str, rows: &[Row]) -> String {
    if rows.iter().any(|r| r.subject.name == wanted) {
        return wanted.to_owned();
    }
    let first = rows.first().map_or(String::new(), |r| r.subject.name.clone());
    eprintln!("note: baseline {wanted} is not measured; ratios are to {first}");
    first
}

/// A planned run being measured, and where its results go.
struct Measuring<'a> {
    tools: &'a Tools,
    settings: &'a Settings,
    pipeline_script: &'a Path,
    baseline: &'a str,
    out: &'a Path,
    complete: bool,
    not_measured: &'a [String],
}

impl Measuring<'_> {
    fn announce(&self, plan: &Plan<'_>, servers: usize) {
        eprintln!(
            "bench: {} rows ({servers} servers, scenarios {}) in {} interleaved rounds (soak: one), ratios to {}; \
             planned about {}",
            plan.iter().map(|(_, jobs)| jobs.len()).sum::<usize>(),
            plan.iter().map(|(s, _)| s.id()).collect::<Vec<_>>().join(","),
            self.settings.reps,
            self.baseline,
            progress::clock(planned(plan, self.settings)),
        );
    }

    /// Every scenario in turn, its rows saved (and the report written) after each, so that an
    /// interrupted bench keeps what it measured.
    fn measure(&self, plan: &Plan<'_>) -> Result<(), String> {
        let command = command_line();
        let provenance = report::Provenance::now();
        let mut progress = progress::Progress::new(plan, self.settings);
        let mut runs: Vec<Run> = Vec::new();
        for (k, (_, jobs)) in plan.iter().enumerate() {
            let measured = rounds::run_scenario(
                jobs,
                self.tools,
                self.settings,
                self.pipeline_script,
                self.baseline,
                &mut progress.reporter(k),
            );
            for run in &measured {
                eprintln!("    {:<20} {}", run.backend, progress::summary(run));
            }
            runs.extend(measured);
            progress.scenario_done(k);
            let results = report::Results::new(
                provenance.clone(),
                self.settings.clone(),
                runs.clone(),
                progress.elapsed_s(),
                self.tools.oha_version.clone(),
                command.clone(),
                // A complete run is marked so only once every scenario is in.
                self.complete && k + 1 == plan.len(),
                self.not_measured.to_vec(),
            );
            report::save(self.out, &results)?;
            report::write(self.out, &results)?;
        }
        eprintln!("bench: measured in {}", progress::clock(progress.elapsed_s()));
        eprintln!("bench: wrote {}", self.out.display());
        Ok(())
    }
}

/// The whole plan's planned wall time.
fn planned(plan: &Plan<'_>, settings: &Settings) -> f64 {
    (plan.iter())
        .map(|(_, jobs)| plan::planned_seconds(jobs, settings))
        .sum()
}
fn settings(args: &Args) -> Settings {
    let quick = args.quick;
    Settings {
        reps: args.reps.unwrap_or(if quick { 1 } else { 3 }),
        duration_s: args.duration.unwrap_or(2.0),
        warmup_s: args.warmup.unwrap_or(0.5),
        wait_duration_s: args.wait_duration.unwrap_or(if quick { 3.0 } else { 6.0 }),
        wait_connections: args.wait_connections,
        wait_ms: 500,
        soak_duration_s: args.soak_duration,
        idle_connections: vec![10_000],
        sweep_connections: vec![1, 64, 10_000],
        ws_members: args.ws_members.clone(),
        server_cpus: args.server_cpus.clone(),
        load_cpus: args.load_cpus.clone(),
        max_connections: 20_000,
        quick,
        database: None,
    }
}

/// Starts the database scenarios' PostgreSQL, installing Debian's packages first where it is
/// missing and the driver may (as wrk and the references' toolchains are).
fn start_postgres() -> Result<db::fixture::Postgres, String> {
    eprintln!("bench: starting PostgreSQL for the database scenarios");
    db::fixture::Postgres::start().or_else(|e| {
        if !tools::apt_get_install("postgresql postgresql-contrib", "for the database scenarios") {
            return Err(e.to_string());
        }
        db::fixture::Postgres::start().map_err(|e| e.to_string())
    })
}

fn strategy(pool: Option<usize>) -> String {
    match pool {
        Some(size) => format!("a shared pool of {size} connections per server"),
        None => "one pipelined connection per thread that runs handlers".into(),
    }
}

fn command_line() -> String {
    let args: Vec<String> = std::env::args().skip(1).collect();
    format!(
        "cargo run --release -p bench{}{}",
        if args.is_empty() { "" } else { " -- " },
        args.join(" ")
    )
}

/// The 10,000-connection scenarios need as many descriptors in the server and in the load generator.
fn raise_fd_limit() {
    if let Err(e) = server_core::backend::raise_fd_limit() {
        eprintln!("note: could not raise the open-files limit: {e}");
    }
}
