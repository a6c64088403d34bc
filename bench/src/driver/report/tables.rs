//! The tables of results.md: a scenario's, ranked by its ratio to the baseline, and the summary
//! of every scenario's headline ratio.

use std::fmt::Write as _;

use super::super::row::Run;
use super::super::scenarios::{ALL, ScenarioRef};
use super::columns::{Better, Column, range, ratio_text};
use super::rows;

/// A row's ratio, where it has one to rank by: a row that answered nothing has none (results
/// written before `headline` said so carry one taken from a zero count).
fn ratio(r: &Run) -> Option<f64> {
    r.ratio.filter(|_| r.requests > 0)
}

/// Which way is better for a ratio of the scenario's headline figure.
fn headline_better(scenario: ScenarioRef) -> Better {
    if scenario.headline().higher_is_better {
        Better::Higher
    } else {
        Better::Lower
    }
}

/// The ranking column: the row's headline figure over the baseline's, round by round.
fn ratio_col(scenario: ScenarioRef) -> Column {
    Column {
        title: "× baseline (min–max)",
        better: headline_better(scenario),
        value: ratio,
        cell: |r, v| ratio_text(v, r.ratio_min, r.ratio_max),
        range: Some(|r| range(r.ratio_min, r.ratio_max)),
    }
}

/// `--compare`'s and `--floors`' column: the row's headline figure over its pair's, round by round.
fn pair_col(scenario: ScenarioRef) -> Column {
    Column {
        title: "× pair (min–max)",
        better: headline_better(scenario),
        value: |r| r.pair_ratio,
        cell: |r, v| {
            let pair = r.pair.as_deref().unwrap_or_default();
            format!("{} × {pair}", ratio_text(v, r.pair_ratio_min, r.pair_ratio_max))
        },
        range: Some(|r| range(r.pair_ratio_min, r.pair_ratio_max)),
    }
}

/// The table of `runs` of `scenario`, with that scenario's columns, ranked by the ratio to the
/// baseline (best first; rows without one last).
pub(super) fn scenario_table(md: &mut String, scenario: ScenarioRef, runs: &[&Run]) {
    let mut ranked = runs.to_vec();
    let higher_is_better = scenario.headline().higher_is_better;
    let key = |r: &Run| match ratio(r) {
        Some(v) if higher_is_better => -v,
        Some(v) => v,
        None => f64::INFINITY,
    };
    ranked.sort_by(|a, b| key(a).total_cmp(&key(b)));
    let mut columns = vec![ratio_col(scenario)];
    if runs.iter().any(|r| r.pair_ratio.is_some()) {
        columns.push(pair_col(scenario));
    }
    columns.extend(scenario.columns());
    table(md, &ranked, &columns);
}

/// The sentence under a scenario's table: the scenario's reading, then where the load
/// generator was the limit and the errors.
pub(super) fn reading(scenario: ScenarioRef, runs: &[&Run]) -> String {
    let saturated = runs.iter().filter(|r| r.loadgen_saturated).count();
    let errors: u64 = runs.iter().map(|r| r.errors + r.non_2xx).sum();
    let mut text = scenario.reading(runs);
    if saturated > 0 {
        let _ = write!(
            text,
            " In {saturated} of {} rows (⚑) the load generator, not the server, was the bottleneck: their req/s is oha's \
             limit, and CPU-µs/req ranks the servers.",
            runs.len()
        );
    }
    let stolen: Vec<f64> = runs
        .iter()
        .filter_map(|r| r.steal_pct_max)
        .filter(|s| *s > STEAL_NOTED_PCT)
        .collect();
    if let Some(most) = stolen.iter().copied().reduce(f64::max) {
        let _ = write!(
            text,
            " In {} of {} rows the hypervisor took more than {STEAL_NOTED_PCT}% of the machine's CPU time in a rep \
             (steal, up to {most:.1}%): their figures are that much less certain.",
            stolen.len(),
            runs.len()
        );
    }
    let _ = write!(text, " Errors: {errors}.");
    text
}

/// Steal time worth a word: it stalls the server and the load generator (rates, latencies) and,
/// through how many requests each wake-up finds, moves CPU per request; 1% of the machine is about
/// a tenth of the spread the rounds usually show here.
const STEAL_NOTED_PCT: f64 = 1.0;

/// The row with the best value of `column`, and the rows whose round range reaches the best's
/// (the rounds do not separate them from it; the best itself among them when any other is).
fn best_and_level<'a>(runs: &[&'a Run], column: &Column) -> (Option<&'a Run>, Vec<&'a Run>) {
    let better = |a: f64, b: f64| match column.better {
        Better::Higher => a > b,
        Better::Lower => a < b,
        Better::Neither => false,
    };
    let mut best: Option<(&Run, f64)> = None;
    for &run in runs {
        if let Some(v) = (column.value)(run)
            && best.is_none_or(|(_, b)| better(v, b))
        {
            best = Some((run, v));
        }
    }
    let Some((best, _)) = best.filter(|_| column.better != Better::Neither) else {
        return (None, Vec::new());
    };
    let level = column
        .range
        .and_then(|range| {
            let (lo, hi) = range(best)?;
            let reaches = |r: &&Run| range(r).is_some_and(|(l, h)| l <= hi && h >= lo);
            let others: Vec<&Run> = runs
                .iter()
                .copied()
                .filter(|r| !std::ptr::eq(*r, best))
                .filter(reaches)
                .collect();
            Some(if others.is_empty() {
                others
            } else {
                [vec![best], others].concat()
            })
        })
        .unwrap_or_default();
    (Some(best), level)
}

fn table(md: &mut String, runs: &[&Run], columns: &[Column]) {
    let _ = writeln!(
        md,
        "| backend | {} |",
        columns.iter().map(|c| c.title).collect::<Vec<_>>().join(" | ")
    );
    let _ = writeln!(md, "|---|{}", "---|".repeat(columns.len()));
    let ranked: Vec<(Option<&Run>, Vec<&Run>)> = columns.iter().map(|c| best_and_level(runs, c)).collect();
    for run in runs {
        let cells: Vec<String> = columns
            .iter()
            .zip(&ranked)
            .enumerate()
            .map(|(i, (c, (best, level)))| match (c.value)(run) {
                // Bold: best by rounds that separate it from every other row.
                Some(v)
                    if best.is_some_and(|b| std::ptr::eq(b, *run)) && level.is_empty() && runs.len() > 1 =>
                {
                    format!("**{}**", (c.cell)(run, v))
                }
                // The ranking column: level with the best (`~`), as benchstat prints a difference
                // its test does not support.
                Some(v) if i == 0 && level.iter().any(|r| std::ptr::eq(*r, *run)) => {
                    format!("~ {}", (c.cell)(run, v))
                }
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

/// The summary: a row per server, a column per scenario's headline ratio (at the largest
/// connection count, or CPU set, where a scenario has several); the baseline's own figures under it.
pub(super) fn summary_table(md: &mut String, results: &[&Run]) {
    let of = |scenario: ScenarioRef| -> Vec<&Run> {
        let runs: Vec<&Run> = (results.iter().copied())
            .filter(|r| r.scenario == scenario.id())
            .collect();
        rows::at_top_cell(&runs)
    };
    let columns: Vec<(ScenarioRef, Vec<&Run>)> = ALL
        .iter()
        .map(|&s| (s, of(s)))
        .filter(|(_, runs)| !runs.is_empty())
        .collect();
    let title = |scenario: ScenarioRef, runs: &[&Run]| {
        let headline = scenario.headline();
        let arrow = if headline.higher_is_better { "↑" } else { "↓" };
        format!(
            "{}{}: {} {arrow}",
            scenario.id(),
            scenario.summary_at(runs[0]),
            headline.ratio_of
        )
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
    let ranked: Vec<(Option<&Run>, Vec<&Run>)> = (columns.iter())
        .map(|(scenario, runs)| best_and_level(runs, &ratio_col(*scenario)))
        .collect();
    for row in &rows {
        let cells: Vec<String> = columns
            .iter()
            .zip(&ranked)
            .map(
                |((_, runs), (best, level))| match runs.iter().find(|r| r.backend == *row) {
                    Some(r) => match ratio(r) {
                        Some(v) if level.iter().any(|l| std::ptr::eq(*l, *r)) => {
                            format!("~ {}", ratio_text(v, r.ratio_min, r.ratio_max))
                        }
                        Some(v) if best.is_some_and(|b| std::ptr::eq(b, *r)) => {
                            format!("**{}**", ratio_text(v, r.ratio_min, r.ratio_max))
                        }
                        Some(v) => ratio_text(v, r.ratio_min, r.ratio_max),
                        None if r.note.is_some() => "not measured".into(),
                        None if r.requests == 0 => "none answered".into(),
                        None => "–".into(),
                    },
                    None => "".into(),
                },
            )
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
                scenario.id(),
                (scenario.headline().baseline_figure)(base)?
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
| ref-actix | **Rust peer**: actix-web from its TechEmpower entry (bench/reference/rust-peers/actix), an actix system per CPU |
| ref-xitca-compio | **Rust peer**: xitca-web's io_uring entry (compio), a runtime per CPU |
| ref-xitca-tokio | **Rust peer**: xitca-web's tokio entry, a current-thread runtime per CPU |
| ref-ntex | **Rust peer**: ntex's entry on tokio, a runtime per CPU |
| axum-&lt;backend&gt; | the same routes written as an axum `Router` (bench/src/axum_app.rs), served on that backend through `server_core::tower` |
| ref-axum-serve | **reference**: that `Router` on `axum::serve` (hyper on tokio), the way axum runs today |

Every row but tokio-hyper, coroutine-minihttp and the ref- rows (and the axum- rows on them) runs server-core's engine; the handlers are the same \
code everywhere. The ref- rows serve the same routes in another language, under the same method, for comparison; \
their CPU and memory are summed over all their processes.
";
