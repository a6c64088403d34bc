//! The benchmark driver: every backend under identical load, then the results docs.

mod charts;
mod instructions;
mod load;
pub use load::SseReport;
pub mod procfs;
pub mod reference;
mod report;
mod rounds;
mod scenario;
pub mod server;
mod skew;
mod stalls;
mod tools;
pub use tools::python_venv;

use std::path::PathBuf;
use std::time::Instant;

use clap::Parser;

use crate::BackendName;
use reference::Reference;
use scenario::{Job, Run, Scenario, Settings};
use server::Subject;

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
    scenarios: Vec<Scenario>,
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
}

/// The pool sizes of a full run's pool sweep (rows `tokio-pool-N`, `threads-pool-N`), and the
/// connection count of the db scenario they are measured at.
const POOL_SWEEP: [usize; 6] = [1, 2, 4, 8, 16, 64];
const POOL_SWEEP_CONNECTIONS: usize = 512;

/// The runtimes `bare` has a floor for, each named as the backend that runs on it.
const FLOOR_RUNTIMES: [&str; 5] = ["tokio", "tokio-per-core", "compio", "smol", "threads"];

pub fn main() {
    let mut args = Args::parse();
    let result = match args.command.take() {
        Some(Command::Instructions(args)) => instructions::run(args),
        Some(Command::Skew(args)) => skew::run(args),
        Some(Command::Stalls(args)) => stalls::run(args),
        None => run(args),
    };
    if let Err(e) = result {
        eprintln!("bench: {e}");
        std::process::exit(1);
    }
}

fn run(args: Args) -> Result<(), String> {
    let workspace = tools::workspace();
    // A run of everything is the snapshot docs/ holds; anything less goes elsewhere by default.
    let complete = !args.quick
        && args.backends.is_empty()
        && args.references.is_empty()
        && !args.no_references
        && args.scenarios.is_empty()
        && args.target.is_none()
        && args.compare.is_none()
        && !args.floors;
    let out = args.out.clone().unwrap_or_else(|| match (complete, args.quick) {
        (true, _) => workspace.join("docs"),
        (false, true) => workspace.join("target/bench-quick"),
        (false, false) => workspace.join("target/bench-partial"),
    });
    if args.report_only {
        let results = report::load(&out)?;
        return report::write(&out, &results);
    }
    report::may_write(&out, complete, args.replace_snapshot)?;
    let mut settings = settings(&args);
    let backends = if args.backends.is_empty() {
        BackendName::ALL.to_vec()
    } else {
        args.backends.clone()
    };
    let references = match (&args.references[..], args.no_references) {
        (_, true) => vec![],
        ([], _) if args.quick || !args.backends.is_empty() => vec![],
        ([], _) => Reference::ALL.to_vec(),
        (chosen, _) => chosen.to_vec(),
    };
    let mut scenarios = match (&args.scenarios[..], args.quick) {
        ([], true) => vec![Scenario::Plaintext, Scenario::Json],
        ([], false) => Scenario::ALL.to_vec(),
        (chosen, _) => chosen.to_vec(),
    };

    raise_fd_limit();
    let need_wrk = scenarios
        .iter()
        .any(|s| matches!(s, Scenario::Pipelined | Scenario::Wait | Scenario::Soak));
    let mut tools = tools::prepare(&workspace, args.serve.clone(), args.target.is_none(), need_wrk)?;
    let needs_database = scenarios.iter().any(|s| s.has_database());
    let mut not_measured: Vec<String> = Vec::new();
    // Held to the end of the run: dropping it stops the server and removes its directory.
    let mut postgres = None;
    let db_url = match (&args.db_url, needs_database && args.target.is_none()) {
        (_, false) => None,
        (Some(url), true) => {
            settings.database = Some(format!("{url} (given), {}", strategy(args.db_pool)));
            Some(url.clone())
        }
        (None, true) => match start_postgres() {
            Err(e) if complete => {
                // As without wrk: the full run goes on, and its report says what it lacks.
                eprintln!("note: the database scenarios are not measured: {e}");
                not_measured.push(format!("db, queries, fortunes, updates: {e}"));
                scenarios.retain(|s| !s.has_database());
                None
            }
            Err(e) => return Err(format!("the database scenarios need PostgreSQL: {e}")),
            Ok(server) => {
                let pid = server.pid() as u32;
                for process in procfs::tree(pid) {
                    server::pin_pid(process, &settings.load_cpus)
                        .map_err(|e| format!("pinning PostgreSQL to {:?}: {e}", settings.load_cpus))?;
                }
                tools.database_pid = Some(pid);
                settings.database = Some(format!(
                    "PostgreSQL started by the bench, pinned to CPUs {:?} with the load generator, {}",
                    settings.load_cpus,
                    strategy(args.db_pool)
                ));
                let url = server.url();
                postgres = Some(server);
                Some(url)
            }
        },
    };
    if need_wrk && tools.wrk.is_none() {
        not_measured.push("pipelined: wrk could not be installed (wait ran on oha)".into());
    }
    if let Err(e) = server::pin_self(&settings.load_cpus) {
        eprintln!(
            "note: could not pin the driver to CPUs {:?}: {e}",
            settings.load_cpus
        );
    }
    let pipeline_script = workspace.join("bench/pipeline.lua");
    let mut subjects: Vec<Subject> = Vec::new();
    if let Some(url) = &args.target {
        subjects.push(Subject::running(url)?);
    } else if let Some(serve) = &tools.serve {
        // `strategy`: serve's flags that choose how handlers reach the database.
        let with_db = |mut subject: Subject, strategy: Vec<String>| {
            if let Some(url) = &db_url {
                subject.args.splice(0..0, ["--db-url".into(), url.clone()]);
                subject.args.splice(0..0, strategy);
            }
            subject
        };
        let pool = |size: usize| vec!["--db-pool".into(), size.to_string()];
        subjects.extend(backends.iter().map(|&backend| {
            with_db(
                Subject::backend(serve, backend),
                args.db_pool.map(pool).unwrap_or_default(),
            )
        }));
        if db_url.is_some() {
            // Rows of other connection strategies: which backends, the row's suffix, serve's flags,
            // and the cells they are measured in.
            type Cells = fn(Scenario, usize) -> bool;
            let everywhere: Cells = |scenario, _| scenario.has_database();
            let pools: Vec<(&[BackendName], String, Vec<String>, Cells)> = if complete
                && args.db_pool_rows.is_empty()
            {
                // A full run's pool sweep: /db at 512 connections, for the work-stealing
                // runtime and for a thread per connection.
                let sweep: Cells =
                    |scenario, connections| scenario == Scenario::Db && connections == POOL_SWEEP_CONNECTIONS;
                let swept: &[BackendName] = &[BackendName::Tokio, BackendName::Threads];
                (POOL_SWEEP.iter())
                    .map(|&size| (swept, format!("pool-{size}"), pool(size), sweep))
                    .collect()
            } else {
                (args.db_pool_rows.iter())
                    .map(|&size| (&backends[..], format!("pool-{size}"), pool(size), everywhere))
                    .collect()
            };
            let sync = [("sync", "inline"), ("sync-unblock", "unblock")].map(|(row, how)| {
                let flags = vec!["--db-blocking".into(), how.into()];
                (&backends[..], row.to_owned(), flags, everywhere)
            });
            let variants: Vec<_> = (pools.into_iter())
                .chain(sync.into_iter().filter(|_| args.db_sync_rows))
                .collect();
            for &backend in &backends {
                for (_, row, strategy, cells) in variants.iter().filter(|v| v.0.contains(&backend)) {
                    let mut subject = with_db(Subject::backend(serve, backend), strategy.clone());
                    subject.name = format!("{}-{row}", backend.as_str());
                    subject.only_in = Some(*cells);
                    subjects.push(subject);
                }
            }
        }
        if args.axum || complete {
            subjects.extend(
                backends
                    .iter()
                    .filter(|backend| backend.serves_axum())
                    .map(|&backend| Subject::axum_app(serve, backend)),
            );
            subjects.push(Subject::axum_serve(serve));
        }
        if let Some(old) = &args.compare {
            for subject in subjects.iter_mut() {
                subject.pair = Some(format!("{}@base", subject.name));
            }
            let bases: Vec<Subject> = subjects
                .iter()
                .map(|subject| Subject {
                    name: format!("{}@base", subject.name),
                    program: old.clone(),
                    pair: None,
                    ..subject.clone()
                })
                .collect();
            subjects.extend(bases);
        }
        if args.floors {
            let bare = tools
                .bare
                .as_deref()
                .ok_or("--floors: bare was not found beside serve")?;
            for subject in subjects.iter_mut() {
                subject.pair = FLOOR_RUNTIMES
                    .contains(&subject.name.as_str())
                    .then(|| format!("bare-{}", subject.name));
            }
            let floors = backends
                .iter()
                .map(|backend| backend.as_str())
                .filter(|name| FLOOR_RUNTIMES.contains(name))
                .map(|runtime| Subject::floor(bare, runtime));
            subjects.extend(floors);
        }
        for reference in references {
            match reference.prepare(&workspace) {
                Ok(mut subject) => {
                    if let Some(url) = &db_url {
                        subject.env.push(("DATABASE_URL".into(), url.clone()));
                        if let Some(size) = args.db_pool {
                            subject.env.push(("DB_POOL".into(), size.to_string()));
                        }
                    }
                    subjects.push(subject)
                }
                Err(why) => {
                    eprintln!("note: {} is not measured: {why}", reference.row_name());
                    not_measured.push(format!("{}: {why}", reference.row_name()));
                }
            }
        }
    }
    let baseline = if subjects.iter().any(|s| s.name == args.baseline) {
        args.baseline.clone()
    } else {
        let first = subjects.first().map_or(String::new(), |s| s.name.clone());
        eprintln!(
            "note: baseline {} is not measured; ratios are to {first}",
            args.baseline
        );
        first
    };

    let plan: Vec<(Scenario, Vec<Job>)> = scenarios
        .iter()
        .map(|&scenario| {
            let jobs = subjects
                .iter()
                .filter(|subject| !subject.is_axum() || scenario.measures_axum())
                .flat_map(|subject| {
                    let settings = &settings;
                    scenario
                        .server_cpu_sets(settings)
                        .into_iter()
                        .flat_map(move |server_cpus| {
                            scenario
                                .connections(settings)
                                .into_iter()
                                .map(move |connections| Job {
                                    subject,
                                    scenario,
                                    connections,
                                    server_cpus: server_cpus.clone(),
                                })
                        })
                })
                .filter(|job| {
                    let only_in = job.subject.only_in;
                    let skip = !only_in.is_none_or(|only_in| only_in(job.scenario, job.connections))
                        || (job.scenario == Scenario::Pipelined && tools.wrk.is_none())
                        || (job.scenario == Scenario::Idle && job.subject.running.is_some());
                    !skip
                })
                .collect();
            (scenario, jobs)
        })
        .collect();
    let planned: f64 = plan
        .iter()
        .map(|(_, jobs)| rounds::planned_seconds(jobs, &settings))
        .sum();
    eprintln!(
        "bench: {} rows ({} servers, scenarios {}) in {} interleaved rounds (soak: one), ratios to {baseline}; \
         planned about {}",
        plan.iter().map(|(_, jobs)| jobs.len()).sum::<usize>(),
        subjects.len(),
        scenarios.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(","),
        settings.reps,
        clock(planned),
    );

    let command = command_line();
    let provenance = report::Provenance::now();
    let started = Instant::now();
    // Results are saved after every scenario, so an interrupted bench keeps what it measured.
    let save = |runs: &[Run], complete: bool| -> Result<(), String> {
        let results = report::Results::new(
            provenance.clone(),
            settings.clone(),
            runs.to_vec(),
            started.elapsed().as_secs_f64(),
            tools.oha_version.clone(),
            command.clone(),
            complete,
            not_measured.clone(),
        );
        report::save(&out, &results)?;
        report::write(&out, &results)
    };
    let mut done_planned = 0.0;
    let mut runs: Vec<Run> = Vec::new();
    for (k, (scenario, jobs)) in plan.iter().enumerate() {
        let scenario_planned = rounds::planned_seconds(jobs, &settings);
        let reps = settings.reps(*scenario);
        let mut reported = 0;
        let mut progress = |job: &Job, round: usize, sample: Option<&scenario::Sample>| {
            reported += 1;
            let elapsed = started.elapsed().as_secs_f64();
            let done = done_planned + scenario_planned * reported as f64 / (jobs.len() * reps) as f64;
            let eta = (planned - done) * elapsed / done.max(1.0);
            let figure = match sample.and_then(|s| scenario::headline(job, s)) {
                Some(v) => format!("{v:.2} {}", scenario.headline_unit()),
                None => "failed".into(),
            };
            eprintln!(
                "[{}/{} {} round {}/{reps}] {:<20} {:>5} conns {:>2} CPUs  {figure:<22} elapsed {}  ETA {}",
                k + 1,
                plan.len(),
                scenario.as_str(),
                round + 1,
                job.subject.name,
                job.connections,
                job.server_cpus.len(),
                clock(elapsed),
                clock(eta),
            );
        };
        let measured = rounds::run_scenario(
            jobs,
            &tools,
            &settings,
            &pipeline_script,
            &baseline,
            &mut progress,
        );
        for run in &measured {
            eprintln!("    {:<20} {}", run.backend, summary(run));
        }
        runs.extend(measured);
        done_planned += scenario_planned;
        // A complete run is marked so only once every scenario is in.
        save(&runs, complete && k + 1 == plan.len())?;
    }
    drop(postgres);
    eprintln!("bench: measured in {}", clock(started.elapsed().as_secs_f64()));
    eprintln!("bench: wrote {}", out.display());
    Ok(())
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

fn summary(run: &Run) -> String {
    if let Some(note) = &run.note {
        return format!("not measured: {note}");
    }
    let f = |v: Option<f64>, digits: usize| v.map_or("-".into(), |v| format!("{v:.digits$}"));
    let leaks = match (
        run.fds_before,
        run.fds_after,
        run.threads_before,
        run.threads_after,
    ) {
        (Some(fb), Some(fa), Some(tb), Some(ta)) => format!(
            "  RSS slope {} KB/min  fds {fb} → {fa}  threads {tb} → {ta}",
            f(run.rss_slope_kb_per_min, 1)
        ),
        _ => String::new(),
    };
    format!(
        "{} req/s  p99 {} ms  {} CPU-µs/req  peak RSS {} MB  {} KB/conn  errors {}{leaks}{}",
        f(run.rps, 0),
        f(run.p99_ms, 2),
        f(run.cpu_us_per_req, 2),
        f(
            (run.peak_rss_kb > 0).then_some(run.peak_rss_kb as f64 / 1024.0),
            0
        ),
        f(run.rss_per_conn_kb, 1),
        run.errors + run.non_2xx,
        if run.loadgen_saturated {
            "  (load generator saturated)"
        } else {
            ""
        },
    )
}

fn clock(seconds: f64) -> String {
    let s = seconds.max(0.0).round() as u64;
    format!("{}m{:02}s", s / 60, s % 60)
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
