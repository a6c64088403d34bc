//! cpu: a handler burning CPU inline.

use super::Scenario;
use crate::driver::measure::{Context, Sample, under_load};
use crate::driver::settings::Settings;

pub struct Cpu;

impl Scenario for Cpu {
    fn id(&self) -> &'static str {
        "cpu"
    }

    fn help(&self) -> &'static str {
        "GET /cpu?us=1000, 64 connections: a handler burning 1 ms of CPU"
    }

    fn intro(&self) -> &'static str {
        "GET /cpu?us=1000 on 64 connections: every handler burns 1 ms of CPU inline."
    }

    fn connections(&self, _: &Settings) -> Vec<usize> {
        vec![64]
    }

    fn measure(&self, ctx: &Context<'_>) -> Result<Sample, String> {
        under_load(ctx, |ctx| Ok(ctx.oha("/cpu?us=1000")?.into()))
    }
}
