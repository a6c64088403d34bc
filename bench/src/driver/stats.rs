//! The statistics: medians and spreads over rounds, ratios taken within a round, and a cell's
//! samples folded into its row.

use super::measure::{AtRest, Sample};
use super::plan::Job;
use super::row::Run;
use super::settings::Settings;

pub fn median(mut values: Vec<f64>) -> Option<f64> {
    values.retain(|v| v.is_finite());
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied()
}

/// The least and the largest finite value.
pub fn spread(values: &[f64]) -> (Option<f64>, Option<f64>) {
    let finite = values.iter().copied().filter(|v| v.is_finite());
    (finite.clone().reduce(f64::min), finite.reduce(f64::max))
}

/// A row's figure over another's, round by round, where both were measured in that round.
pub fn round_ratios(figures: &[Option<f64>], other: &[Option<f64>]) -> Vec<f64> {
    figures
        .iter()
        .zip(other)
        .filter_map(|(f, b)| Some(f.as_ref()? / b.filter(|b| *b > 0.0)?))
        .filter(|r| r.is_finite())
        .collect()
}

/// The median of the rounds' ratios (`round_ratios`) and their min and max.
pub struct Ratio {
    pub median: Option<f64>,
    pub min: Option<f64>,
    pub max: Option<f64>,
}

impl Ratio {
    pub fn of_rounds(figures: &[Option<f64>], other: &[Option<f64>]) -> Ratio {
        let ratios = round_ratios(figures, other);
        let (min, max) = spread(&ratios);
        Ratio {
            median: median(ratios),
            min,
            max,
        }
    }
}

/// The row of a job that could not be measured, saying why.
pub fn failed(job: &Job<'_>, settings: &Settings, why: String) -> Run {
    aggregate(job, settings, &[], false, Some(why))
}

/// A cell's row: the median of its samples for each figure, with the spread of the ranking ones.
pub fn aggregate(
    job: &Job<'_>,
    settings: &Settings,
    samples: &[Sample],
    clean_exit: bool,
    note: Option<String>,
) -> Run {
    let of = |f: &dyn Fn(&Sample) -> Option<f64>| -> Vec<f64> { samples.iter().filter_map(f).collect() };
    let med = |f: &dyn Fn(&Sample) -> Option<f64>| median(of(f));
    // Rates and CPU shares mean nothing for a scenario that holds connections without load.
    let loaded = job.scenario.drives_load();
    let cpu_per_req = |s: &Sample| {
        let cpu = s.server_cpu_s.filter(|_| loaded && s.load.requests > 0)?;
        Some(cpu * 1e6 / s.total_requests() as f64)
    };
    let rps = of(&|s| loaded.then_some(s.load.rps));
    let p99 = of(&|s| s.load.p99_ms);
    let cpus = |list: &[usize]| list.len().max(1) as f64;
    let server_pct = med(&|s| {
        let cpu = s.server_cpu_s.filter(|_| loaded)?;
        Some(100.0 * cpu / s.wall_s / cpus(&job.server_cpus))
    });
    let loadgen_pct =
        med(&|s| loaded.then(|| 100.0 * s.loadgen_cpu_s / s.wall_s / cpus(&settings.load_cpus)));
    // A zero reading is a server whose memory was not read (--target).
    let per_conn = |s: &Sample, now: u64, base: u64| {
        (s.connections > 0 && now > 0).then(|| now.saturating_sub(base) as f64 / s.connections as f64)
    };
    let median_rps = median(rps.clone());
    let kind = &job.row.subject.kind;
    Run {
        backend: job.row.subject.name.clone(),
        reference: kind.is_reference(),
        kind: Some(kind.clone()),
        scenario: job.scenario.id().into(),
        connections: job.connections,
        server_cores: Some(job.server_cpus.len()),
        reps: samples.len(),
        requests: med(&|s| Some(s.load.requests as f64)).unwrap_or(0.0) as u64,
        rps: median_rps,
        rps_min: spread(&rps).0,
        rps_max: spread(&rps).1,
        p50_ms: med(&|s| s.load.p50_ms),
        p90_ms: med(&|s| s.load.p90_ms),
        p99_ms: median(p99.clone()),
        p99_min_ms: spread(&p99).0,
        p99_max_ms: spread(&p99).1,
        p999_ms: med(&|s| s.load.p999_ms),
        max_ms: of(&|s| s.load.max_ms).into_iter().reduce(f64::max),
        errors: samples
            .iter()
            .map(|s| s.load.errors + s.heavy.as_ref().map_or(0, |h| h.errors))
            .sum(),
        non_2xx: samples
            .iter()
            .map(|s| s.load.non_2xx + s.heavy.as_ref().map_or(0, |h| h.non_2xx))
            .sum(),
        cpu_us_per_req: med(&cpu_per_req),
        cpu_us_min: spread(&of(&cpu_per_req)).0,
        cpu_us_max: spread(&of(&cpu_per_req)).1,
        steal_pct_max: samples.iter().map(|s| s.steal_pct).reduce(f64::max),
        db_cpu_us_per_req: med(&|s| Some(s.db_cpu_s? * 1e6 / s.total_requests().max(1) as f64)),
        server_cpu_pct: server_pct,
        peak_rss_kb: samples.iter().map(|s| s.memory.peak_rss_kb).max().unwrap_or(0),
        steady_rss_kb: med(&|s| Some(s.memory.steady_rss_kb as f64)).unwrap_or(0.0) as u64,
        rss_per_conn_kb: med(&|s| per_conn(s, s.memory.peak_rss_kb, s.base_rss_kb)),
        kernel_stack_per_conn_kb: med(&|s| {
            per_conn(s, s.memory.peak_kernel_stack_kb, s.base_kernel_stack_kb)
        }),
        threads: samples.iter().map(|s| s.memory.peak_threads).max().unwrap_or(0),
        loadgen_cpu_pct: loadgen_pct,
        loadgen_saturated: loadgen_pct.is_some_and(|l| l >= 90.0) && server_pct.is_some_and(|s| s < 90.0),
        ceiling_pct: (job.scenario)
            .ceiling_rps(settings, job.connections)
            .map(|ceiling| 100.0 * median_rps.unwrap_or(0.0) / ceiling),
        heavy_rps: med(&|s| s.heavy.as_ref().map(|h| h.rps)),
        heavy_p99_ms: med(&|s| s.heavy.as_ref().and_then(|h| h.p99_ms)),
        rss_slope_kb_per_min: samples
            .first()
            .filter(|_| job.scenario.watches_for_leaks())
            .and_then(|s| s.memory.rss_slope_kb_per_min),
        fds_before: at_rest(samples, |(before, _)| before.fds),
        fds_after: at_rest(samples, |(_, after)| after.fds),
        threads_before: at_rest(samples, |(before, _)| before.threads),
        threads_after: at_rest(samples, |(_, after)| after.threads),
        clean_exit,
        note,
        baseline: None,
        ratio: None,
        ratio_min: None,
        ratio_max: None,
        pair: None,
        pair_ratio: None,
        pair_ratio_min: None,
        pair_ratio_max: None,
    }
}

fn at_rest(samples: &[Sample], field: fn(&(AtRest, AtRest)) -> u64) -> Option<u64> {
    samples.first()?.at_rest.as_ref().map(field)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_are_taken_within_each_round_and_skip_rounds_either_missed() {
        // The host slows by half in round 2: the ratio holds.
        let row = [Some(2.0), Some(4.0), None, Some(3.0)];
        let base = [Some(1.0), Some(2.0), Some(1.0), None];
        assert_eq!(round_ratios(&row, &base), vec![2.0, 2.0]);
        assert_eq!(round_ratios(&[Some(1.0)], &[Some(0.0)]), Vec::<f64>::new());
        assert_eq!(round_ratios(&base, &base), vec![1.0, 1.0, 1.0]);
    }
}
