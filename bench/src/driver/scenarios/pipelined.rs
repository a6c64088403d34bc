//! pipelined: /plaintext 16 requests per round trip, with wrk (oha does not pipeline).

use super::{Scenario, WrkUse};
use crate::driver::measure::{Context, Sample, under_load};
use crate::driver::settings::Settings;
use crate::driver::tools::wrk;

pub struct Pipelined;

impl Scenario for Pipelined {
    fn id(&self) -> &'static str {
        "pipelined"
    }

    fn help(&self) -> &'static str {
        "/plaintext pipelined 16 deep over 64 connections (wrk)"
    }

    fn intro(&self) -> &'static str {
        "GET /plaintext pipelined 16 deep over 64 connections (wrk with bench/pipeline.lua)."
    }

    fn connections(&self, _: &Settings) -> Vec<usize> {
        vec![64]
    }

    fn wrk(&self) -> WrkUse {
        WrkUse::Required
    }

    fn answers_only_plaintext(&self) -> bool {
        true
    }

    fn measure(&self, ctx: &Context<'_>) -> Result<Sample, String> {
        under_load(ctx, |ctx| {
            let wrk = ctx
                .tools
                .wrk
                .as_ref()
                .expect("the plan keeps it to runs with wrk");
            let child = wrk::spawn(
                wrk,
                Some(ctx.pipeline_script),
                &ctx.url("/plaintext"),
                ctx.connections(),
                ctx.duration,
                ctx.load_cpus(),
            )?;
            Ok(wrk::finish(child)?.into())
        })
    }
}
