//! oha: the load generator of every scenario but the pipelined one (oha does not pipeline).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde::Deserialize;

use super::load::{Load, output};
use super::pin::pin_child;

/// One oha invocation.
pub struct Oha<'a> {
    pub url: &'a str,
    pub connections: usize,
    pub duration: Duration,
    /// Fixed offered rate (oha `-q`).
    pub rate: Option<u32>,
    /// With a rate: latency measured from each request's scheduled send time (coordinated
    /// omission corrected), as every rate of the bench's own scenarios is.
    pub latency_correction: bool,
    /// POST this file as every request's body.
    pub post_body: Option<&'a Path>,
    /// Also write every request oha completed to this SQLite file (`bench stalls` reads it).
    pub record_to: Option<&'a Path>,
}

impl<'a> Oha<'a> {
    /// GET `url` on `connections` connections, as fast as they answer, for `duration`.
    pub fn get(url: &'a str, connections: usize, duration: Duration) -> Self {
        Oha {
            url,
            connections,
            duration,
            rate: None,
            latency_correction: false,
            post_body: None,
            record_to: None,
        }
    }

    /// At a fixed offered rate, latency corrected.
    pub fn at_rate(self, rate: u32) -> Self {
        Oha {
            rate: Some(rate),
            latency_correction: true,
            ..self
        }
    }

    pub fn spawn(&self, oha: &Path, cpus: &[usize]) -> Result<Child, String> {
        let mut command = Command::new(oha);
        command.args([
            "-z",
            &format!("{}ms", self.duration.as_millis()),
            "-c",
            &self.connections.to_string(),
            "--no-tui",
            "--output-format",
            "json",
        ]);
        if let Some(rate) = self.rate {
            command.args(["-q", &rate.to_string()]);
        }
        if self.latency_correction {
            command.arg("--latency-correction");
        }
        if let Some(body) = self.post_body {
            command.args(["-m", "POST", "-D"]).arg(body);
        }
        if let Some(db) = self.record_to {
            command.arg("--db-url").arg(db);
        }
        command
            .arg(self.url)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        pin_child(&mut command, cpus);
        command.spawn().map_err(|e| format!("starting oha: {e}"))
    }
}

/// Waits for a spawned oha and reads what it saw.
pub fn finish(child: Child) -> Result<Load, String> {
    parse(&output(child, "oha")?)
}

#[derive(Deserialize)]
struct OhaJson {
    summary: OhaSummary,
    #[serde(rename = "latencyPercentiles")]
    percentiles: BTreeMap<String, Option<f64>>,
    #[serde(rename = "statusCodeDistribution")]
    statuses: BTreeMap<String, u64>,
    #[serde(rename = "errorDistribution")]
    errors: BTreeMap<String, u64>,
}

#[derive(Deserialize)]
struct OhaSummary {
    total: f64,
    slowest: Option<f64>,
}

/// oha's name for requests still in flight when `-z` ends: not failures of the server.
const DEADLINE_ABORT: &str = "aborted due to deadline";

pub fn parse(json: &str) -> Result<Load, String> {
    let out: OhaJson = serde_json::from_str(json).map_err(|e| format!("oha output: {e}"))?;
    let ms = |key: &str| out.percentiles.get(key).copied().flatten().map(|s| s * 1e3);
    let requests: u64 = out.statuses.values().sum();
    Ok(Load {
        requests,
        rps: requests as f64 / out.summary.total.max(1e-9),
        p50_ms: ms("p50"),
        p90_ms: ms("p90"),
        p99_ms: ms("p99"),
        p999_ms: ms("p99.9"),
        max_ms: out.summary.slowest.map(|s| s * 1e3),
        errors: out
            .errors
            .iter()
            .filter(|(k, _)| k.as_str() != DEADLINE_ABORT)
            .map(|(_, n)| n)
            .sum(),
        non_2xx: out
            .statuses
            .iter()
            .filter(|(k, _)| !k.starts_with('2'))
            .map(|(_, n)| n)
            .sum(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oha_deadline_aborts_are_not_errors() {
        let json = r#"{"summary":{"total":2.0,"slowest":0.01},"latencyPercentiles":{"p50":0.001,"p90":0.002,
            "p99":0.004,"p99.9":0.008},"statusCodeDistribution":{"200":1000,"503":2},
            "errorDistribution":{"aborted due to deadline":64,"connection reset":3}}"#;
        let load = parse(json).unwrap();
        assert_eq!((load.requests, load.errors, load.non_2xx), (1002, 3, 2));
        assert_eq!(load.rps, 501.0);
        assert_eq!(load.p999_ms, Some(8.0));
    }
}
