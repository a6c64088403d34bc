//! wait: many users whose requests wait on something slow (10,000 connections, 500 ms each).

use std::time::Duration;

use super::{Headline, Scenario, WrkUse};
use crate::driver::measure::{Context, Loaded, Sample, under_load};
use crate::driver::report::columns::{
    Better, Column, col, cpu_col, errors_col, loadgen_col, memory_per_connection, num, p99_col, peak_rss_col,
    rps_col, threads_col,
};
use crate::driver::report::reading::{extremes, names_or_none};
use crate::driver::row::Run;
use crate::driver::settings::Settings;
use crate::driver::tools::wrk;

pub struct Wait;

/// The rate: capacity while requests wait (their CPU is next to nothing).
pub static RATE: Headline = Headline {
    value: |s| Some(s.load.rps),
    unit: "req/s",
    ratio_of: "req/s",
    higher_is_better: true,
    baseline_figure: |r| Some(format!("{}% of ceiling", num(r.ceiling_pct?))),
};

impl Scenario for Wait {
    fn id(&self) -> &'static str {
        "wait"
    }

    fn help(&self) -> &'static str {
        "GET /wait?ms=500 on 10,000 connections: Little's-law ceiling 20,000 req/s"
    }

    fn intro(&self) -> &'static str {
        "10,000 connections, each request waiting 500 ms in the runtime-neutral `sleep`: the case of many users \
              whose requests wait on something slow."
    }

    fn connections(&self, settings: &Settings) -> Vec<usize> {
        vec![settings.wait_connections]
    }

    fn wrk(&self) -> WrkUse {
        WrkUse::Preferred
    }

    fn measures_axum(&self) -> bool {
        true
    }

    fn duration(&self, settings: &Settings) -> Duration {
        Duration::from_secs_f64(settings.wait_duration_s)
    }

    fn settles_kernel_stacks(&self) -> bool {
        true
    }

    fn measure(&self, ctx: &Context<'_>) -> Result<Sample, String> {
        under_load(ctx, load)
    }

    fn ceiling_rps(&self, settings: &Settings, connections: usize) -> Option<f64> {
        little_ceiling(settings, connections)
    }

    fn headline(&self) -> &'static Headline {
        &RATE
    }

    fn columns(&self) -> Vec<Column> {
        vec![
            rps_col(),
            col("% of ceiling", Better::Higher, |r| r.ceiling_pct),
            col("p50 ms", Better::Lower, |r| r.p50_ms),
            p99_col("p99 ms (min–max)"),
            col("max ms", Better::Lower, |r| r.max_ms),
            cpu_col(),
            peak_rss_col(),
            col("RSS KB/conn", Better::Lower, |r| r.rss_per_conn_kb),
            col("kernel stack KB/conn", Better::Lower, |r| {
                r.kernel_stack_per_conn_kb
            }),
            threads_col(),
            loadgen_col(),
            errors_col(),
        ]
    }

    fn reading(&self, runs: &[&Run]) -> String {
        let best = runs.iter().filter_map(|r| r.ceiling_pct).fold(0.0, f64::max);
        let ok: Vec<&str> = runs
            .iter()
            .filter(|r| {
                r.ceiling_pct.is_some_and(|c| c >= 0.97 * best) && r.p99_ms.is_some_and(|p| p <= 550.0)
            })
            .map(|r| r.backend.as_str())
            .collect();
        format!(
            "Every request waits 500 ms, so the ceiling is connections ÷ 0.5 s; a run's share of it also pays for \
             opening the 10,000 connections at its start, alike for every row. Within 3% of the best row's rate \
             with p99 ≤ 550 ms: {}. {} {}",
            names_or_none(&ok),
            extremes(
                runs,
                memory_per_connection,
                "memory per connection (RSS + kernel stack)",
                "KB"
            ),
            extremes(runs, |r| r.cpu_us_per_req, "CPU per request", "µs"),
        )
    }
}

/// Little's law: every connection answers one request per wait.
pub fn little_ceiling(settings: &Settings, connections: usize) -> Option<f64> {
    Some(connections as f64 * 1000.0 / settings.wait_ms as f64)
}

/// GET /wait on every connection. oha times a connection's first request from before its
/// connect, so 10,000 fresh connections put the load generator's own ramp (and SYN retries past
/// the accept backlog) into the tail; wrk connects first and times requests only.
pub fn load(ctx: &Context<'_>) -> Result<Loaded, String> {
    let path = format!("/wait?ms={}", ctx.settings.wait_ms);
    let load = match &ctx.tools.wrk {
        Some(wrk) => wrk::finish(wrk::spawn(
            wrk,
            None,
            &ctx.url(&path),
            ctx.connections(),
            ctx.duration,
            ctx.load_cpus(),
        )?)?,
        None => ctx.oha(&path)?,
    };
    Ok(load.into())
}
