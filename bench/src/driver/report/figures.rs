//! The summary chart: every row's headline ratio in every scenario.

use std::path::Path;

use super::super::charts::{self, Bars};
use super::super::scenarios::ALL;
use super::{Results, by_scenario, rows};

/// The summary table as a chart: each row's headline ratio to the baseline in every scenario,
/// drawn as cost (right is worse), so that the rates of wait, where higher is better, are inverted.
pub(super) fn draw_summary(img: &Path, results: &Results) -> Result<(), String> {
    let mut names: Vec<String> = Vec::new();
    for run in &results.runs {
        if !names.contains(&run.backend) {
            names.push(run.backend.clone());
        }
    }
    let series: Vec<Bars> = (ALL.iter())
        .filter(|s| (results.runs.iter()).any(|r| r.scenario == s.id() && r.ratio.is_some()))
        .map(|scenario| {
            let top = rows::at_top_cell(&by_scenario(results, scenario.id()));
            let higher_is_better = scenario.headline().higher_is_better;
            Bars {
                name: scenario.id(),
                values: names
                    .iter()
                    .map(|name| {
                        let r = top.iter().find(|r| &r.backend == name)?;
                        let ratio = r.ratio.filter(|v| *v > 0.0 && r.requests > 0)?;
                        Some(if higher_is_better { 1.0 / ratio } else { ratio })
                    })
                    .collect(),
            }
        })
        .collect();
    let baseline = results
        .runs
        .iter()
        .find_map(|r| r.baseline.as_deref())
        .unwrap_or("baseline");
    let height = 120 + 22 * names.len() as u32;
    charts::file_sized(&img.join("summary.svg"), (1000, height.max(420)), 1, |areas| {
        charts::dots(
            &areas[0],
            &format!("Cost relative to {baseline}, per scenario (log scale; right of 1 is worse)"),
            &format!("× {baseline}'s figure in the same round (wait: its req/s over the row's)"),
            &names,
            &series,
        )
    })
}
