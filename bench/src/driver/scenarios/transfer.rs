//! What upload and download share: 1 MiB bodies on 64 connections, costed per GB moved.

use super::Headline;
use crate::driver::measure::Sample;
use crate::driver::report::columns::{
    Better, Column, col, errors_col, loadgen_col, num, p99_col, peak_rss_col, rps_col,
};
use crate::driver::report::reading::extremes;
use crate::driver::row::Run;

/// The body of each upload and download request: 1 MiB.
pub const TRANSFER_BYTES: u64 = 1 << 20;

/// MB (10^6 bytes) in each request.
const MB_PER_REQUEST: f64 = TRANSFER_BYTES as f64 / 1e6;

pub const CONNECTIONS: usize = 64;

/// Server CPU seconds per GB moved.
pub fn cpu_s_per_gb(r: &Run) -> Option<f64> {
    Some(r.cpu_us_per_req? * 1e-6 / MB_PER_REQUEST * 1000.0)
}

/// CPU per request, which for bodies of one size is CPU per GB; the summary shows it per GB.
pub static CPU_PER_GB: Headline = Headline {
    value: Sample::cpu_us_per_request,
    unit: "CPU-µs/req",
    ratio_of: "CPU/GB",
    higher_is_better: false,
    baseline_figure: |r| Some(format!("{} CPU-s/GB", num(cpu_s_per_gb(r)?))),
};

pub fn columns() -> Vec<Column> {
    vec![
        col("MB/s", Better::Higher, |r| Some(r.rps? * MB_PER_REQUEST)),
        rps_col(),
        p99_col("p99 ms (min–max)"),
        col("CPU-s/GB", Better::Lower, cpu_s_per_gb),
        peak_rss_col(),
        loadgen_col(),
        errors_col(),
    ]
}

pub fn reading(runs: &[&Run]) -> String {
    format!(
        "1 MiB per request. {}",
        extremes(runs, cpu_s_per_gb, "server CPU per GB", "s"),
    )
}
