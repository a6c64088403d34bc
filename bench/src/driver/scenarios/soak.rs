//! soak: the wait load held for minutes in one run: errors, memory growth and leaks over time.

use std::time::Duration;

use super::wait::{self, RATE};
use super::{Headline, Scenario, WrkUse};
use crate::driver::measure::{Context, Sample, under_load};
use crate::driver::report::columns::{Better, Column, col, errors_col, peak_rss_col, rps_col};
use crate::driver::report::reading::{extremes, names_or_none};
use crate::driver::row::Run;
use crate::driver::settings::Settings;

pub struct Soak;

impl Scenario for Soak {
    fn id(&self) -> &'static str {
        "soak"
    }

    fn help(&self) -> &'static str {
        "The wait load held for --soak-duration (10 minutes), one rep: errors, the RSS slope, and descriptors \
         and threads left after it. Not in the default run"
    }

    fn intro(&self) -> &'static str {
        "The wait scenario (10,000 connections, 500 ms waits) held for minutes in one run: errors, memory growth \
              and leaks over time. Run on its own: `--scenarios soak`."
    }

    fn in_default_run(&self) -> bool {
        false
    }

    fn connections(&self, settings: &Settings) -> Vec<usize> {
        vec![settings.wait_connections]
    }

    fn wrk(&self) -> WrkUse {
        WrkUse::Preferred
    }

    /// One long run.
    fn reps(&self, _: &Settings) -> usize {
        1
    }

    fn duration(&self, settings: &Settings) -> Duration {
        Duration::from_secs_f64(settings.soak_duration_s)
    }

    fn settles_kernel_stacks(&self) -> bool {
        true
    }

    fn watches_for_leaks(&self) -> bool {
        true
    }

    fn measure(&self, ctx: &Context<'_>) -> Result<Sample, String> {
        under_load(ctx, wait::load)
    }

    fn ceiling_rps(&self, settings: &Settings, connections: usize) -> Option<f64> {
        wait::little_ceiling(settings, connections)
    }

    fn headline(&self) -> &'static Headline {
        &RATE
    }

    fn columns(&self) -> Vec<Column> {
        vec![
            col("minutes", Better::Neither, |r| {
                Some(r.requests as f64 / r.rps? / 60.0)
            }),
            rps_col(),
            col("% of ceiling", Better::Higher, |r| r.ceiling_pct),
            col("p99 ms", Better::Lower, |r| r.p99_ms),
            col("max ms", Better::Lower, |r| r.max_ms),
            peak_rss_col(),
            col("steady RSS MB", Better::Lower, |r| {
                (r.steady_rss_kb > 0).then(|| r.steady_rss_kb as f64 / 1024.0)
            }),
            col("RSS slope KB/min", Better::Neither, |r| r.rss_slope_kb_per_min),
            Column {
                title: "descriptors at rest before → after",
                better: Better::Neither,
                value: |r| Some(r.fds_after? as f64 - r.fds_before? as f64),
                cell: |r, _| format!("{} → {}", r.fds_before.unwrap_or(0), r.fds_after.unwrap_or(0)),
                range: None,
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
                range: None,
            },
            errors_col(),
        ]
    }

    fn reading(&self, runs: &[&Run]) -> String {
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
}
