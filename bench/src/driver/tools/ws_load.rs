//! ws-load (bench/src/bin/ws_load.rs): the WebSocket scenarios' clients, and what they report.

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::load::{Load, output};
use super::pin::pin_child;

/// Connections one ws-load process opens at most: a process here holds at most 20,000 descriptors.
pub const PER_PROCESS: usize = 9_000;

/// One ws-load run: `mode` (`echo` or `broadcast`) over `connections`, messages of `size` bytes,
/// measured for `duration` once they are open; broadcast publishes `rate` messages a second.
#[allow(clippy::too_many_arguments)] // each is one of ws-load's own options
pub fn spawn(
    ws_load: &Path,
    addr: SocketAddr,
    mode: &str,
    connections: usize,
    size: usize,
    rate: f64,
    duration: Duration,
    server_pid: Option<u32>,
    cpus: &[usize],
) -> Result<Child, String> {
    let mut command = Command::new(ws_load);
    command
        .args(["--addr", &addr.to_string(), "--mode", mode])
        .args(["--connections", &connections.to_string()])
        .args(["--processes", &connections.div_ceil(PER_PROCESS).to_string()])
        .args(["--size", &size.to_string(), "--rate", &rate.to_string()])
        .args(["--duration-s", &duration.as_secs_f64().to_string()]);
    if let Some(pid) = server_pid {
        command.args(["--server-pid", &pid.to_string()]);
    }
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    pin_child(&mut command, cpus);
    command.spawn().map_err(|e| format!("starting ws-load: {e}"))
}

/// What `ws-load` prints (one JSON line) and the driver reads.
#[derive(Serialize, Deserialize, Default)]
pub struct WsReport {
    pub connections: usize,
    /// Connections that failed to open, or closed before the window ended.
    pub errors: u64,
    /// Messages echoed (echo) or delivered to a member (broadcast) in the window.
    pub messages: u64,
    pub messages_per_s: f64,
    /// Broadcast: messages published in the window, and deliveries expected (published × members).
    pub published: u64,
    pub expected: u64,
    /// Broadcast: expected deliveries that had not arrived by the end of the drain.
    pub lost: u64,
    pub latency_p50_ms: Option<f64>,
    pub latency_p99_ms: Option<f64>,
    pub latency_max_ms: Option<f64>,
    pub window_s: f64,
    pub server_cpu_s: Option<f64>,
    /// The generator's own CPU time over the window (every process).
    pub load_cpu_s: f64,
    /// Latency counts per 2%-wide bucket, merged over processes.
    pub histogram: Vec<u64>,
}

/// Waits for a spawned ws-load: its report as a `Load` (messages as requests, the round trip or
/// the delivery latency as latency, lost deliveries counted with the failed connections as
/// errors), and the server's CPU seconds over its measuring window.
pub fn finish(child: Child) -> Result<(Load, Option<f64>), String> {
    let out = output(child, "ws-load")?;
    let j: WsReport = serde_json::from_str(out.trim()).map_err(|e| format!("ws-load output: {e}: {out}"))?;
    let load = Load {
        requests: j.messages,
        rps: j.messages_per_s,
        p50_ms: j.latency_p50_ms,
        p99_ms: j.latency_p99_ms,
        max_ms: j.latency_max_ms,
        errors: j.errors + j.lost,
        ..Load::default()
    };
    Ok((load, j.server_cpu_s))
}
