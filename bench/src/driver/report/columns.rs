//! A table column and the columns scenarios share: which figure, which way is better, the cell.

use super::super::charts;
use super::super::row::Run;

/// Which way is better for a column; the best value of a column is bold, where it stands apart
/// (see `Column::range`).
#[derive(Clone, Copy, PartialEq)]
pub enum Better {
    Higher,
    Lower,
    Neither,
}

pub struct Column {
    pub title: &'static str,
    pub better: Better,
    pub value: fn(&Run) -> Option<f64>,
    /// The cell text, given the value.
    pub cell: fn(&Run, f64) -> String,
    /// The figure's range over the rounds, where it has one: its best is bold only if no other
    /// row's range reaches it (then the rounds separate them), and in the ranking column the rows
    /// whose range reaches the best's are marked level with it (`~`).
    pub range: Option<Range>,
}

/// A row's range of a figure over the rounds (`min`, `max`), where it was read.
pub type Range = fn(&Run) -> Option<(f64, f64)>;

/// The range `min`–`max` of a figure, where both were read.
pub fn range(min: Option<f64>, max: Option<f64>) -> Option<(f64, f64)> {
    Some((min?, max?))
}

pub fn num(v: f64) -> String {
    charts::short(v)
}

pub fn col(title: &'static str, better: Better, value: fn(&Run) -> Option<f64>) -> Column {
    Column {
        title,
        better,
        value,
        cell: |_, v| num(v),
        range: None,
    }
}

/// A count: errors, threads, connections.
pub fn int_col(title: &'static str, value: fn(&Run) -> Option<f64>) -> Column {
    Column {
        title,
        better: Better::Neither,
        value,
        cell: |_, v| format!("{v:.0}"),
        range: None,
    }
}

/// `median (min–max)`.
pub fn with_spread(median: f64, min: Option<f64>, max: Option<f64>) -> String {
    format!(
        "{} ({}–{})",
        num(median),
        num(min.unwrap_or(median)),
        num(max.unwrap_or(median))
    )
}

/// A ratio `median (min–max)`, two decimals below 10.
pub fn ratio_text(median: f64, min: Option<f64>, max: Option<f64>) -> String {
    let f = |v: f64| if v < 10.0 { format!("{v:.2}") } else { num(v) };
    format!(
        "{} ({}–{})",
        f(median),
        f(min.unwrap_or(median)),
        f(max.unwrap_or(median))
    )
}

pub fn rps_col() -> Column {
    Column {
        title: "req/s (min–max)",
        better: Better::Higher,
        value: |r| r.rps,
        cell: |r, v| with_spread(v, r.rps_min, r.rps_max),
        range: Some(|r| range(r.rps_min, r.rps_max)),
    }
}

pub fn p99_col(title: &'static str) -> Column {
    Column {
        title,
        better: Better::Lower,
        value: |r| r.p99_ms,
        cell: |r, v| with_spread(v, r.p99_min_ms, r.p99_max_ms),
        range: Some(|r| range(r.p99_min_ms, r.p99_max_ms)),
    }
}

pub fn cpu_col() -> Column {
    Column {
        title: "CPU-µs/req (min–max)",
        better: Better::Lower,
        value: |r| r.cpu_us_per_req,
        cell: |r, v| with_spread(v, r.cpu_us_min, r.cpu_us_max),
        range: Some(|r| range(r.cpu_us_min, r.cpu_us_max)),
    }
}

pub fn errors_col() -> Column {
    int_col("errors", |r| Some((r.errors + r.non_2xx) as f64))
}

pub fn threads_col() -> Column {
    int_col("threads", |r| (r.threads > 0).then_some(r.threads as f64))
}

pub fn peak_rss_col() -> Column {
    // Zero: not read (a --target server).
    col("peak RSS MB", Better::Lower, |r| {
        (r.peak_rss_kb > 0).then(|| r.peak_rss_kb as f64 / 1024.0)
    })
}

pub fn loadgen_col() -> Column {
    Column {
        title: "load gen CPU %",
        better: Better::Neither,
        value: |r| r.loadgen_cpu_pct,
        cell: |r, v| format!("{v:.0}{}", if r.loadgen_saturated { " ⚑" } else { "" }),
        range: None,
    }
}

/// The request-rate scenarios' columns: rate, latency, CPU, memory.
pub fn rate_latency_cost() -> Vec<Column> {
    vec![
        rps_col(),
        col("p50 ms", Better::Lower, |r| r.p50_ms),
        col("p90 ms", Better::Lower, |r| r.p90_ms),
        p99_col("p99 ms (min–max)"),
        col("p99.9 ms", Better::Lower, |r| r.p999_ms),
        col("max ms", Better::Lower, |r| r.max_ms),
        cpu_col(),
        col("server CPU %", Better::Neither, |r| r.server_cpu_pct),
        peak_rss_col(),
        loadgen_col(),
        errors_col(),
    ]
}

/// Memory per connection: RSS and the kernel's thread stacks together.
pub fn memory_per_connection(r: &Run) -> Option<f64> {
    Some(r.rss_per_conn_kb? + r.kernel_stack_per_conn_kb.unwrap_or(0.0))
}
