//! The charts of the report: CPU per request across scenarios, and one figure per scenario.

use std::collections::BTreeMap;
use std::path::Path;

use super::super::charts::{self, Bars};
use clap::ValueEnum;

use super::super::scenario::{Run, Scenario, higher_is_better};
use super::{Results, backends, by_scenario, distinct};

fn labels(runs: &[&Run]) -> Vec<String> {
    runs.iter().map(|r| r.backend.clone()).collect()
}

pub(super) fn draw_cpu(img: &Path, results: &Results) -> Result<(), String> {
    let plain = by_scenario(results, "plaintext");
    let json: BTreeMap<&str, Option<f64>> = by_scenario(results, "json")
        .iter()
        .map(|r| (r.backend.as_str(), r.cpu_us_per_req))
        .collect();
    let series = [
        Bars {
            name: "plaintext",
            values: plain.iter().map(|r| r.cpu_us_per_req).collect(),
        },
        Bars {
            name: "json",
            values: plain
                .iter()
                .map(|r| json.get(r.backend.as_str()).copied().flatten())
                .collect(),
        },
    ];
    charts::file(&img.join("cpu_per_request.svg"), 1, |areas| {
        charts::bars(
            &areas[0],
            "Server CPU per request (lower is better)",
            "CPU-µs per request",
            &labels(&plain),
            &series,
        )
    })
}

/// The summary table as a chart: each row's headline ratio to the baseline in every scenario,
/// drawn as cost (right is worse), so that the rates of wait, where higher is better, are inverted.
pub(super) fn draw_summary(img: &Path, results: &Results) -> Result<(), String> {
    let mut rows: Vec<String> = Vec::new();
    for run in &results.runs {
        if !rows.contains(&run.backend) {
            rows.push(run.backend.clone());
        }
    }
    let scenarios: Vec<&str> = Scenario::value_variants()
        .iter()
        .map(|s| s.as_str())
        .filter(|s| results.runs.iter().any(|r| r.scenario == *s && r.ratio.is_some()))
        .collect();
    let series: Vec<Bars> = scenarios
        .iter()
        .map(|&scenario| {
            let runs = by_scenario(results, scenario);
            let top = runs
                .iter()
                .map(|r| (r.server_cores.unwrap_or(1), r.connections))
                .max()
                .unwrap_or_default();
            Bars {
                name: scenario,
                values: rows
                    .iter()
                    .map(|row| {
                        let r = runs.iter().find(|r| {
                            &r.backend == row && (r.server_cores.unwrap_or(1), r.connections) == top
                        })?;
                        let ratio = r.ratio.filter(|v| *v > 0.0 && r.requests > 0)?;
                        Some(if higher_is_better(scenario) {
                            1.0 / ratio
                        } else {
                            ratio
                        })
                    })
                    .collect(),
            }
        })
        .collect();
    let baseline = results
        .runs
        .iter()
        .find_map(|r| r.baseline.as_deref())
        .unwrap_or("baseline");
    let height = 120 + 22 * rows.len() as u32;
    charts::file_sized(&img.join("summary.svg"), (1000, height.max(420)), 1, |areas| {
        charts::dots(
            &areas[0],
            &format!("Cost relative to {baseline}, per scenario (log scale; right of 1 is worse)"),
            &format!("× {baseline}'s figure in the same round (wait: its req/s over the row's)"),
            &rows,
            &series,
        )
    })
}

/// The pool sweep of the db scenario (rows `<backend>-pool-<N>`): req/s and CPU per request by
/// pool size, each backend's one connection per worker (its own row) drawn flat beside its curve.
/// Returns the chart's file name, or `None` where the run has no sweep.
pub(super) fn draw_pool_sweep(img: &Path, runs: &[&Run]) -> Result<Option<String>, String> {
    let Some(connections) = runs
        .iter()
        .filter(|r| pool_row(&r.backend).is_some())
        .map(|r| r.connections)
        .max()
    else {
        return Ok(None);
    };
    let at: Vec<&Run> = (runs.iter().copied())
        .filter(|r| r.connections == connections)
        .collect();
    let pooled: Vec<(&Run, &str, usize)> = (at.iter())
        .filter_map(|&r| pool_row(&r.backend).map(|(backend, size)| (r, backend, size)))
        .collect();
    // A backend's pool rows are adjacent (the driver adds them backend by backend).
    let mut swept: Vec<&str> = pooled.iter().map(|&(_, backend, _)| backend).collect();
    swept.dedup();
    let largest = pooled.iter().map(|&(_, _, size)| size).max().unwrap_or(1) as f64;
    let curves = |value: fn(&Run) -> Option<f64>| -> Vec<(String, Vec<(f64, f64)>)> {
        swept
            .iter()
            .flat_map(|&backend| {
                let pools: Vec<(f64, f64)> = (pooled.iter())
                    .filter(|&&(_, b, _)| b == backend)
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
    let name = "db-pool-sweep.svg".to_owned();
    charts::file(&img.join(&name), 2, |areas| {
        let rate = format!("req/s at {connections} connections");
        charts::lines(&areas[0], &rate, "pool size", "req/s", &curves(|r| r.rps))?;
        let cost = |r: &Run| r.cpu_us_per_req;
        charts::lines(
            &areas[1],
            "server CPU per request",
            "pool size",
            "CPU-µs/req",
            &curves(cost),
        )
    })?;
    Ok(Some(name))
}

/// The backend and N of a pool-sweep row's name, `<backend>-pool-<N>`.
fn pool_row(row: &str) -> Option<(&str, usize)> {
    let (backend, size) = row.rsplit_once("-pool-")?;
    Some((backend, size.parse().ok()?))
}

/// The chart for one scenario; returns its file name.
pub(super) fn draw_scenario(img: &Path, scenario: &str, runs: &[&Run]) -> Result<String, String> {
    let name = format!("{scenario}.svg");
    let path = img.join(&name);
    match scenario {
        "idle" => {
            let largest = runs.iter().map(|r| r.connections).max().unwrap_or(0);
            let at: Vec<&Run> = runs
                .iter()
                .copied()
                .filter(|r| r.connections == largest)
                .collect();
            let series = [
                Bars {
                    name: "RSS",
                    values: at.iter().map(|r| r.rss_per_conn_kb).collect(),
                },
                Bars {
                    name: "kernel stack",
                    values: at.iter().map(|r| r.kernel_stack_per_conn_kb).collect(),
                },
            ];
            charts::file(&path, 1, |areas| {
                let title = format!("Memory per idle connection, {largest} connections");
                charts::bars(&areas[0], &title, "KB per connection", &labels(&at), &series)
            })?;
        }
        "sweep" => {
            let backends = backends(runs);
            let curve = |value: fn(&Run) -> Option<f64>| -> Vec<(String, Vec<(f64, f64)>)> {
                backends
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
            };
            charts::file(&path, 3, |areas| {
                charts::lines(&areas[0], "req/s", "connections", "req/s", &curve(|r| r.rps))?;
                charts::lines(
                    &areas[1],
                    "p99 latency",
                    "connections",
                    "ms",
                    &curve(|r| r.p99_ms),
                )?;
                charts::lines(
                    &areas[2],
                    "CPU per request",
                    "connections",
                    "CPU-µs/req",
                    &curve(|r| r.cpu_us_per_req),
                )
            })?;
        }
        "cores" => {
            let backends = backends(runs);
            let counts = distinct(runs, |r| r.server_cores);
            let names: Vec<String> = counts.iter().map(|n| format!("{n} server CPU(s)")).collect();
            let series: Vec<Bars> = counts
                .iter()
                .zip(&names)
                .map(|(&n, name)| Bars {
                    name,
                    values: backends
                        .iter()
                        .map(|b| {
                            runs.iter()
                                .find(|r| r.backend == *b && r.server_cores == Some(n))
                                .and_then(|r| r.cpu_us_per_req)
                        })
                        .collect(),
                })
                .collect();
            let labels: Vec<String> = backends.iter().map(|b| b.to_string()).collect();
            charts::file(&path, 1, |areas| {
                charts::bars(
                    &areas[0],
                    "CPU per plaintext request by server CPUs",
                    "CPU-µs/req",
                    &labels,
                    &series,
                )
            })?;
        }
        "mixed" | "mixed-offload" => {
            charts::file(&path, 2, |areas| {
                let p99 = [Bars {
                    name: "p99",
                    values: runs.iter().map(|r| r.p99_ms).collect(),
                }];
                charts::bars(&areas[0], "Cheap requests' p99", "ms", &labels(runs), &p99)?;
                let heavy = [Bars {
                    name: "heavy p99",
                    values: runs.iter().map(|r| r.heavy_p99_ms).collect(),
                }];
                charts::bars(&areas[1], "Heavy requests' p99", "ms", &labels(runs), &heavy)
            })?;
        }
        _ => {
            charts::file(&path, 2, |areas| {
                let rps = [Bars {
                    name: "req/s",
                    values: runs.iter().map(|r| r.rps).collect(),
                }];
                charts::bars(
                    &areas[0],
                    &format!("{scenario}: req/s"),
                    "req/s",
                    &labels(runs),
                    &rps,
                )?;
                let p99 = [Bars {
                    name: "p99",
                    values: runs.iter().map(|r| r.p99_ms).collect(),
                }];
                charts::bars(
                    &areas[1],
                    &format!("{scenario}: p99 latency"),
                    "ms",
                    &labels(runs),
                    &p99,
                )
            })?;
        }
    }
    Ok(name)
}
