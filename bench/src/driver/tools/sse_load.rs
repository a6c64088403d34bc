//! sse-load (bench/src/bin/sse_load.rs): the sse scenario's subscribers, and what it reports.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::load::{Load, output};
use super::pin::pin_child;

/// One sse-load run: `subscribers` held open, measured for `duration` once they have settled.
pub fn spawn(
    sse_load: &Path,
    addr: std::net::SocketAddr,
    subscribers: usize,
    duration: Duration,
    server_pid: Option<u32>,
    cpus: &[usize],
) -> Result<Child, String> {
    let mut command = Command::new(sse_load);
    command.args([
        "--addr",
        &addr.to_string(),
        "--subscribers",
        &subscribers.to_string(),
        "--every-ms",
        "1000",
        "--duration-s",
        &duration.as_secs_f64().to_string(),
    ]);
    if let Some(pid) = server_pid {
        command.args(["--server-pid", &pid.to_string()]);
    }
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    pin_child(&mut command, cpus);
    command.spawn().map_err(|e| format!("starting sse-load: {e}"))
}

/// What `sse-load` prints (one JSON line) and the driver reads.
#[derive(Serialize, Deserialize)]
pub struct SseReport {
    pub subscribers: usize,
    /// Subscriptions that failed to open, were refused, or ended before the window closed.
    pub errors: u64,
    pub events: u64,
    pub events_per_s: f64,
    pub lag_p50_ms: Option<f64>,
    pub lag_p99_ms: Option<f64>,
    pub lag_max_ms: Option<f64>,
    pub window_s: f64,
    pub server_cpu_s: Option<f64>,
}

/// Waits for a spawned sse-load: its report as a `Load` (events as requests, lag as latency), and
/// the server's CPU seconds over its measuring window.
pub fn finish(child: Child) -> Result<(Load, Option<f64>), String> {
    let out = output(child, "sse-load")?;
    let j: SseReport =
        serde_json::from_str(out.trim()).map_err(|e| format!("sse-load output: {e}: {out}"))?;
    let load = Load {
        requests: j.events,
        rps: j.events_per_s,
        p50_ms: j.lag_p50_ms,
        p99_ms: j.lag_p99_ms,
        max_ms: j.lag_max_ms,
        errors: j.errors,
        ..Load::default()
    };
    Ok((load, j.server_cpu_s))
}
