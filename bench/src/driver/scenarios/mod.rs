//! The scenarios, one file each (as TechEmpower's `test_types/<name>/` are), each a `Scenario`:
//! everything about it, from its load to its place in the report. `ALL` is the one list of them;
//! the driver (plan, rounds, statistics, report) names none. Adding a scenario is a new file
//! here, its `mod` line and its line in `ALL` (see docs/method.md, "Adding a scenario").

use std::path::Path;
use std::time::Duration;

use super::measure::{Context, Sample};
use super::report::columns::{self, Column};
use super::report::{plots, reading};
use super::row::Run;
use super::settings::Settings;

mod cores;
mod cpu;
mod database;
mod db;
mod download;
mod fortunes;
mod headline;
mod idle;
mod json;
mod mixed;
mod mixed_offload;
mod pipelined;
mod plaintext;
mod queries;
mod soak;
mod sse;
mod sweep;
mod transfer;
mod updates;
mod upload;
mod wait;
mod ws_broadcast;
mod ws_echo;

pub use headline::Headline;

/// Every scenario, in the order `--scenarios` lists them and the report shows them.
pub static ALL: [ScenarioRef; 20] = [
    ScenarioRef(&plaintext::Plaintext),
    ScenarioRef(&json::Json),
    ScenarioRef(&wait::Wait),
    ScenarioRef(&cpu::Cpu),
    ScenarioRef(&mixed::MIXED),
    ScenarioRef(&mixed_offload::MIXED_OFFLOAD),
    ScenarioRef(&idle::Idle),
    ScenarioRef(&sweep::Sweep),
    ScenarioRef(&pipelined::Pipelined),
    ScenarioRef(&sse::Sse),
    ScenarioRef(&upload::Upload),
    ScenarioRef(&download::Download),
    ScenarioRef(&cores::Cores),
    ScenarioRef(&soak::Soak),
    ScenarioRef(&db::DB),
    ScenarioRef(&queries::QUERIES),
    ScenarioRef(&fortunes::FORTUNES),
    ScenarioRef(&updates::UPDATES),
    ScenarioRef(&ws_echo::WsEcho),
    ScenarioRef(&ws_broadcast::WsBroadcast),
];

/// Everything about a scenario. The defaults are those of the request-rate scenarios
/// (plaintext's kind): one server CPU set, every rep alike, CPU per request ranked.
pub trait Scenario: Sync {
    /// The name `--scenarios` takes, results.json records and the report heads its section with.
    fn id(&self) -> &'static str;
    /// Its line in `--help`.
    fn help(&self) -> &'static str;
    /// The paragraph under its heading in results.md.
    fn intro(&self) -> &'static str;
    /// Part of a run that names no scenarios.
    fn in_default_run(&self) -> bool {
        true
    }
    /// Part of `--quick`'s run.
    fn in_quick_run(&self) -> bool {
        false
    }

    // The cells: which servers at which connection counts on which CPUs.

    /// The connection counts measured, one cell each.
    fn connections(&self, settings: &Settings) -> Vec<usize>;
    /// The CPU sets the server is pinned to, one cell each.
    fn server_cpu_sets(&self, settings: &Settings) -> Vec<Vec<usize>> {
        vec![settings.server_cpus.clone()]
    }
    fn wrk(&self) -> WrkUse {
        WrkUse::Unused
    }
    /// Talks to the database: PostgreSQL is started, and database rows are measured here.
    fn needs_database(&self) -> bool {
        false
    }
    /// Reads what only a server started here shows (its `/proc`): not for `--target`.
    fn needs_local_server(&self) -> bool {
        false
    }
    /// Loads only GET /plaintext, the one answer a runtime's floor (`bare`) gives.
    fn answers_only_plaintext(&self) -> bool {
        false
    }
    /// The axum rows are measured here. They ask whether the app and its runtime hold up where
    /// they differ from our own routes: the request path, many waiting users, idle connections.
    fn measures_axum(&self) -> bool {
        false
    }
    /// A full run's database pool sweep is measured in this cell.
    fn measures_pool_sweep(&self, _connections: usize) -> bool {
        false
    }

    // The rounds.

    /// Measured repetitions.
    fn reps(&self, settings: &Settings) -> usize {
        settings.reps
    }
    /// How long one measured run loads the server.
    fn duration(&self, settings: &Settings) -> Duration {
        Duration::from_secs_f64(settings.duration_s)
    }
    /// Planned wall time of one cell (its server's start aside), for the progress line's ETA.
    fn planned_seconds(&self, settings: &Settings, _connections: usize) -> f64 {
        let reps = self.reps(settings) as f64;
        settings.warmup_s + reps * (self.duration(settings).as_secs_f64() + 0.5)
    }
    /// A fresh server for every rep, without warm-up, rather than one kept for the scenario.
    fn fresh_server_per_round(&self) -> bool {
        false
    }
    /// Reports the kernel's thread stacks per connection: their base is read right before each
    /// rep, once the previous cell's server has stopped ending its threads.
    fn settles_kernel_stacks(&self) -> bool {
        false
    }
    /// Reads the server at rest before and after each rep (descriptors, threads) and keeps the
    /// RSS slope: what a leak would make grow.
    fn watches_for_leaks(&self) -> bool {
        false
    }

    // The measuring.

    /// One rep (or warm-up) against a started server.
    fn measure(&self, ctx: &Context<'_>) -> Result<Sample, String>;
    /// Loads the server with requests; `false` for a scenario that only holds connections, whose
    /// rate and CPU shares mean nothing.
    fn drives_load(&self) -> bool {
        true
    }
    /// The most req/s the cell could answer, where the load caps it: the row's `% of ceiling`.
    fn ceiling_rps(&self, _settings: &Settings, _connections: usize) -> Option<f64> {
        None
    }
    /// The figure the scenario ranks rows by.
    fn headline(&self) -> &'static Headline {
        &headline::CPU_PER_REQUEST
    }

    // The report.

    /// The table's columns after the ranking ones.
    fn columns(&self) -> Vec<Column> {
        columns::rate_latency_cost()
    }
    /// The sentence under the table (the report adds the load generator's share and the errors).
    fn reading(&self, runs: &[&Run]) -> String {
        reading::cost_and_tail(runs)
    }
    fn tables(&self) -> Tables {
        Tables::One
    }
    /// Where the summary's column is taken, after the scenario's name (" at 10k"), given a row
    /// of the cell it is taken at.
    fn summary_at(&self, _run: &Run) -> String {
        String::new()
    }
    /// Draws the scenario's chart into `path`.
    fn chart(&self, path: &Path, runs: &[&Run]) -> Result<(), String> {
        plots::rate_and_p99(path, self.id(), runs)
    }
    /// A chart across scenarios, shown before the scenarios' sections: draws it into `img` from
    /// every run and returns its markdown, where the scenario has one.
    fn overview(&self, _img: &Path, _runs: &[Run]) -> Result<Option<String>, String> {
        Ok(None)
    }
    /// A section after the scenario's chart: draws what it needs into `img` and returns its
    /// markdown, where the runs call for one.
    fn appendix(&self, _img: &Path, _runs: &[&Run]) -> Result<Option<String>, String> {
        Ok(None)
    }
}

/// How a scenario's load uses wrk.
#[derive(Clone, Copy, PartialEq)]
pub enum WrkUse {
    Unused,
    /// Measured with wrk where it is installed, otherwise with oha.
    Preferred,
    /// Not measured without wrk.
    Required,
}

/// How a scenario's rows are tabled.
pub enum Tables {
    One,
    /// A table per connection count, each with its reading.
    PerConnectionCount,
    /// A table per server CPU set, one reading under them all.
    PerServerCpuSet,
}

/// A scenario of `ALL`: what `--scenarios` parses to and a plan's jobs hold.
#[derive(Clone, Copy)]
pub struct ScenarioRef(&'static dyn Scenario);

impl std::ops::Deref for ScenarioRef {
    type Target = dyn Scenario;

    fn deref(&self) -> &Self::Target {
        self.0
    }
}

impl clap::ValueEnum for ScenarioRef {
    fn value_variants<'a>() -> &'a [Self] {
        &ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.id()).help(self.help()))
    }
}
