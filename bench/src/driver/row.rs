//! One row of the results, as results.json holds it.

use serde::Serialize;

use super::kind::RowKind;

/// One row of the results: a backend in a scenario at a connection count, the median of its reps.
#[derive(Clone, Debug, Serialize, serde::Deserialize)]
pub struct Run {
    pub backend: String,
    /// A reference server (Go, Node, WSGI) rather than one of our backends.
    #[serde(default)]
    pub reference: bool,
    /// What the row measures. Absent from results written before rows had a kind: `report::load`
    /// derives it from the row's name there.
    #[serde(default)]
    pub kind: Option<RowKind>,
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
    /// The most steal time of any rep (% of the machine's CPU time): another guest ran on our CPUs.
    #[serde(default)]
    pub steal_pct_max: Option<f64>,
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
