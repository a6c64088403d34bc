//! results.json, results.md and the charts.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::charts::{self, Bars};
use super::procfs;
use clap::ValueEnum;

use super::scenario::{Run, Scenario, Settings};

#[derive(Clone, Serialize, Deserialize)]
pub struct Results {
    pub machine: Machine,
    pub settings: serde_json::Value,
    pub command: String,
    pub wall_seconds: f64,
    pub runs: Vec<Run>,
    /// Later runs that replaced some rows (`--update`).
    #[serde(default)]
    pub updates: Vec<Update>,
}

#[derive(Clone, Serialize, Deserialize)]
pub struct Update {
    pub command: String,
    pub wall_seconds: f64,
    /// `backend/scenario/connections` of each replaced or added row.
    pub rows: Vec<String>,
}

#[derive(Clone, Serialize, Deserialize)]
pub struct Machine {
    pub cpu: String,
    pub cores: usize,
    pub kernel: String,
    pub rustc: String,
    /// Crate versions from Cargo.lock, and the load generator's.
    pub versions: BTreeMap<String, String>,
}

impl Results {
    pub fn new(settings: Settings, runs: Vec<Run>, wall_seconds: f64, oha: String, command: String) -> Self {
        let (cpu, cores, kernel) = procfs::machine();
        let rustc = std::process::Command::new("rustc")
            .arg("--version")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .unwrap_or_default();
        let mut versions = locked_versions(&[
            "tokio",
            "smol",
            "async-std",
            "may",
            "may_minihttp",
            "hyper",
            "httparse",
        ]);
        versions.insert("oha".into(), oha);
        Results {
            machine: Machine {
                cpu,
                cores,
                kernel,
                rustc,
                versions,
            },
            settings: serde_json::to_value(settings).unwrap_or_default(),
            command,
            wall_seconds,
            runs,
            updates: Vec::new(),
        }
    }

    /// Replaces the rows measured again, keeping the report's order (scenario, then backend).
    pub fn update(&mut self, runs: Vec<Run>, wall_seconds: f64, command: String) {
        let key = |r: &Run| format!("{}/{}/{}", r.backend, r.scenario, r.connections);
        let rows: Vec<String> = runs.iter().map(key).collect();
        for run in runs {
            match self.runs.iter_mut().find(|old| key(old) == key(&run)) {
                Some(old) => *old = run,
                None => self.runs.push(run),
            }
        }
        self.updates.push(Update {
            command,
            wall_seconds,
            rows,
        });
    }
}

/// The versions Cargo.lock pins for `names`.
fn locked_versions(names: &[&str]) -> BTreeMap<String, String> {
    let lock = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.lock"))
        .unwrap_or_default();
    lock.split("[[package]]")
        .filter_map(|package| {
            let value = |key: &str| {
                package
                    .lines()
                    .find_map(|l| l.strip_prefix(key)?.trim().strip_prefix("= "))
                    .map(|v| v.trim_matches('"'))
            };
            let name = value("name")?;
            let version = value("version")?;
            names
                .contains(&name)
                .then(|| (name.to_owned(), version.to_owned()))
        })
        .collect()
}

pub fn save(out: &Path, results: &Results) -> Result<(), String> {
    std::fs::create_dir_all(out).map_err(|e| format!("creating {}: {e}", out.display()))?;
    let json = serde_json::to_string_pretty(results).expect("results serialise");
    std::fs::write(out.join("results.json"), json + "\n").map_err(|e| format!("writing results.json: {e}"))
}

pub fn load(out: &Path) -> Result<Results, String> {
    let text = std::fs::read_to_string(out.join("results.json"))
        .map_err(|e| format!("reading results.json: {e}"))?;
    serde_json::from_str(&text).map_err(|e| format!("results.json: {e}"))
}

/// Which way is better for a column.
#[derive(Clone, Copy, PartialEq)]
enum Better {
    Higher,
    Lower,
    Neither,
}

struct Column {
    title: &'static str,
    better: Better,
    value: fn(&Run) -> Option<f64>,
    /// The cell text, given the value.
    cell: fn(&Run, f64) -> String,
}

fn num(v: f64) -> String {
    charts::short(v)
}

fn col(title: &'static str, better: Better, value: fn(&Run) -> Option<f64>) -> Column {
    Column {
        title,
        better,
        value,
        cell: |_, v| num(v),
    }
}

/// A count: errors, threads, connections.
fn int_col(title: &'static str, value: fn(&Run) -> Option<f64>) -> Column {
    Column {
        title,
        better: Better::Neither,
        value,
        cell: |_, v| format!("{v:.0}"),
    }
}

/// `median (min–max)`.
fn with_spread(median: f64, min: Option<f64>, max: Option<f64>) -> String {
    format!(
        "{} ({}–{})",
        num(median),
        num(min.unwrap_or(median)),
        num(max.unwrap_or(median))
    )
}

fn rps_col() -> Column {
    Column {
        title: "req/s (min–max)",
        better: Better::Higher,
        value: |r| r.rps,
        cell: |r, v| with_spread(v, r.rps_min, r.rps_max),
    }
}

fn p99_col(title: &'static str) -> Column {
    Column {
        title,
        better: Better::Lower,
        value: |r| r.p99_ms,
        cell: |r, v| with_spread(v, r.p99_min_ms, r.p99_max_ms),
    }
}

fn cpu_col() -> Column {
    Column {
        title: "CPU-µs/req (min–max)",
        better: Better::Lower,
        value: |r| r.cpu_us_per_req,
        cell: |r, v| with_spread(v, r.cpu_us_min, r.cpu_us_max),
    }
}

fn errors_col() -> Column {
    int_col("errors", |r| Some((r.errors + r.non_2xx) as f64))
}

fn loadgen_col() -> Column {
    Column {
        title: "load gen CPU %",
        better: Better::Neither,
        value: |r| r.loadgen_cpu_pct,
        cell: |r, v| format!("{v:.0}{}", if r.loadgen_saturated { " ⚑" } else { "" }),
    }
}

fn columns(scenario: &str) -> Vec<Column> {
    // Zero: not read (a --target server).
    let mb = |r: &Run| (r.peak_rss_kb > 0).then(|| r.peak_rss_kb as f64 / 1024.0);
    match scenario {
        "wait" => vec![
            rps_col(),
            col("% of ceiling", Better::Higher, |r| r.ceiling_pct),
            col("p50 ms", Better::Lower, |r| r.p50_ms),
            p99_col("p99 ms (min–max)"),
            col("max ms", Better::Lower, |r| r.max_ms),
            cpu_col(),
            col("peak RSS MB", Better::Lower, mb),
            col("RSS KB/conn", Better::Lower, |r| r.rss_per_conn_kb),
            col("kernel stack KB/conn", Better::Lower, |r| {
                r.kernel_stack_per_conn_kb
            }),
            int_col("threads", |r| (r.threads > 0).then_some(r.threads as f64)),
            loadgen_col(),
            errors_col(),
        ],
        "soak" => vec![
            col("minutes", Better::Neither, |r| {
                Some(r.requests as f64 / r.rps? / 60.0)
            }),
            rps_col(),
            col("% of ceiling", Better::Higher, |r| r.ceiling_pct),
            col("p99 ms", Better::Lower, |r| r.p99_ms),
            col("max ms", Better::Lower, |r| r.max_ms),
            col("peak RSS MB", Better::Lower, mb),
            col("steady RSS MB", Better::Lower, |r| {
                (r.steady_rss_kb > 0).then(|| r.steady_rss_kb as f64 / 1024.0)
            }),
            col("RSS slope KB/min", Better::Neither, |r| r.rss_slope_kb_per_min),
            Column {
                title: "descriptors at rest before → after",
                better: Better::Neither,
                value: |r| Some(r.fds_after? as f64 - r.fds_before? as f64),
                cell: |r, _| format!("{} → {}", r.fds_before.unwrap_or(0), r.fds_after.unwrap_or(0)),
            },
            Column {
                title: "threads at rest before → after",
                better: Better::Neither,
                value: |r| Some(r.threads_after? as f64 - r.threads_before? as f64),
                cell: |r, _| {
                    format!(
                        "{} → {}",
                        r.threads_before.unwrap_or(0),
                        r.threads_after.unwrap_or(0)
                    )
                },
            },
            errors_col(),
        ],
        "mixed" | "mixed-offload" => vec![
            col("cheap req/s", Better::Higher, |r| r.rps),
            col("cheap p50 ms", Better::Lower, |r| r.p50_ms),
            p99_col("cheap p99 ms (min–max)"),
            col("cheap p99.9 ms", Better::Lower, |r| r.p999_ms),
            col("heavy req/s", Better::Higher, |r| r.heavy_rps),
            col("heavy p99 ms", Better::Lower, |r| r.heavy_p99_ms),
            int_col("threads", |r| (r.threads > 0).then_some(r.threads as f64)),
            errors_col(),
        ],
        "idle" => vec![
            col("RSS KB/conn", Better::Lower, |r| r.rss_per_conn_kb),
            col("kernel stack KB/conn", Better::Lower, |r| {
                r.kernel_stack_per_conn_kb
            }),
            col("total KB/conn", Better::Lower, total_per_conn),
            col("RSS MB", Better::Lower, mb),
            int_col("threads", |r| (r.threads > 0).then_some(r.threads as f64)),
            int_col("connections held", |r| Some(r.requests as f64)),
            errors_col(),
        ],
        _ => vec![
            rps_col(),
            col("p50 ms", Better::Lower, |r| r.p50_ms),
            col("p90 ms", Better::Lower, |r| r.p90_ms),
            p99_col("p99 ms (min–max)"),
            col("p99.9 ms", Better::Lower, |r| r.p999_ms),
            col("max ms", Better::Lower, |r| r.max_ms),
            cpu_col(),
            col("server CPU %", Better::Neither, |r| r.server_cpu_pct),
            col("peak RSS MB", Better::Lower, mb),
            loadgen_col(),
            errors_col(),
        ],
    }
}

fn total_per_conn(r: &Run) -> Option<f64> {
    Some(r.rss_per_conn_kb? + r.kernel_stack_per_conn_kb.unwrap_or(0.0))
}

/// A markdown table of `runs`, best figure per column in bold.
fn table(md: &mut String, runs: &[&Run], columns: &[Column]) {
    let _ = writeln!(
        md,
        "| backend | {} |",
        columns.iter().map(|c| c.title).collect::<Vec<_>>().join(" | ")
    );
    let _ = writeln!(md, "|---|{}", "---|".repeat(columns.len()));
    let best: Vec<Option<f64>> = columns
        .iter()
        .map(|c| {
            let values = runs.iter().filter_map(|r| (c.value)(r));
            match c.better {
                Better::Higher => values.reduce(f64::max),
                Better::Lower => values.reduce(f64::min),
                Better::Neither => None,
            }
        })
        .collect();
    for run in runs {
        let cells: Vec<String> = columns
            .iter()
            .zip(&best)
            .map(|(c, best)| match (c.value)(run) {
                Some(v) if Some(v) == *best && runs.len() > 1 => format!("**{}**", (c.cell)(run, v)),
                Some(v) => (c.cell)(run, v),
                None => "–".into(),
            })
            .collect();
        let name = match &run.note {
            Some(note) => format!("{} (not measured: {})", run.backend, note.replace('|', "/")),
            None => run.backend.clone(),
        };
        let _ = writeln!(md, "| {name} | {} |", cells.join(" | "));
    }
}

fn by_scenario<'a>(results: &'a Results, scenario: &str) -> Vec<&'a Run> {
    results.runs.iter().filter(|r| r.scenario == scenario).collect()
}

/// Names the lowest and highest of `value` over the measured runs, with the ratio.
fn extremes(runs: &[&Run], value: fn(&Run) -> Option<f64>, what: &str, unit: &str) -> String {
    let mut measured: Vec<(&Run, f64)> = runs.iter().filter_map(|r| Some((*r, value(r)?))).collect();
    measured.sort_by(|a, b| a.1.total_cmp(&b.1));
    match (measured.first(), measured.last()) {
        (Some((lo, lv)), Some((hi, hv))) if measured.len() > 1 => {
            // A ratio to (nearly) zero says nothing: a flat RSS slope is 0.
            let ratio = if *lv >= 0.01 {
                format!(" ({:.1}× the lowest)", hv / lv)
            } else {
                String::new()
            };
            format!(
                "Lowest {what}: {} at {} {unit}; highest: {} at {} {unit}{ratio}.",
                lo.backend,
                num(*lv),
                hi.backend,
                num(*hv),
            )
        }
        _ => String::new(),
    }
}

fn names_or_none(names: &[&str]) -> String {
    if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    }
}

fn reading(scenario: &str, runs: &[&Run]) -> String {
    let saturated = runs.iter().filter(|r| r.loadgen_saturated).count();
    let errors: u64 = runs.iter().map(|r| r.errors + r.non_2xx).sum();
    let mut text = match scenario {
        "wait" => {
            let ok: Vec<&str> = runs
                .iter()
                .filter(|r| r.ceiling_pct.is_some_and(|c| c >= 97.0) && r.p99_ms.is_some_and(|p| p <= 550.0))
                .map(|r| r.backend.as_str())
                .collect();
            format!(
                "Every request waits 500 ms, so the ceiling is connections ÷ 0.5 s. At ≥ 97% of it with p99 ≤ 550 ms: {}. {} {}",
                names_or_none(&ok),
                extremes(
                    runs,
                    total_per_conn,
                    "memory per connection (RSS + kernel stack)",
                    "KB"
                ),
                extremes(runs, |r| r.cpu_us_per_req, "CPU per request", "µs"),
            )
        }
        "soak" => {
            let leaked: Vec<&str> = runs
                .iter()
                .filter(|r| r.fds_after > r.fds_before || r.threads_after > r.threads_before)
                .map(|r| r.backend.as_str())
                .collect();
            format!(
                "The wait load held for the whole run: RSS slope fitted over its second half; descriptors and threads \
                 read with no connection open, after the warm-up and again once the load's connections closed (up \
                 to 30 s later). More held after than before: {}. {}",
                names_or_none(&leaked),
                extremes(
                    runs,
                    |r| r.rss_slope_kb_per_min.map(f64::abs),
                    "|RSS slope|",
                    "KB/min"
                ),
            )
        }
        "mixed" | "mixed-offload" => format!(
            "Cheap requests arrive at a fixed 2,000 req/s while 10 ms CPU jobs arrive at 50 req/s (half the server's \
             core{}). {}",
            if scenario == "mixed" {
                ", run inline in the handler"
            } else {
                ", offloaded with `server_core::unblock`"
            },
            extremes(runs, |r| r.p99_ms, "cheap-request p99", "ms"),
        ),
        "idle" => format!(
            "Memory the server holds per open keep-alive connection after one request each. {}",
            extremes(
                runs,
                total_per_conn,
                "memory per connection (RSS + kernel stack)",
                "KB"
            )
        ),
        _ => format!(
            "{} {}",
            extremes(runs, |r| r.cpu_us_per_req, "CPU per request", "µs"),
            extremes(runs, |r| r.p99_ms, "p99", "ms")
        ),
    };
    if saturated > 0 {
        let _ = write!(
            text,
            " In {saturated} of {} rows (⚑) the load generator, not the server, was the bottleneck: their req/s is oha's \
             limit, and CPU-µs/req ranks the servers.",
            runs.len()
        );
    }
    let _ = write!(text, " Errors: {errors}.");
    text
}

const BACKENDS: &str = "\
| row | how a connection is served |
|---|---|
| tokio | a tokio task; handlers run inline on the worker |
| tokio-blocking-pool | a tokio task; every handler runs on tokio's blocking pool (at most 512 threads): a bounded worker pool, like WSGI's threaded workers |
| tokio-hyper | a tokio task running hyper's HTTP/1 engine (reference) |
| smol | a task on smol's executor |
| async-std | a task on async-std's runtime (deprecated upstream) |
| threads | an OS thread per connection |
| coroutine | a may stackful coroutine per connection |
| coroutine-minihttp | a may coroutine running may_minihttp's engine (reference engine) |
| ref-go | **reference server**: Go net/http (bench/reference/go), a goroutine per connection, GOMAXPROCS = the server's CPUs |
| ref-node | **reference server**: Node's http module (bench/reference/node), one event loop; /cpu-offload goes to worker_threads |
| ref-gunicorn | **reference server**: a WSGI app (bench/reference/wsgi) on gunicorn's gthread workers: (2 × CPUs) + 1 processes × 32 threads |

Every row but tokio-hyper, coroutine-minihttp and the ref- rows runs server-core's engine; the handlers are the same \
code everywhere. The ref- rows serve the same routes in another language, under the same method, for comparison; \
their CPU and memory are summed over all their processes.
";

const INTRO: &[(&str, &str)] = &[
    (
        "plaintext",
        "GET /plaintext (13 bytes) on 256 keep-alive connections: the cost of the HTTP path itself.",
    ),
    ("json", "GET /json (serde_json) on 256 connections."),
    (
        "wait",
        "10,000 connections, each request waiting 500 ms in the runtime-neutral `sleep`: the case of many users \
              whose requests wait on something slow.",
    ),
    (
        "cpu",
        "GET /cpu?us=1000 on 64 connections: every handler burns 1 ms of CPU inline.",
    ),
    (
        "mixed",
        "Cheap /plaintext at 2,000 req/s (8 connections, latency-corrected) beside /cpu?us=10000 at 50 req/s \
               (16 connections), heavy work inline.",
    ),
    (
        "mixed-offload",
        "The same mix with the heavy work in `server_core::unblock` (/cpu-offload).",
    ),
    (
        "soak",
        "The wait scenario (10,000 connections, 500 ms waits) held for minutes in one run: errors, memory growth \
              and leaks over time. Run on its own: `--scenarios soak`.",
    ),
    (
        "idle",
        "Open keep-alive connections, one request each, then held: memory per connection.",
    ),
    (
        "sweep",
        "GET /plaintext at 1 to 10,000 connections: how cost grows with concurrency.",
    ),
    (
        "pipelined",
        "GET /plaintext pipelined 16 deep over 64 connections (wrk with bench/pipeline.lua).",
    ),
];

pub fn write(out: &Path, results: &Results) -> Result<(), String> {
    let img = out.join("img");
    std::fs::create_dir_all(&img).map_err(|e| format!("creating {}: {e}", img.display()))?;
    let mut md = String::new();
    let m = &results.machine;
    let _ = writeln!(md, "# Results\n");
    let _ = writeln!(
        md,
        "Generated by `{}` in {:.0} min. Server pinned to CPU(s) {}, load generator (oha {}) and driver to {}; median of \
         {} reps per row, spread in brackets; **bold** is the best figure of a column. Method: [method.md](method.md).\n",
        results.command,
        results.wall_seconds / 60.0,
        list(&results.settings["server_cpus"]),
        m.versions.get("oha").map_or("", String::as_str),
        list(&results.settings["load_cpus"]),
        results.settings["reps"],
    );
    let _ = writeln!(
        md,
        "Machine: {} ({} cores), Linux {}, {}. Crates: {}.\n",
        m.cpu,
        m.cores,
        m.kernel,
        m.rustc,
        m.versions
            .iter()
            .filter(|(k, _)| *k != "oha")
            .map(|(k, v)| format!("{k} {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    for update in &results.updates {
        let _ = writeln!(
            md,
            "Re-measured later by `{}` ({:.0} min): {}.\n",
            update.command,
            update.wall_seconds / 60.0,
            update.rows.join(", ")
        );
    }
    let _ = writeln!(md, "{BACKENDS}");
    let has = |s: &str| results.runs.iter().any(|r| r.scenario == s && r.note.is_none());
    if has("plaintext") {
        let _ = writeln!(md, "![CPU per request](img/cpu_per_request.svg)\n");
    }
    for scenario in Scenario::value_variants().iter().map(|s| s.as_str()) {
        let runs = by_scenario(results, scenario);
        if runs.is_empty() {
            continue;
        }
        let intro = INTRO.iter().find(|(s, _)| *s == scenario).map_or("", |(_, t)| t);
        let _ = writeln!(md, "## {scenario}\n\n{intro}\n");
        match scenario {
            "idle" | "sweep" => {
                let mut counts: Vec<usize> = runs.iter().map(|r| r.connections).collect();
                counts.sort_unstable();
                counts.dedup();
                for n in counts {
                    let at: Vec<&Run> = runs.iter().copied().filter(|r| r.connections == n).collect();
                    let _ = writeln!(md, "### {n} connections\n");
                    table(&mut md, &at, &columns(scenario));
                    let _ = writeln!(md, "\n{}\n", reading(scenario, &at));
                }
            }
            _ => {
                table(&mut md, &runs, &columns(scenario));
                let _ = writeln!(md, "\n{}\n", reading(scenario, &runs));
            }
        }
        if has(scenario) {
            let chart = draw_scenario(&img, scenario, &runs)?;
            let _ = writeln!(md, "![{scenario}](img/{chart})\n");
        }
    }
    if has("plaintext") {
        draw_cpu(&img, results)?;
    }
    std::fs::write(out.join("results.md"), md).map_err(|e| format!("writing results.md: {e}"))
}

fn list(v: &serde_json::Value) -> String {
    v.as_array().map_or(String::new(), |a| {
        a.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(",")
    })
}

fn labels(runs: &[&Run]) -> Vec<String> {
    runs.iter().map(|r| r.backend.clone()).collect()
}

fn draw_cpu(img: &Path, results: &Results) -> Result<(), String> {
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

/// The chart for one scenario; returns its file name.
fn draw_scenario(img: &Path, scenario: &str, runs: &[&Run]) -> Result<String, String> {
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
            let mut backends: Vec<&str> = runs.iter().map(|r| r.backend.as_str()).collect();
            backends.dedup();
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

#[cfg(test)]
mod tests {
    use super::*;

    fn run(backend: &str, scenario: &str, rps: f64) -> Run {
        // Absent optional figures deserialise as None.
        let row = serde_json::json!({
            "backend": backend, "scenario": scenario, "connections": 256, "reps": 3, "requests": 1000,
            "errors": 0, "non_2xx": 0, "peak_rss_kb": 0, "steady_rss_kb": 0, "threads": 1,
            "loadgen_saturated": false, "clean_exit": true, "rps": rps,
        });
        serde_json::from_value(row).unwrap()
    }

    #[test]
    fn update_replaces_matching_rows_keeps_the_rest_and_says_so() {
        let settings: Settings = serde_json::from_value(serde_json::json!({
            "reps": 3, "duration_s": 5.0, "warmup_s": 1.0, "wait_duration_s": 15.0, "wait_connections": 10000,
            "wait_ms": 500, "idle_connections": [], "sweep_connections": [], "server_cpus": [0], "load_cpus": [1],
            "max_connections": 20000, "quick": false,
        }))
        .unwrap();
        let mut results = Results::new(
            settings,
            vec![run("tokio", "plaintext", 1.0), run("smol", "plaintext", 2.0)],
            60.0,
            "1.16.0".into(),
            "cargo run --release -p bench".into(),
        );
        results.update(
            vec![run("smol", "plaintext", 3.0), run("smol", "json", 4.0)],
            10.0,
            "again".into(),
        );
        let rows: Vec<(&str, &str, Option<f64>)> = results
            .runs
            .iter()
            .map(|r| (r.backend.as_str(), r.scenario.as_str(), r.rps))
            .collect();
        assert_eq!(
            rows,
            [
                ("tokio", "plaintext", Some(1.0)),
                ("smol", "plaintext", Some(3.0)),
                ("smol", "json", Some(4.0))
            ]
        );
        assert_eq!(results.updates[0].rows, ["smol/plaintext/256", "smol/json/256"]);
    }
}
