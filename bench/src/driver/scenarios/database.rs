//! What the database scenarios (db, queries, fortunes, updates) share: TechEmpower's routes
//! against PostgreSQL, a table per connection count, and the database's CPU beside the server's.

use std::path::Path;

use super::{Scenario, Tables};
use crate::driver::charts;
use crate::driver::kind::RowKind;
use crate::driver::measure::{Context, Sample, under_load};
use crate::driver::report::columns::{
    Better, Column, col, cpu_col, errors_col, loadgen_col, p99_col, peak_rss_col, rps_col,
};
use crate::driver::report::rows::at_connections;
use crate::driver::row::Run;
use crate::driver::settings::Settings;

/// One of TechEmpower's database tests.
pub struct Database {
    pub id: &'static str,
    pub help: &'static str,
    pub intro: &'static str,
    /// The route loaded.
    pub path: &'static str,
    pub connections: &'static [usize],
    /// A full run measures its pool sweep here, at this many connections.
    pub pool_sweep_at: Option<usize>,
}

impl Scenario for Database {
    fn id(&self) -> &'static str {
        self.id
    }

    fn help(&self) -> &'static str {
        self.help
    }

    fn intro(&self) -> &'static str {
        self.intro
    }

    fn connections(&self, _: &Settings) -> Vec<usize> {
        self.connections.to_vec()
    }

    fn needs_database(&self) -> bool {
        true
    }

    fn measures_pool_sweep(&self, connections: usize) -> bool {
        self.pool_sweep_at == Some(connections)
    }

    fn measure(&self, ctx: &Context<'_>) -> Result<Sample, String> {
        under_load(ctx, |ctx| Ok(ctx.oha(self.path)?.into()))
    }

    fn columns(&self) -> Vec<Column> {
        vec![
            rps_col(),
            col("p50 ms", Better::Lower, |r| r.p50_ms),
            p99_col("p99 ms (min–max)"),
            col("max ms", Better::Lower, |r| r.max_ms),
            cpu_col(),
            col("database CPU-µs/req", Better::Lower, |r| r.db_cpu_us_per_req),
            col("server CPU %", Better::Neither, |r| r.server_cpu_pct),
            peak_rss_col(),
            loadgen_col(),
            errors_col(),
        ]
    }

    fn tables(&self) -> Tables {
        Tables::PerConnectionCount
    }

    fn appendix(&self, img: &Path, runs: &[&Run]) -> Result<Option<String>, String> {
        if self.pool_sweep_at.is_none() {
            return Ok(None);
        }
        let name = format!("{}-pool-sweep.svg", self.id);
        Ok(draw_pool_sweep(&img.join(&name), runs)?
            .then(|| format!("{POOL_SWEEP}\n\n![pool sweep](img/{name})")))
    }
}

/// Under the tables, where a full run's pool sweep is measured.
const POOL_SWEEP: &str = "### The pool sweep\n\n\
    Rows `tokio-pool-N` and `threads-pool-N` (512 connections above) are the same backends sharing one \
    pool of N connections (`serve --db-pool N`; a request holds a connection for its queries and waits at most \
    1 s for a free one, then 503), measured in the same rounds as the rows with one pipelined connection per \
    worker (tokio) or per client connection's thread (threads). The chart draws each backend's own row flat \
    beside its pool curve.";

/// The pool rows' req/s and CPU per request by pool size, each backend's one connection per
/// worker (its own row) drawn flat beside its curve; `false` where the runs have no pool rows.
fn draw_pool_sweep(path: &Path, runs: &[&Run]) -> Result<bool, String> {
    let pool = |r: &Run| match &r.kind {
        Some(RowKind::Pool { backend, size }) => Some((backend.clone(), *size)),
        _ => None,
    };
    let Some(connections) = runs
        .iter()
        .filter(|r| pool(r).is_some())
        .map(|r| r.connections)
        .max()
    else {
        return Ok(false);
    };
    let at = at_connections(runs, connections);
    let pooled: Vec<(&Run, String, usize)> = (at.iter())
        .filter_map(|&r| pool(r).map(|(backend, size)| (r, backend, size)))
        .collect();
    // A backend's pool rows are adjacent (the driver adds them backend by backend).
    let mut swept: Vec<&str> = pooled.iter().map(|(_, backend, _)| backend.as_str()).collect();
    swept.dedup();
    let largest = pooled.iter().map(|&(_, _, size)| size).max().unwrap_or(1) as f64;
    let curves = |value: fn(&Run) -> Option<f64>| -> Vec<(String, Vec<(f64, f64)>)> {
        swept
            .iter()
            .flat_map(|&backend| {
                let pools: Vec<(f64, f64)> = (pooled.iter())
                    .filter(|(_, b, _)| b == backend)
                    .filter_map(|&(r, _, size)| Some((size as f64, value(r)?)))
                    .collect();
                let own = (at.iter())
                    .find(|r| r.backend == backend)
                    .and_then(|r| value(r))
                    .map(|v| {
                        (
                            format!("{backend}, a connection per worker"),
                            vec![(1.0, v), (largest, v)],
                        )
                    });
                std::iter::once((format!("{backend}, shared pool"), pools)).chain(own)
            })
            .collect()
    };
    charts::file(path, 2, |areas| {
        let rate = format!("req/s at {connections} connections");
        charts::lines(&areas[0], &rate, "pool size", "req/s", &curves(|r| r.rps))?;
        charts::lines(
            &areas[1],
            "server CPU per request",
            "pool size",
            "CPU-µs/req",
            &curves(|r| r.cpu_us_per_req),
        )
    })?;
    Ok(true)
}
