//! upload: 1 MiB request bodies, streamed and counted by the handler, never held.

use super::transfer::{self, CPU_PER_GB, TRANSFER_BYTES};
use super::{Headline, Scenario};
use crate::driver::measure::{Context, Sample, under_load};
use crate::driver::report::columns::Column;
use crate::driver::row::Run;
use crate::driver::settings::Settings;
use crate::driver::tools::oha::{self, Oha};

pub struct Upload;

impl Scenario for Upload {
    fn id(&self) -> &'static str {
        "upload"
    }

    fn help(&self) -> &'static str {
        "POST /upload of 1 MiB bodies on 64 connections: MB/s and CPU per GB"
    }

    fn intro(&self) -> &'static str {
        "POST /upload of 1 MiB bodies on 64 connections (oha -D): the body streamed, counted, never held."
    }

    fn connections(&self, _: &Settings) -> Vec<usize> {
        vec![transfer::CONNECTIONS]
    }

    fn measure(&self, ctx: &Context<'_>) -> Result<Sample, String> {
        under_load(ctx, |ctx| {
            let body = upload_body()?;
            let url = ctx.url("/upload");
            let post = Oha {
                post_body: Some(&body),
                ..Oha::get(&url, ctx.connections(), ctx.duration)
            };
            Ok(oha::finish(post.spawn(&ctx.tools.oha, ctx.load_cpus())?)?.into())
        })
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

/// A file of `TRANSFER_BYTES` for oha to post, written once.
fn upload_body() -> Result<std::path::PathBuf, String> {
    let path = std::env::temp_dir().join("bench-upload-1mib.bin");
    if std::fs::metadata(&path).is_ok_and(|m| m.len() == TRANSFER_BYTES) {
        return Ok(path);
    }
    std::fs::write(&path, vec![b'u'; TRANSFER_BYTES as usize])
        .map_err(|e| format!("writing {}: {e}", path.display()))?;
    Ok(path)
}
