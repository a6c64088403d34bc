//! cores: /plaintext with the server on 1, 2, 4, … CPUs: what spreading over cores costs.

use std::path::Path;

use super::{Scenario, Tables};
use crate::driver::charts::{self, Bars};
use crate::driver::measure::{Context, Sample, under_load};
use crate::driver::report::reading::names_or_none;
use crate::driver::report::rows;
use crate::driver::row::Run;
use crate::driver::settings::Settings;

pub struct Cores;

impl Scenario for Cores {
    fn id(&self) -> &'static str {
        "cores"
    }

    fn help(&self) -> &'static str {
        "/plaintext on 256 connections with the server on 1, 2, 4, … CPUs (and as many workers): what spreading \
         over cores costs per request. With one server CPU (the default) the sweep borrows the load CPUs, shared \
         with the load generator"
    }

    fn intro(&self) -> &'static str {
        "GET /plaintext on 256 connections with the server pinned to 1, then 2 (then 4, …) CPUs, each backend \
         running as many workers as it has CPUs: what spreading one server over cores costs per request. On a \
         2-core machine the second server CPU is the load generator's, shared (see method.md)."
    }

    fn connections(&self, _: &Settings) -> Vec<usize> {
        vec![256]
    }

    /// The first 1, 2, 4, … of the server CPUs, all of them last; with one server CPU, borrowing
    /// the load CPUs.
    fn server_cpu_sets(&self, settings: &Settings) -> Vec<Vec<usize>> {
        let mut all = settings.server_cpus.clone();
        if all.len() == 1 {
            all.extend(
                settings
                    .load_cpus
                    .iter()
                    .filter(|cpu| !all.contains(cpu))
                    .collect::<Vec<_>>(),
            );
        }
        let mut sets: Vec<Vec<usize>> = std::iter::successors(Some(1), |k| Some(k * 2))
            .take_while(|&k| k < all.len())
            .map(|k| all[..k].to_vec())
            .collect();
        sets.push(all);
        sets
    }

    fn answers_only_plaintext(&self) -> bool {
        true
    }

    fn measure(&self, ctx: &Context<'_>) -> Result<Sample, String> {
        under_load(ctx, |ctx| Ok(ctx.oha("/plaintext")?.into()))
    }

    fn reading(&self, runs: &[&Run]) -> String {
        format!(
            "CPU-µs per request on the most server CPUs against one CPU (1.00× would be no cost to spreading): {}.",
            spreading_cost(runs)
        )
    }

    fn tables(&self) -> Tables {
        Tables::PerServerCpuSet
    }

    fn summary_at(&self, run: &Run) -> String {
        format!(" on {} CPUs", run.server_cores.unwrap_or(1))
    }

    /// CPU per request per row, a bar per CPU set.
    fn chart(&self, path: &Path, runs: &[&Run]) -> Result<(), String> {
        let names = rows::names(runs);
        let counts = rows::distinct(runs, |r| r.server_cores);
        let series_names: Vec<String> = counts.iter().map(|n| format!("{n} server CPU(s)")).collect();
        let series: Vec<Bars> = counts
            .iter()
            .zip(&series_names)
            .map(|(&n, name)| Bars {
                name,
                values: names
                    .iter()
                    .map(|b| {
                        runs.iter()
                            .find(|r| r.backend == *b && r.server_cores == Some(n))
                            .and_then(|r| r.cpu_us_per_req)
                    })
                    .collect(),
            })
            .collect();
        let labels: Vec<String> = names.iter().map(|b| b.to_string()).collect();
        charts::file(path, 1, |areas| {
            charts::bars(
                &areas[0],
                "CPU per plaintext request by server CPUs",
                "CPU-µs/req",
                &labels,
                &series,
            )
        })
    }
}

/// Each row's CPU per request on its largest CPU set over that on one CPU.
fn spreading_cost(runs: &[&Run]) -> String {
    let ratios: Vec<String> = rows::names(runs)
        .iter()
        .filter_map(|&backend| {
            let of = |cores: Option<usize>| {
                runs.iter()
                    .find(|r| r.backend == backend && r.server_cores == cores)
                    .and_then(|r| r.cpu_us_per_req)
            };
            let most = runs
                .iter()
                .filter(|r| r.backend == backend)
                .filter_map(|r| r.server_cores)
                .max()?;
            let ratio = of(Some(most))? / of(Some(1))?;
            Some(format!("{backend} {ratio:.2}×"))
        })
        .collect();
    names_or_none(&ratios.iter().map(String::as_str).collect::<Vec<_>>())
}
