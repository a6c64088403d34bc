//! The charts scenarios draw from their runs, over `charts`' primitives.

use std::path::Path;

use super::super::charts::{self, Bars};
use super::super::row::Run;
use super::rows;

/// One bar label per run: its row's name.
pub fn labels(runs: &[&Run]) -> Vec<String> {
    runs.iter().map(|r| r.backend.clone()).collect()
}

/// One bar per run of `value`.
pub fn bars<'a>(name: &'a str, runs: &[&Run], value: fn(&Run) -> Option<f64>) -> Bars<'a> {
    Bars {
        name,
        values: runs.iter().map(|r| value(r)).collect(),
    }
}

/// The request-rate scenarios' chart: req/s and p99 per row.
pub fn rate_and_p99(path: &Path, scenario: &str, runs: &[&Run]) -> Result<(), String> {
    charts::file(path, 2, |areas| {
        let rps = [bars("req/s", runs, |r| r.rps)];
        charts::bars(
            &areas[0],
            &format!("{scenario}: req/s"),
            "req/s",
            &labels(runs),
            &rps,
        )?;
        let p99 = [bars("p99", runs, |r| r.p99_ms)];
        charts::bars(
            &areas[1],
            &format!("{scenario}: p99 latency"),
            "ms",
            &labels(runs),
            &p99,
        )
    })
}

/// One line per row of `value` by connection count.
pub fn by_connections(runs: &[&Run], value: fn(&Run) -> Option<f64>) -> Vec<(String, Vec<(f64, f64)>)> {
    rows::names(runs)
        .iter()
        .map(|b| {
            let points = runs
                .iter()
                .filter(|r| r.backend == *b)
                .filter_map(|r| Some((r.connections as f64, value(r)?)))
                .collect();
            (b.to_string(), points)
        })
        .collect()
}
