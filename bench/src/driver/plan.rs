//! The plan: which rows (servers) are measured, and in which cells (scenario, connection count,
//! server CPU set) each one is.

use std::path::Path;

use crate::BackendName;

use super::Args;
use super::kind::RowKind;
use super::reference::Reference;
use super::scenarios::{Scenario, ScenarioRef, WrkUse};
use super::server::Subject;
use super::settings::Settings;
use super::tools::Tools;

/// A row of the tables: the server to start, and where it is measured.
#[derive(Clone)]
pub struct Row {
    pub subject: Subject,
    /// The cells (scenario, connections) this row is measured in, where not all: a database
    /// variant only where there is a database, a runtime's floor only where its fixed answer is
    /// the route's.
    pub only_in: Option<fn(&dyn Scenario, usize) -> bool>,
    /// The row whose figure, round by round, this one's is also taken over (see `Run::pair`).
    pub pair: Option<String>,
}

impl From<Subject> for Row {
    fn from(subject: Subject) -> Self {
        Row {
            subject,
            only_in: None,
            pair: None,
        }
    }
}

/// One cell of a row: a scenario at a connection count on a server CPU set.
pub struct Job<'a> {
    pub row: &'a Row,
    pub scenario: ScenarioRef,
    pub connections: usize,
    /// The CPUs the server is pinned to (a backend's workers default to as many).
    pub server_cpus: Vec<usize>,
}

/// A scenario and its cells, in the order rows were added.
pub type Plan<'a> = Vec<(ScenarioRef, Vec<Job<'a>>)>;

/// The pool sizes of a full run's pool sweep (rows `tokio-pool-N`, `threads-pool-N`), measured
/// where a scenario `measures_pool_sweep`, for the work-stealing runtime and for a thread per
/// connection.
const POOL_SWEEP: [usize; 6] = [1, 2, 4, 8, 16, 64];
const POOL_SWEPT: [BackendName; 2] = [BackendName::Tokio, BackendName::Threads];

/// The runtimes `bare` has a floor for, each named as the backend that runs on it.
const FLOOR_RUNTIMES: [&str; 5] = ["tokio", "tokio-per-core", "compio", "smol", "threads"];

/// What the rows are chosen from.
pub struct Choice<'a> {
    pub args: &'a Args,
    pub complete: bool,
    pub backends: &'a [BackendName],
    pub db_url: Option<&'a str>,
}

/// Every row of the run: the chosen backends (and their database variants, axum apps, other
/// build, floors); the references come from `reference_rows`.
pub fn serve_rows(choice: &Choice<'_>, serve: &Path, tools: &Tools) -> Result<Vec<Row>, String> {
    let args = choice.args;
    let mut rows: Vec<Row> = (choice.backends.iter())
        .map(|&backend| {
            let pool = args.db_pool.map(pool_flags).unwrap_or_default();
            with_database(Subject::backend(serve, backend), choice.db_url, pool).into()
        })
        .collect();
    if choice.db_url.is_some() {
        rows.extend(database_variant_rows(choice, serve));
    }
    if args.axum || choice.complete {
        rows.extend(
            (choice.backends.iter())
                .filter(|backend| backend.serves_axum())
                .map(|&backend| Row::from(Subject::axum_app(serve, backend))),
        );
        rows.push(Subject::axum_serve(serve).into());
    }
    if let Some(other) = &args.compare {
        add_base_rows(&mut rows, other);
    }
    if args.floors {
        let bare = tools
            .bare
            .as_deref()
            .ok_or("--floors: bare was not found beside serve")?;
        add_floor_rows(&mut rows, bare, choice.backends);
    }
    Ok(rows)
}

/// serve's flags for a shared pool of `size` database connections.
fn pool_flags(size: usize) -> Vec<String> {
    vec!["--db-pool".into(), size.to_string()]
}

/// `subject` on the database at `db_url`, reached the way serve's `strategy` flags say.
fn with_database(mut subject: Subject, db_url: Option<&str>, strategy: Vec<String>) -> Subject {
    if let Some(url) = db_url {
        subject.args.splice(0..0, ["--db-url".into(), url.to_owned()]);
        subject.args.splice(0..0, strategy);
    }
    subject
}

/// Rows of other database connection strategies: a full run's pool sweep, or `--db-pool-rows`
/// and `--db-sync-rows`.
fn database_variant_rows(choice: &Choice<'_>, serve: &Path) -> Vec<Row> {
    type Cells = fn(&dyn Scenario, usize) -> bool;
    struct Variant<'a> {
        backends: &'a [BackendName],
        suffix: String,
        /// The pool's size, for a pool row; `None` for a sync-client row.
        pool: Option<usize>,
        flags: Vec<String>,
        cells: Cells,
    }
    let args = choice.args;
    let everywhere: Cells = |scenario, _| scenario.needs_database();
    let pools: Vec<(&[BackendName], usize, Cells)> = if choice.complete && args.db_pool_rows.is_empty() {
        let sweep: Cells = |scenario, connections| scenario.measures_pool_sweep(connections);
        (POOL_SWEEP.iter())
            .map(|&size| (&POOL_SWEPT[..], size, sweep))
            .collect()
    } else {
        (args.db_pool_rows.iter())
            .map(|&size| (choice.backends, size, everywhere))
            .collect()
    };
    let sync = [("sync", "inline"), ("sync-unblock", "unblock")].map(|(suffix, how)| Variant {
        backends: choice.backends,
        suffix: suffix.to_owned(),
        pool: None,
        flags: vec!["--db-blocking".into(), how.into()],
        cells: everywhere,
    });
    let variants: Vec<Variant> = (pools.into_iter())
        .map(|(backends, size, cells)| Variant {
            backends,
            suffix: format!("pool-{size}"),
            pool: Some(size),
            flags: pool_flags(size),
            cells,
        })
        .chain(sync.into_iter().filter(|_| args.db_sync_rows))
        .collect();
    let mut rows = Vec::new();
    for &backend in choice.backends {
        for variant in variants.iter().filter(|v| v.backends.contains(&backend)) {
            let mut subject = with_database(
                Subject::backend(serve, backend),
                choice.db_url,
                variant.flags.clone(),
            );
            subject.name = format!("{}-{}", backend.as_str(), variant.suffix);
            subject.kind = match variant.pool {
                Some(size) => RowKind::Pool {
                    backend: backend.as_str().into(),
                    size,
                },
                None => RowKind::SyncDatabase,
            };
            rows.push(Row {
                subject,
                only_in: Some(variant.cells),
                pair: None,
            });
        }
    }
    rows
}

/// `--compare`: each row again on the other build (`<row>@base`), each paired with its base.
fn add_base_rows(rows: &mut Vec<Row>, other: &Path) {
    for row in rows.iter_mut() {
        row.pair = Some(format!("{}@base", row.subject.name));
    }
    let bases: Vec<Row> = rows
        .iter()
        .map(|row| Row {
            subject: Subject {
                name: format!("{}@base", row.subject.name),
                kind: RowKind::Base(Box::new(row.subject.kind.clone())),
                program: other.to_owned(),
                ..row.subject.clone()
            },
            pair: None,
            ..row.clone()
        })
        .collect();
    rows.extend(bases);
}

/// `--floors`: each chosen runtime's floor, and each row on one of those runtimes paired with it.
fn add_floor_rows(rows: &mut Vec<Row>, bare: &Path, backends: &[BackendName]) {
    for row in rows.iter_mut() {
        row.pair = (FLOOR_RUNTIMES.contains(&row.subject.name.as_str()))
            .then(|| format!("bare-{}", row.subject.name));
    }
    let floors = (backends.iter())
        .map(|backend| backend.as_str())
        .filter(|name| FLOOR_RUNTIMES.contains(name))
        .map(|runtime| Row {
            subject: Subject::floor(bare, runtime),
            only_in: Some(|scenario, _| scenario.answers_only_plaintext()),
            pair: None,
        });
    rows.extend(floors);
}

/// The chosen references that could be had (built, installed), and a note for each that could not.
pub fn reference_rows(
    references: &[Reference],
    workspace: &Path,
    db_url: Option<&str>,
    db_pool: Option<usize>,
    not_measured: &mut Vec<String>,
) -> Vec<Row> {
    let mut rows = Vec::new();
    for reference in references {
        match reference.prepare(workspace) {
            Ok(mut subject) => {
                if let Some(url) = db_url {
                    subject.env.push(("DATABASE_URL".into(), url.to_owned()));
                    if let Some(size) = db_pool {
                        subject.env.push(("DB_POOL".into(), size.to_string()));
                    }
                }
                rows.push(Row {
                    only_in: reference.only_in(),
                    ..subject.into()
                })
            }
            Err(why) => {
                eprintln!("note: {} is not measured: {why}", reference.row_name());
                not_measured.push(format!("{}: {why}", reference.row_name()));
            }
        }
    }
    rows
}

/// Every scenario's cells: each row at each of its connection counts and server CPU sets, but
/// where the row or the run's tools cannot be measured.
pub fn plan<'a>(scenarios: &[ScenarioRef], rows: &'a [Row], settings: &Settings, has_wrk: bool) -> Plan<'a> {
    let cells = |scenario: ScenarioRef, row: &'a Row| {
        let cpu_sets = scenario.server_cpu_sets(settings);
        let connections = scenario.connections(settings);
        cpu_sets.into_iter().flat_map(move |server_cpus| {
            connections.clone().into_iter().map(move |connections| Job {
                row,
                scenario,
                connections,
                server_cpus: server_cpus.clone(),
            })
        })
    };
    let measurable = |job: &Job<'_>| {
        let row = job.row;
        let scenario = job.scenario;
        row.only_in
            .is_none_or(|only_in| only_in(&*scenario, job.connections))
            && (has_wrk || scenario.wrk() != WrkUse::Required)
            && (row.subject.running.is_none() || !scenario.needs_local_server())
    };
    scenarios
        .iter()
        .map(|&scenario| {
            let jobs = (rows.iter())
                .filter(|row| !row.subject.kind.is_axum() || scenario.measures_axum())
                .flat_map(|row| cells(scenario, row))
                .filter(measurable)
                .collect();
            (scenario, jobs)
        })
        .collect()
}

/// The planned wall time of a scenario's cells, for the progress line's ETA: about 2 s to start
/// its servers (together), then each cell's warm-up and rounds.
pub fn planned_seconds(jobs: &[Job<'_>], settings: &Settings) -> f64 {
    let start = if jobs.first().is_some_and(|j| !j.scenario.fresh_server_per_round()) {
        2.0
    } else {
        0.0
    };
    start
        + jobs
            .iter()
            .map(|j| j.scenario.planned_seconds(settings, j.connections))
            .sum::<f64>()
}
