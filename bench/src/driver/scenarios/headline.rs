//! A scenario's headline figure: what rows are ranked by and every ratio is a ratio of.

use crate::driver::measure::Sample;
use crate::driver::report::columns::num;
use crate::driver::row::Run;

pub struct Headline {
    /// The figure of one rep; `None` where it was not read (a `--target` server's CPU).
    pub value: fn(&Sample) -> Option<f64>,
    /// Its unit on the progress line.
    pub unit: &'static str,
    /// What the summary's ratio is a ratio of.
    pub ratio_of: &'static str,
    pub higher_is_better: bool,
    /// The baseline row's own figure in the scenario's unit, under the summary.
    pub baseline_figure: fn(&Run) -> Option<String>,
}

/// Server CPU per request: what ranks servers wherever the request rate is the load
/// generator's limit rather than theirs.
pub static CPU_PER_REQUEST: Headline = Headline {
    value: Sample::cpu_us_per_request,
    unit: "CPU-µs/req",
    ratio_of: "CPU/req",
    higher_is_better: false,
    baseline_figure: |r| Some(format!("{} CPU-µs/req", num(r.cpu_us_per_req?))),
};
