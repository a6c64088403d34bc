//! json: a body serialised per request.

use super::Scenario;
use crate::driver::measure::{Context, Sample, under_load};
use crate::driver::settings::Settings;

pub struct Json;

impl Scenario for Json {
    fn id(&self) -> &'static str {
        "json"
    }

    fn help(&self) -> &'static str {
        "GET /json, 256 connections"
    }

    fn intro(&self) -> &'static str {
        "GET /json (serde_json) on 256 connections."
    }

    fn connections(&self, _: &Settings) -> Vec<usize> {
        vec![256]
    }

    fn in_quick_run(&self) -> bool {
        true
    }

    fn measures_axum(&self) -> bool {
        true
    }

    fn measure(&self, ctx: &Context<'_>) -> Result<Sample, String> {
        under_load(ctx, |ctx| Ok(ctx.oha("/json")?.into()))
    }
}
