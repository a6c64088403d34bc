//! sweep: /plaintext at 1 to 10,000 connections: how cost grows with concurrency.

use std::path::Path;

use super::{Scenario, Tables};
use crate::driver::charts;
use crate::driver::measure::{Context, Sample, under_load};
use crate::driver::report::columns::num;
use crate::driver::report::plots::by_connections;
use crate::driver::row::Run;
use crate::driver::settings::Settings;

pub struct Sweep;

impl Scenario for Sweep {
    fn id(&self) -> &'static str {
        "sweep"
    }

    fn help(&self) -> &'static str {
        "/plaintext at 1, 64 and 10,000 connections (256 is plaintext's): how cost grows"
    }

    fn intro(&self) -> &'static str {
        "GET /plaintext at 1 to 10,000 connections: how cost grows with concurrency."
    }

    fn connections(&self, settings: &Settings) -> Vec<usize> {
        settings.sweep_connections.clone()
    }

    fn measure(&self, ctx: &Context<'_>) -> Result<Sample, String> {
        under_load(ctx, |ctx| Ok(ctx.oha("/plaintext")?.into()))
    }

    fn tables(&self) -> Tables {
        Tables::PerConnectionCount
    }

    fn summary_at(&self, run: &Run) -> String {
        format!(" at {}", num(run.connections as f64))
    }

    /// Rate, tail and cost by connection count, a line per row.
    fn chart(&self, path: &Path, runs: &[&Run]) -> Result<(), String> {
        charts::file(path, 3, |areas| {
            let rps = by_connections(runs, |r| r.rps);
            charts::lines(&areas[0], "req/s", "connections", "req/s", &rps)?;
            let p99 = by_connections(runs, |r| r.p99_ms);
            charts::lines(&areas[1], "p99 latency", "connections", "ms", &p99)?;
            let cpu = by_connections(runs, |r| r.cpu_us_per_req);
            charts::lines(&areas[2], "CPU per request", "connections", "CPU-µs/req", &cpu)
        })
    }
}
