//! How long and how often: the run's settings, recorded in the results.

use serde::Serialize;

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
    /// Absent from results written before the ws-broadcast scenario existed.
    #[serde(default)]
    pub ws_members: Vec<usize>,
    pub server_cpus: Vec<usize>,
    pub load_cpus: Vec<usize>,
    pub max_connections: u32,
    pub quick: bool,
    /// The database scenarios' PostgreSQL and connection strategy, when they ran.
    #[serde(default)]
    pub database: Option<String>,
}
