//! What the driver prints while it measures: a line per rep with an ETA, a line per row.

use std::time::Instant;

use super::measure::Sample;
use super::plan::{self, Job, Plan};
use super::row::Run;
use super::settings::Settings;

/// How far a plan has got, against its planned wall time.
pub struct Progress {
    started: Instant,
    /// Each scenario's id, cells, reps and planned seconds.
    scenarios: Vec<(&'static str, usize, usize, f64)>,
    planned: f64,
    /// The planned seconds of the scenarios done.
    done_planned: f64,
}

impl Progress {
    pub fn new(plan: &Plan<'_>, settings: &Settings) -> Progress {
        let scenarios: Vec<_> = (plan.iter())
            .map(|(scenario, jobs)| {
                let planned = plan::planned_seconds(jobs, settings);
                (scenario.id(), jobs.len(), scenario.reps(settings), planned)
            })
            .collect();
        Progress {
            started: Instant::now(),
            planned: scenarios.iter().map(|s| s.3).sum(),
            scenarios,
            done_planned: 0.0,
        }
    }

    pub fn elapsed_s(&self) -> f64 {
        self.started.elapsed().as_secs_f64()
    }

    /// Prints a line per rep of scenario `k`: its cell, its headline figure, elapsed and ETA.
    pub fn reporter(&self, k: usize) -> impl FnMut(&Job<'_>, usize, Option<&Sample>) + '_ {
        let (id, cells, reps, scenario_planned) = self.scenarios[k];
        let mut reported = 0;
        move |job, round, sample| {
            reported += 1;
            let elapsed = self.elapsed_s();
            let done = self.done_planned + scenario_planned * reported as f64 / (cells * reps) as f64;
            let eta = (self.planned - done) * elapsed / done.max(1.0);
            let headline = job.scenario.headline();
            let figure = match sample.and_then(headline.value) {
                Some(v) => format!("{v:.2} {}", headline.unit),
                None => "failed".into(),
            };
            eprintln!(
                "[{}/{} {id} round {}/{reps}] {:<20} {:>5} conns {:>2} CPUs  {figure:<22} elapsed {}  ETA {}",
                k + 1,
                self.scenarios.len(),
                round + 1,
                job.row.subject.name,
                job.connections,
                job.server_cpus.len(),
                clock(elapsed),
                clock(eta),
            );
        }
    }

    pub fn scenario_done(&mut self, k: usize) {
        self.done_planned += self.scenarios[k].3;
    }
}

/// A row's figures in one line.
pub fn summary(run: &Run) -> String {
    if let Some(note) = &run.note {
        return format!("not measured: {note}");
    }
    let f = |v: Option<f64>, digits: usize| v.map_or("-".into(), |v| format!("{v:.digits$}"));
    let leaks = match (
        run.fds_before,
        run.fds_after,
        run.threads_before,
        run.threads_after,
    ) {
        (Some(fb), Some(fa), Some(tb), Some(ta)) => format!(
            "  RSS slope {} KB/min  fds {fb} → {fa}  threads {tb} → {ta}",
            f(run.rss_slope_kb_per_min, 1)
        ),
        _ => String::new(),
    };
    format!(
        "{} req/s  p99 {} ms  {} CPU-µs/req  peak RSS {} MB  {} KB/conn  errors {}{leaks}{}",
        f(run.rps, 0),
        f(run.p99_ms, 2),
        f(run.cpu_us_per_req, 2),
        f(
            (run.peak_rss_kb > 0).then_some(run.peak_rss_kb as f64 / 1024.0),
            0
        ),
        f(run.rss_per_conn_kb, 1),
        run.errors + run.non_2xx,
        if run.loadgen_saturated {
            "  (load generator saturated)"
        } else {
            ""
        },
    )
}

pub fn clock(seconds: f64) -> String {
    let s = seconds.max(0.0).round() as u64;
    format!("{}m{:02}s", s / 60, s % 60)
}
