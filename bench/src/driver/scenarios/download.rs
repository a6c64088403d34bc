//! download: 1 MiB response bodies produced 64 KiB at a time.

use super::transfer::{self, CPU_PER_GB, TRANSFER_BYTES};
use super::{Headline, Scenario};
use crate::driver::measure::{Context, Sample, under_load};
use crate::driver::report::columns::Column;
use crate::driver::row::Run;
use crate::driver::settings::Settings;

pub struct Download;

impl Scenario for Download {
    fn id(&self) -> &'static str {
        "download"
    }

    fn help(&self) -> &'static str {
        "GET /download of 1 MiB bodies (64 KiB chunks) on 64 connections: MB/s and CPU per GB"
    }

    fn intro(&self) -> &'static str {
        "GET /download?bytes=1048576&chunk=65536 on 64 connections: 1 MiB produced 64 KiB at a time."
    }

    fn connections(&self, _: &Settings) -> Vec<usize> {
        vec![transfer::CONNECTIONS]
    }

    fn measure(&self, ctx: &Context<'_>) -> Result<Sample, String> {
        let path = format!("/download?bytes={TRANSFER_BYTES}&chunk=65536");
        under_load(ctx, |ctx| Ok(ctx.oha(&path)?.into()))
    }

    fn headline(&self) -> &'static Headline {
        &CPU_PER_GB
    }

    fn columns(&self) -> Vec<Column> {
        transfer::columns()
    }

    fn reading(&self, runs: &[&Run]) -> String {
        transfer::reading(runs)
    }
}
