//! What each scenario's table shows and says: its columns, the sentence under it, the intros.

use std::fmt::Write as _;

use super::super::charts;
use super::super::scenario::{Run, Scenario, TRANSFER_BYTES, higher_is_better};

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

/// A ratio `median (min–max)`, two decimals below 10.
fn ratio_text(median: f64, min: Option<f64>, max: Option<f64>) -> String {
    let f = |v: f64| if v < 10.0 { format!("{v:.2}") } else { num(v) };
    format!(
        "{} ({}–{})",
        f(median),
        f(min.unwrap_or(median)),
        f(max.unwrap_or(median))
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

/// A row's ratio, where it has one to rank by: a row that answered nothing has none (results
/// written before `headline` said so carry one taken from a zero count).
fn ratio(r: &Run) -> Option<f64> {
    r.ratio.filter(|_| r.requests > 0)
}

/// Which way is better for a ratio of the scenario's headline figure.
fn headline_better(scenario: &str) -> Better {
    if higher_is_better(scenario) {
        Better::Higher
    } else {
        Better::Lower
    }
}

/// The ranking column: the row's headline figure over the baseline's, round by round.
fn ratio_col(scenario: &str) -> Column {
    Column {
        title: "× baseline (min–max)",
        better: headline_better(scenario),
        value: ratio,
        cell: |r, v| ratio_text(v, r.ratio_min, r.ratio_max),
    }
}

/// `--compare`'s and `--floors`' column: the row's headline figure over its pair's, round by round.
fn pair_col(scenario: &str) -> Column {
    Column {
        title: "× pair (min–max)",
        better: headline_better(scenario),
        value: |r| r.pair_ratio,
        cell: |r, v| {
            let pair = r.pair.as_deref().unwrap_or_default();
            format!("{} × {pair}", ratio_text(v, r.pair_ratio_min, r.pair_ratio_max))
        },
    }
}

fn columns(scenario: &str) -> Vec<Column> {
    let mut columns = vec![ratio_col(scenario)];
    columns.extend(figure_columns(scenario));
    columns
}

fn figure_columns(scenario: &str) -> Vec<Column> {
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
        "sse" => vec![
            col("events/s", Better::Higher, |r| r.rps),
            col("% of 1/s each", Better::Higher, |r| r.ceiling_pct),
            col("lag p50 ms", Better::Lower, |r| r.p50_ms),
            p99_col("lag p99 ms (min–max)"),
            col("lag max ms", Better::Lower, |r| r.max_ms),
            Column {
                title: "CPU-µs/event (min–max)",
                ..cpu_col()
            },
            col("RSS KB/subscriber", Better::Lower, |r| r.rss_per_conn_kb),
            col("kernel stack KB/subscriber", Better::Lower, |r| {
                r.kernel_stack_per_conn_kb
            }),
            int_col("threads", |r| (r.threads > 0).then_some(r.threads as f64)),
            loadgen_col(),
            errors_col(),
        ],
        "upload" | "download" => vec![
            col("MB/s", Better::Higher, |r| Some(r.rps? * MB_PER_REQUEST)),
            rps_col(),
            p99_col("p99 ms (min–max)"),
            col("CPU-s/GB", Better::Lower, |r| {
                Some(r.cpu_us_per_req? * 1e-6 / MB_PER_REQUEST * 1000.0)
            }),
            col("peak RSS MB", Better::Lower, mb),
            loadgen_col(),
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
        "db" | "queries" | "fortunes" | "updates" => vec![
            rps_col(),
            col("p50 ms", Better::Lower, |r| r.p50_ms),
            p99_col("p99 ms (min–max)"),
            col("max ms", Better::Lower, |r| r.max_ms),
            cpu_col(),
            col("database CPU-µs/req", Better::Lower, |r| r.db_cpu_us_per_req),
            col("server CPU %", Better::Neither, |r| r.server_cpu_pct),
            col("peak RSS MB", Better::Lower, mb),
            loadgen_col(),
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

pub(super) fn total_per_conn(r: &Run) -> Option<f64> {
    Some(r.rss_per_conn_kb? + r.kernel_stack_per_conn_kb.unwrap_or(0.0))
}

/// The table of `runs` of `scenario`, with that scenario's columns, ranked by the ratio to the
/// baseline (best first; rows without one last).
pub(super) fn scenario_table(md: &mut String, scenario: &str, runs: &[&Run]) {
    let mut ranked = runs.to_vec();
    let key = |r: &Run| match ratio(r) {
        Some(v) if higher_is_better(scenario) => -v,
        Some(v) => v,
        None => f64::INFINITY,
    };
    ranked.sort_by(|a, b| key(a).total_cmp(&key(b)));
    let mut columns = columns(scenario);
    if runs.iter().any(|r| r.pair_ratio.is_some()) {
        columns.insert(1, pair_col(scenario));
    }
    table(md, &ranked, &columns);
}

/// The summary: a row per server, a column per scenario's headline ratio (at the largest
/// connection count, or CPU set, where a scenario has several); the baseline's own figures under it.
pub(super) fn summary_table(md: &mut String, results: &[&Run], scenarios: &[Scenario]) {
    let headline = |scenario: Scenario| -> Vec<&Run> {
        let of: Vec<&Run> = results
            .iter()
            .copied()
            .filter(|r| r.scenario == scenario.as_str())
            .collect();
        let top = of
            .iter()
            .map(|r| (r.server_cores.unwrap_or(1), r.connections))
            .max()
            .unwrap_or_default();
        of.into_iter()
            .filter(|r| (r.server_cores.unwrap_or(1), r.connections) == top)
            .collect()
    };
    let columns: Vec<(Scenario, Vec<&Run>)> = scenarios
        .iter()
        .map(|&s| (s, headline(s)))
        .filter(|(_, runs)| !runs.is_empty())
        .collect();
    let title = |scenario: Scenario, runs: &[&Run]| {
        let run = runs[0];
        let at = match scenario {
            Scenario::Idle | Scenario::Sweep => format!(" at {}", num(run.connections as f64)),
            Scenario::Cores => format!(" on {} CPUs", run.server_cores.unwrap_or(1)),
            _ => String::new(),
        };
        let arrow = if higher_is_better(scenario.as_str()) {
            "↑"
        } else {
            "↓"
        };
        format!("{}{at}: {} {arrow}", scenario.as_str(), summary_unit(scenario))
    };
    let _ = writeln!(
        md,
        "| row | {} |",
        columns
            .iter()
            .map(|(s, runs)| title(*s, runs))
            .collect::<Vec<_>>()
            .join(" | ")
    );
    let _ = writeln!(md, "|---|{}", "---|".repeat(columns.len()));
    let mut rows: Vec<&str> = Vec::new();
    for run in results {
        if !rows.contains(&run.backend.as_str()) {
            rows.push(&run.backend);
        }
    }
    for row in &rows {
        let cells: Vec<String> = columns
            .iter()
            .map(|(_, runs)| match runs.iter().find(|r| r.backend == *row) {
                Some(r) => match ratio(r) {
                    Some(v) => ratio_text(v, r.ratio_min, r.ratio_max),
                    None if r.note.is_some() => "not measured".into(),
                    None if r.requests == 0 => "none answered".into(),
                    None => "–".into(),
                },
                None => "".into(),
            })
            .collect();
        let _ = writeln!(md, "| {row} | {} |", cells.join(" | "));
    }
    let baseline: Vec<String> = columns
        .iter()
        .filter_map(|(scenario, runs)| {
            let base = runs
                .iter()
                .find(|r| r.ratio == Some(1.0) && r.baseline.as_deref() == Some(&r.backend))?;
            Some(format!(
                "{} {}",
                scenario.as_str(),
                baseline_figure(*scenario, base)?
            ))
        })
        .collect();
    if let Some(name) = columns
        .iter()
        .find_map(|(_, runs)| runs.iter().find_map(|r| r.baseline.as_deref()))
    {
        let _ = writeln!(
            md,
            "
{name}'s own figures (the 1.00 of each column): {}.",
            baseline.join("; ")
        );
    }
}

/// What a summary column's ratio is a ratio of.
fn summary_unit(scenario: Scenario) -> &'static str {
    match scenario {
        Scenario::Wait | Scenario::Soak => "req/s",
        Scenario::Mixed | Scenario::MixedOffload => "cheap p99",
        Scenario::Idle => "KB/conn",
        Scenario::Sse => "CPU/event",
        Scenario::Upload | Scenario::Download => "CPU/GB",
        _ => "CPU/req",
    }
}

/// The baseline's headline figure in the scenario's own unit.
fn baseline_figure(scenario: Scenario, r: &Run) -> Option<String> {
    Some(match scenario {
        Scenario::Wait | Scenario::Soak => format!("{}% of ceiling", num(r.ceiling_pct?)),
        Scenario::Mixed | Scenario::MixedOffload => format!("{} ms", num(r.p99_ms?)),
        Scenario::Idle => format!("{} KB/conn", num(total_per_conn(r)?)),
        Scenario::Sse => format!("{} CPU-µs/event", num(r.cpu_us_per_req?)),
        Scenario::Upload | Scenario::Download => {
            format!(
                "{} CPU-s/GB",
                num(r.cpu_us_per_req? * 1e-6 / MB_PER_REQUEST * 1000.0)
            )
        }
        _ => format!("{} CPU-µs/req", num(r.cpu_us_per_req?)),
    })
}

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

/// Each backend's CPU per request on its largest CPU set over that on one CPU.
fn spreading_cost(runs: &[&Run]) -> String {
    let ratios: Vec<String> = super::backends(runs)
        .iter()
        .filter_map(|&backend| {
            let of = |cores: Option<usize>| {
                runs.iter()
                    .find(|r| r.backend == backend && r.server_cores == cores)
                    .and_then(|r| r.cpu_us_per_req)
            };
            let most = runs
                .iter()
                .filter(|r| r.backend == backend)
                .filter_map(|r| r.server_cores)
                .max()?;
            let ratio = of(Some(most))? / of(Some(1))?;
            Some(format!("{backend} {ratio:.2}×"))
        })
        .collect();
    names_or_none(&ratios.iter().map(String::as_str).collect::<Vec<_>>())
}

pub(super) fn reading(scenario: &str, runs: &[&Run]) -> String {
    let saturated = runs.iter().filter(|r| r.loadgen_saturated).count();
    let errors: u64 = runs.iter().map(|r| r.errors + r.non_2xx).sum();
    let mut text = match scenario {
        "wait" => {
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
        "sse" => format!(
            "Each subscriber should get one event a second; lag is how much later than a second after the previous \
             one an event arrived. {} {}",
            extremes(
                runs,
                total_per_conn,
                "memory per subscriber (RSS + kernel stack)",
                "KB"
            ),
            extremes(runs, |r| r.cpu_us_per_req, "CPU per event", "µs"),
        ),
        "cores" => format!(
            "CPU-µs per request on the most server CPUs against one CPU (1.00× would be no cost to spreading): {}.",
            spreading_cost(runs)
        ),
        "upload" | "download" => format!(
            "1 MiB per request. {}",
            extremes(
                runs,
                |r| Some(r.cpu_us_per_req? * 1e-6 / MB_PER_REQUEST * 1000.0),
                "server CPU per GB",
                "s"
            ),
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

pub(super) const BACKENDS: &str = "\
| row | how a connection is served |
|---|---|
| tokio | a tokio task; handlers run inline on the worker |
| tokio-blocking-pool | a tokio task; every handler runs on tokio's blocking pool (at most 512 threads): a bounded worker pool, like WSGI's threaded workers |
| tokio-hyper | a tokio task running hyper's HTTP/1 engine (reference) |
| tokio-per-core | a task on one of N current-thread tokio runtimes, one per core, that keeps it to the end (no work stealing) |
| compio | a task on one of N compio runtimes, one per core, each with its own io_uring: completions instead of readiness |
| smol | a task on smol's executor |
| async-std | a task on async-std's runtime (deprecated upstream) |
| threads | an OS thread per connection |
| coroutine | a may stackful coroutine per connection |
| coroutine-minihttp | a may coroutine running may_minihttp's engine (reference engine) |
| ref-go | **reference server**: Go net/http (bench/reference/go), a goroutine per connection, GOMAXPROCS = the server's CPUs |
| ref-node | **reference server**: Node's http module (bench/reference/node), one event loop; /cpu-offload goes to worker_threads |
| ref-gunicorn | **reference server**: a WSGI app (bench/reference/wsgi) on gunicorn's gthread workers: (2 × CPUs) + 1 processes × 32 threads |
| axum-&lt;backend&gt; | the same routes written as an axum `Router` (bench/src/axum_app.rs), served on that backend through `server_core::tower` |
| ref-axum-serve | **reference**: that `Router` on `axum::serve` (hyper on tokio), the way axum runs today |

Every row but tokio-hyper, coroutine-minihttp and the ref- rows (and the axum- rows on them) runs server-core's engine; the handlers are the same \
code everywhere. The ref- rows serve the same routes in another language, under the same method, for comparison; \
their CPU and memory are summed over all their processes.
";

pub(super) const INTRO: &[(&str, &str)] = &[
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
    (
        "sse",
        "10,000 subscribers to GET /sse, one event a second each, held open (bench's sse-load, one thread on the \
         load CPU): the notes' 10,000 users, now listening. CPU is the server's over the measuring window, after \
         every subscription has opened, divided by the events delivered in it.",
    ),
    (
        "cores",
        "GET /plaintext on 256 connections with the server pinned to 1, then 2 (then 4, …) CPUs, each backend \
         running as many workers as it has CPUs: what spreading one server over cores costs per request. On a \
         2-core machine the second server CPU is the load generator's, shared (see method.md).",
    ),
    (
        "db",
        "TechEmpower's GET /db, one SELECT of a random World row answered as JSON, against a PostgreSQL 15 the \
         bench starts (TechEmpower's tables, pinned to the load CPU beside the load generator; see method.md). \
         Database CPU is its processes' summed. Our backends hold one pipelined connection per worker thread \
         (threads: per connection's thread) unless --db-pool is given; ref-go and ref-node a shared pool of 16 \
         (pgx, pg), ref-gunicorn a connection per worker thread (psycopg).",
    ),
    (
        "queries",
        "GET /queries?queries=20: twenty SELECTs of random rows per request, issued together (pipelined on the \
         connection, a Sync after each).",
    ),
    (
        "fortunes",
        "GET /fortunes: the 12 Fortune rows and one added at request time, sorted by message and HTML-escaped \
         through a compile-time template (sailfish; ref-go: html/template; ref-node: a replace; ref-gunicorn: \
         html.escape).",
    ),
    (
        "updates",
        "GET /updates?queries=20: twenty SELECTs, then the twenty rows' new numbers in one UPDATE.",
    ),
    (
        "upload",
        "POST /upload of 1 MiB bodies on 64 connections (oha -D): the body streamed, counted, never held.",
    ),
    (
        "download",
        "GET /download?bytes=1048576&chunk=65536 on 64 connections: 1 MiB produced 64 KiB at a time.",
    ),
];

/// Under the db tables, where a full run's pool sweep is measured.
pub(super) const POOL_SWEEP: &str = "### The pool sweep\n\n\
    Rows `tokio-pool-N` and `threads-pool-N` (512 connections above) are the same backends sharing one \
    pool of N connections (`serve --db-pool N`; a request holds a connection for its queries and waits at most \
    1 s for a free one, then 503), measured in the same rounds as the rows with one pipelined connection per \
    worker (tokio) or per client connection's thread (threads). The chart draws each backend's own row flat \
    beside its pool curve.";

/// MB (10^6 bytes) in each upload or download request.
const MB_PER_REQUEST: f64 = TRANSFER_BYTES as f64 / 1e6;
