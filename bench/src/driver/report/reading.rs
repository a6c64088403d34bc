//! The sentences under a table: what scenarios' readings are made of.

use super::super::row::Run;
use super::columns::num;

/// Names the lowest and highest of `value` over the measured runs, with the ratio.
pub fn extremes(runs: &[&Run], value: fn(&Run) -> Option<f64>, what: &str, unit: &str) -> String {
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

pub fn names_or_none(names: &[&str]) -> String {
    if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    }
}

/// The request-rate scenarios' reading: who costs least and most, and the tail.
pub fn cost_and_tail(runs: &[&Run]) -> String {
    format!(
        "{} {}",
        extremes(runs, |r| r.cpu_us_per_req, "CPU per request", "µs"),
        extremes(runs, |r| r.p99_ms, "p99", "ms")
    )
}
