//! The load generators: oha for every scenario, wrk for pipelining (oha does not pipeline).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::server::pin_child;

/// What one load-generator run saw.
#[derive(Clone, Debug, Default)]
pub struct Load {
    /// Requests answered with any status.
    pub requests: u64,
    pub rps: f64,
    pub p50_ms: Option<f64>,
    pub p90_ms: Option<f64>,
    pub p99_ms: Option<f64>,
    pub p999_ms: Option<f64>,
    pub max_ms: Option<f64>,
    /// Connection and protocol failures (not the requests cut off by the run's deadline).
    pub errors: u64,
    pub non_2xx: u64,
}

/// One oha invocation.
pub struct Oha<'a> {
    pub url: &'a str,
    pub connections: usize,
    pub duration: Duration,
    /// Fixed offered rate (oha `-q`), with latency measured from the scheduled send time.
    pub rate: Option<u32>,
    /// POST this file as every request's body.
    pub post_body: Option<&'a Path>,
}

impl Oha<'_> {
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
            command.args(["-q", &rate.to_string(), "--latency-correction"]);
        }
        if let Some(body) = self.post_body {
            command.args(["-m", "POST", "-D"]).arg(body);
        }
        command
            .arg(self.url)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        pin_child(&mut command, cpus);
        command.spawn().map_err(|e| format!("starting oha: {e}"))
    }
}

/// Waits for a load generator and returns its standard output.
pub fn output(child: Child, what: &str) -> Result<String, String> {
    let out = child
        .wait_with_output()
        .map_err(|e| format!("waiting for {what}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{what} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
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

pub fn parse_oha(json: &str) -> Result<Load, String> {
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

/// wrk, with a Lua script (`bench/pipeline.lua` pipelines 16 requests per round trip) or without.
pub fn spawn_wrk(
    wrk: &Path,
    script: Option<&Path>,
    url: &str,
    connections: usize,
    duration: Duration,
    cpus: &[usize],
) -> Result<Child, String> {
    let mut command = Command::new(wrk);
    command
        .args([
            "-t1",
            &format!("-c{connections}"),
            &format!("-d{}s", duration.as_secs().max(1)),
        ])
        .args(["--latency", "--timeout", "10s"]);
    if let Some(script) = script {
        command.arg("-s").arg(script);
    }
    command.arg(url).stdout(Stdio::piped()).stderr(Stdio::piped());
    pin_child(&mut command, cpus);
    command.spawn().map_err(|e| format!("starting wrk: {e}"))
}

pub fn parse_wrk(text: &str) -> Result<Load, String> {
    let after = |label: &str| text.split(label).nth(1).map(str::trim_start);
    let number = |s: &str| s.split_whitespace().next().and_then(|v| v.parse::<f64>().ok());
    let latency = |p: &str| {
        let line = text
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{p}%")))?;
        // wrk prints 0.00us for a percentile its histogram lost (seen with deep pipelines on slow
        // servers): unknown, not zero.
        duration_ms(line.split_whitespace().nth(1)?).filter(|&ms| ms > 0.0)
    };
    let rps = after("Requests/sec:")
        .and_then(number)
        .ok_or_else(|| format!("wrk output: {text}"))?;
    let requests = text
        .lines()
        .find(|l| l.contains("requests in"))
        .and_then(|l| number(l.trim()))
        .unwrap_or(0.0) as u64;
    let socket_errors = after("Socket errors:").map_or(0, |s| {
        s.lines()
            .next()
            .unwrap_or("")
            .split(',')
            .filter_map(|kv| kv.split_whitespace().last()?.parse::<u64>().ok())
            .sum()
    });
    let non_2xx = after("Non-2xx or 3xx responses:").and_then(number).unwrap_or(0.0) as u64;
    let max_ms = text
        .lines()
        .find(|l| l.trim_start().starts_with("Latency"))
        .and_then(|l| duration_ms(l.split_whitespace().nth(3)?));
    Ok(Load {
        requests,
        rps,
        p50_ms: latency("50"),
        p90_ms: latency("90"),
        p99_ms: latency("99"),
        p999_ms: None,
        max_ms,
        errors: socket_errors,
        non_2xx,
    })
}

/// wrk's `1.23ms` / `456.00us` / `1.5s` in milliseconds.
fn duration_ms(s: &str) -> Option<f64> {
    let split = s.find(|c: char| c.is_ascii_alphabetic())?;
    let (value, unit) = s.split_at(split);
    let scale = match unit {
        "us" => 1e-3,
        "ms" => 1.0,
        "s" => 1e3,
        "m" => 60e3,
        _ => return None,
    };
    Some(value.parse::<f64>().ok()? * scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oha_deadline_aborts_are_not_errors() {
        let json = r#"{"summary":{"total":2.0,"slowest":0.01},"latencyPercentiles":{"p50":0.001,"p90":0.002,
            "p99":0.004,"p99.9":0.008},"statusCodeDistribution":{"200":1000,"503":2},
            "errorDistribution":{"aborted due to deadline":64,"connection reset":3}}"#;
        let load = parse_oha(json).unwrap();
        assert_eq!((load.requests, load.errors, load.non_2xx), (1002, 3, 2));
        assert_eq!(load.rps, 501.0);
        assert_eq!(load.p999_ms, Some(8.0));
    }

    #[test]
    fn wrk_report_is_read() {
        let text = "Running 2s test @ http://127.0.0.1:1/plaintext
  1 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   496.51us  120.00us   5.10ms   90.00%
    Req/Sec   130.00k     3.00k  140.00k    70.00%
  Latency Distribution
     50%  480.00us
     75%  520.00us
     90%  600.00us
     99%    1.20ms
  260000 requests in 2.00s, 30.00MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 5
Requests/sec: 130000.00
Transfer/sec:     15.00MB
";
        let load = parse_wrk(text).unwrap();
        assert_eq!((load.requests, load.errors, load.non_2xx), (260000, 3, 5));
        assert_eq!(load.rps, 130000.0);
        assert_eq!(load.p50_ms, Some(0.48));
        assert_eq!(load.p99_ms, Some(1.2));
        assert_eq!(load.max_ms, Some(5.1));

        let lost = text.replace("99%    1.20ms", "99%    0.00us");
        assert_eq!(
            parse_wrk(&lost).unwrap().p99_ms,
            None,
            "a lost percentile is unknown"
        );
    }
}

/// One sse-load run: `subscribers` held open, measured for `duration` once they have settled.
pub fn spawn_sse_load(
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

/// sse-load's report as a `Load` (events as requests, lag as latency), and the server's CPU seconds
/// over its measuring window.
pub fn parse_sse_load(out: &str) -> Result<(Load, Option<f64>), String> {
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
