//! wrk: the pipelined load (oha does not pipeline), and the wait load, which it times from after
//! each connection's connect.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use super::load::{Load, output};
use super::pin::pin_child;

/// wrk, with a Lua script (`bench/pipeline.lua` pipelines 16 requests per round trip) or without.
pub fn spawn(
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

/// Waits for a spawned wrk and reads what it saw.
pub fn finish(child: Child) -> Result<Load, String> {
    parse(&output(child, "wrk")?)
}

pub fn parse(text: &str) -> Result<Load, String> {
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
        let load = parse(text).unwrap();
        assert_eq!((load.requests, load.errors, load.non_2xx), (260000, 3, 5));
        assert_eq!(load.rps, 130000.0);
        assert_eq!(load.p50_ms, Some(0.48));
        assert_eq!(load.p99_ms, Some(1.2));
        assert_eq!(load.max_ms, Some(5.1));

        let lost = text.replace("99%    1.20ms", "99%    0.00us");
        assert_eq!(parse(&lost).unwrap().p99_ms, None, "a lost percentile is unknown");
    }
}
