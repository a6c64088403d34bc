//! plaintext: the per-request overhead of the HTTP path itself.

use std::collections::BTreeMap;
use std::path::Path;

use super::{Scenario, json::Json};
use crate::driver::charts::{self, Bars};
use crate::driver::measure::{Context, Sample, under_load};
use crate::driver::report::plots;
use crate::driver::row::Run;
use crate::driver::settings::Settings;

pub struct Plaintext;

impl Scenario for Plaintext {
    fn id(&self) -> &'static str {
        "plaintext"
    }

    fn help(&self) -> &'static str {
        "GET /plaintext, 256 connections: the per-request overhead"
    }

    fn intro(&self) -> &'static str {
        "GET /plaintext (13 bytes) on 256 keep-alive connections: the cost of the HTTP path itself."
    }

    fn connections(&self, _: &Settings) -> Vec<usize> {
        vec![256]
    }

    fn answers_only_plaintext(&self) -> bool {
        true
    }

    fn in_quick_run(&self) -> bool {
        true
    }

    fn measures_axum(&self) -> bool {
        true
    }

    fn measure(&self, ctx: &Context<'_>) -> Result<Sample, String> {
        under_load(ctx, |ctx| Ok(ctx.oha("/plaintext")?.into()))
    }

    /// CPU per request of plaintext and json side by side: the cost of the path, and of a body
    /// serialised per request on top of it.
    fn overview(&self, img: &Path, runs: &[Run]) -> Result<Option<String>, String> {
        let of = |id: &str| -> Vec<&Run> { runs.iter().filter(|r| r.scenario == id).collect() };
        let plain = of(self.id());
        if !plain.iter().any(|r| r.note.is_none()) {
            return Ok(None);
        }
        let json: BTreeMap<&str, Option<f64>> = (of(Json.id()).iter())
            .map(|r| (r.backend.as_str(), r.cpu_us_per_req))
            .collect();
        let series = [
            plots::bars(self.id(), &plain, |r| r.cpu_us_per_req),
            Bars {
                name: Json.id(),
                values: plain
                    .iter()
                    .map(|r| json.get(r.backend.as_str()).copied().flatten())
                    .collect(),
            },
        ];
        charts::file(&img.join("cpu_per_request.svg"), 1, |areas| {
            charts::bars(
                &areas[0],
                "Server CPU per request (lower is better)",
                "CPU-µs per request",
                &plots::labels(&plain),
                &series,
            )
        })?;
        Ok(Some("![CPU per request](img/cpu_per_request.svg)".into()))
    }
}
