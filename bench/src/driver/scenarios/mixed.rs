//! mixed: a few CPU-heavy requests among many cheap ones, at fixed rates: the cheap ones' tail.
//! mixed-offload (mixed_offload.rs) is the same load with the heavy work offloaded.

use std::path::Path;

use super::{Headline, Scenario};
use crate::driver::charts;
use crate::driver::measure::{Context, Loaded, Sample, under_load};
use crate::driver::report::columns::{Better, Column, col, errors_col, num, p99_col, threads_col};
use crate::driver::report::plots::{bars, labels};
use crate::driver::report::reading::extremes;
use crate::driver::row::Run;
use crate::driver::settings::Settings;
use crate::driver::tools::oha;

/// A mix: cheap /plaintext at 2,000 req/s on 8 connections beside heavy requests at 50 req/s
/// on 16.
pub struct Mixed {
    pub id: &'static str,
    pub help: &'static str,
    pub intro: &'static str,
    pub heavy_path: &'static str,
    /// How the heavy work runs, for the reading.
    pub heavy_runs: &'static str,
}

pub static MIXED: Mixed = Mixed {
    id: "mixed",
    help: "/plaintext at 2,000 req/s beside /cpu?us=10000 at 50 req/s: the cheap requests' tail",
    intro: "Cheap /plaintext at 2,000 req/s (8 connections, latency-corrected) beside /cpu?us=10000 at 50 req/s \
               (16 connections), heavy work inline.",
    heavy_path: "/cpu?us=10000",
    heavy_runs: "run inline in the handler",
};

/// The cheap requests' p99: whether the heavy ones hold them up.
static CHEAP_P99: Headline = Headline {
    value: |s| s.load.p99_ms,
    unit: "ms cheap p99",
    ratio_of: "cheap p99",
    higher_is_better: false,
    baseline_figure: |r| Some(format!("{} ms", num(r.p99_ms?))),
};

impl Scenario for Mixed {
    fn id(&self) -> &'static str {
        self.id
    }

    fn help(&self) -> &'static str {
        self.help
    }

    fn intro(&self) -> &'static str {
        self.intro
    }

    /// The cheap load's connections and the heavy load's.
    fn connections(&self, _: &Settings) -> Vec<usize> {
        vec![8 + 16]
    }

    fn measure(&self, ctx: &Context<'_>) -> Result<Sample, String> {
        under_load(ctx, |ctx| {
            let heavy = ctx.spawn_oha(self.heavy_path, 16, Some(50))?;
            let cheap = ctx.spawn_oha("/plaintext", 8, Some(2000))?;
            Ok(Loaded {
                load: oha::finish(cheap)?,
                heavy: Some(oha::finish(heavy)?),
                server_cpu_s: None,
            })
        })
    }

    fn headline(&self) -> &'static Headline {
        &CHEAP_P99
    }

    fn columns(&self) -> Vec<Column> {
        vec![
            col("cheap req/s", Better::Higher, |r| r.rps),
            col("cheap p50 ms", Better::Lower, |r| r.p50_ms),
            p99_col("cheap p99 ms (min–max)"),
            col("cheap p99.9 ms", Better::Lower, |r| r.p999_ms),
            col("heavy req/s", Better::Higher, |r| r.heavy_rps),
            col("heavy p99 ms", Better::Lower, |r| r.heavy_p99_ms),
            threads_col(),
            errors_col(),
        ]
    }

    fn reading(&self, runs: &[&Run]) -> String {
        format!(
            "Cheap requests arrive at a fixed 2,000 req/s while 10 ms CPU jobs arrive at 50 req/s (half the server's \
             core, {}). {}",
            self.heavy_runs,
            extremes(runs, |r| r.p99_ms, "cheap-request p99", "ms"),
        )
    }

    fn chart(&self, path: &Path, runs: &[&Run]) -> Result<(), String> {
        charts::file(path, 2, |areas| {
            let p99 = [bars("p99", runs, |r| r.p99_ms)];
            charts::bars(&areas[0], "Cheap requests' p99", "ms", &labels(runs), &p99)?;
            let heavy = [bars("heavy p99", runs, |r| r.heavy_p99_ms)];
            charts::bars(&areas[1], "Heavy requests' p99", "ms", &labels(runs), &heavy)
        })
    }
}
