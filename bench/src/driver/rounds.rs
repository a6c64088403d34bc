//! One scenario in interleaved rounds: every server started once, then rep r of every cell before
//! rep r+1 of any, the order varied each round, so that the host's drift falls on every row alike.
//! Each row's figure is then also taken as a ratio to the baseline row's in the same round.

use std::path::Path;
use std::time::Duration;

use super::measure::{AtRest, Context, Sample};
use super::plan::Job;
use super::row::Run;
use super::server::ServerProcess;
use super::settings::Settings;
use super::stats::{self, Ratio};
use super::tools::Tools;
use super::tools::procfs;

/// The order the cells of a scenario are measured in, in `round`: each cell once, rotated and
/// reversed in odd rounds, so that no cell always goes first or always follows the same one. (The
/// rotation is rounded up to even: with two cells, rotating and reversing by one would cancel.)
pub fn round_order(cells: usize, round: usize) -> Vec<usize> {
    let shift = round + round % 2;
    let mut order: Vec<usize> = (0..cells).map(|i| (i + shift) % cells).collect();
    if round % 2 == 1 {
        order.reverse();
    }
    order
}

/// What a cell collected: one sample per round (none where a rep failed), or why it stopped.
struct Cell {
    samples: Vec<Option<Sample>>,
    note: Option<String>,
    clean_exit: bool,
}

/// Measures the cells of one scenario (all of the same scenario) and returns their rows, in the
/// cells' order. `baseline` names the row whose figure in the same round every ratio is taken to.
pub fn run_scenario(
    jobs: &[Job<'_>],
    tools: &Tools,
    settings: &Settings,
    pipeline_script: &Path,
    baseline: &str,
    progress: &mut dyn FnMut(&Job<'_>, usize, Option<&Sample>),
) -> Vec<Run> {
    let Some(scenario) = jobs.first().map(|j| j.scenario) else {
        return Vec::new();
    };
    let measurer = Measurer {
        tools,
        settings,
        pipeline_script,
    };
    let reps = scenario.reps(settings);
    let mut cells: Vec<Cell> = jobs
        .iter()
        .map(|_| Cell {
            samples: vec![None; reps],
            note: None,
            clean_exit: true,
        })
        .collect();
    if scenario.fresh_server_per_round() {
        measurer.rounds_on_fresh_servers(jobs, &mut cells, progress);
    } else {
        measurer.rounds_on_kept_servers(jobs, &mut cells, progress);
    }
    rows(jobs, cells, settings, baseline)
}

/// What measuring a cell needs besides the cell.
struct Measurer<'a> {
    tools: &'a Tools,
    settings: &'a Settings,
    pipeline_script: &'a Path,
}

impl Measurer<'_> {
    fn context<'a>(
        &'a self,
        job: &Job<'_>,
        server: &'a ServerProcess,
        duration: Duration,
        warmup: bool,
    ) -> Context<'a> {
        Context {
            server,
            tools: self.tools,
            settings: self.settings,
            cell_connections: job.connections,
            duration,
            pipeline_script: self.pipeline_script,
            warmup,
        }
    }

    /// A fresh server per rep, started and stopped around it.
    fn rounds_on_fresh_servers(
        &self,
        jobs: &[Job<'_>],
        cells: &mut [Cell],
        progress: &mut dyn FnMut(&Job<'_>, usize, Option<&Sample>),
    ) {
        for round in 0..cells[0].samples.len() {
            for i in round_order(jobs.len(), round) {
                let job = &jobs[i];
                let cell = &mut cells[i];
                if cell.note.is_some() {
                    continue;
                }
                let duration = job.scenario.duration(self.settings);
                let sample = ServerProcess::start(&job.row.subject, &job.server_cpus).and_then(|server| {
                    let sample = job.scenario.measure(&self.context(job, &server, duration, false));
                    cell.clean_exit &= server.stop();
                    sample
                });
                record(cell, round, sample);
                progress(job, round, cell.samples[round].as_ref());
            }
        }
    }

    /// One server per row and CPU set, kept for the whole scenario; started all at once, since
    /// each start mostly waits (for its first answer, then for its memory to settle).
    fn rounds_on_kept_servers(
        &self,
        jobs: &[Job<'_>],
        cells: &mut [Cell],
        progress: &mut dyn FnMut(&Job<'_>, usize, Option<&Sample>),
    ) {
        let (servers, server_of) = start_servers(jobs);
        for (i, job) in jobs.iter().enumerate() {
            match &servers[server_of[i]] {
                Err(e) => cells[i].note = Some(e.clone()),
                Ok(server) if self.settings.warmup_s > 0.0 => {
                    let warmup = Duration::from_secs_f64(self.settings.warmup_s);
                    if let Err(e) = job.scenario.measure(&self.context(job, server, warmup, true)) {
                        cells[i].note = Some(format!("warm-up: {e}"));
                    }
                }
                Ok(_) => {}
            }
        }
        for round in 0..cells[0].samples.len() {
            for i in round_order(jobs.len(), round) {
                let job = &jobs[i];
                let (cell, Ok(server)) = (&mut cells[i], &servers[server_of[i]]) else {
                    continue;
                };
                if cell.note.is_some() {
                    continue;
                }
                record(cell, round, self.measure_rep(job, server));
                progress(job, round, cell.samples[round].as_ref());
            }
        }
        let exits: Vec<bool> = servers
            .into_iter()
            .map(|server| server.is_ok_and(ServerProcess::stop))
            .collect();
        for (cell, &s) in cells.iter_mut().zip(&server_of) {
            cell.clean_exit &= exits[s];
        }
    }

    /// One measured rep on a kept server, with the readings around it the scenario asks for.
    fn measure_rep(&self, job: &Job<'_>, server: &ServerProcess) -> Result<Sample, String> {
        let scenario = job.scenario;
        let leak_pid = server.pid().filter(|_| scenario.watches_for_leaks());
        let before = leak_pid.map(|pid| AtRest::settled(pid, None));
        // The previous cell's server may still be ending its threads.
        let kernel_stack_base = scenario
            .settles_kernel_stacks()
            .then(procfs::settled_kernel_stack_kb);
        let duration = scenario.duration(self.settings);
        let mut sample = scenario.measure(&self.context(job, server, duration, false))?;
        sample.base_kernel_stack_kb = kernel_stack_base.unwrap_or(sample.base_kernel_stack_kb);
        if let (Some(pid), Some(before)) = (leak_pid, before) {
            sample.at_rest = Some((before, AtRest::settled(pid, Some(before))));
        }
        Ok(sample)
    }
}

/// Starts one server per row and CPU set, together; returns them and each job's server.
fn start_servers(jobs: &[Job<'_>]) -> (Vec<Result<ServerProcess, String>>, Vec<usize>) {
    let mut firsts: Vec<&Job<'_>> = Vec::new();
    let server_of: Vec<usize> = jobs
        .iter()
        .map(|job| {
            let same = |other: &&Job<'_>| {
                other.row.subject.name == job.row.subject.name && other.server_cpus == job.server_cpus
            };
            firsts.iter().position(same).unwrap_or_else(|| {
                firsts.push(job);
                firsts.len() - 1
            })
        })
        .collect();
    let servers = std::thread::scope(|scope| {
        let starting: Vec<_> = firsts
            .iter()
            .map(|job| scope.spawn(|| ServerProcess::start(&job.row.subject, &job.server_cpus)))
            .collect();
        starting
            .into_iter()
            .map(|start| {
                start
                    .join()
                    .unwrap_or_else(|_| Err("starting it panicked".into()))
            })
            .collect()
    });
    (servers, server_of)
}

/// The cells' rows, each with its ratio to the baseline's and to its pair's, round by round.
fn rows(jobs: &[Job<'_>], cells: Vec<Cell>, settings: &Settings, baseline: &str) -> Vec<Run> {
    let figures: Vec<Vec<Option<f64>>> = jobs
        .iter()
        .zip(&cells)
        .map(|(job, cell)| {
            let headline = job.scenario.headline().value;
            cell.samples
                .iter()
                .map(|s| s.as_ref().and_then(headline))
                .collect()
        })
        .collect();
    jobs.iter()
        .zip(cells)
        .enumerate()
        .map(|(i, (job, cell))| {
            let samples: Vec<Sample> = cell.samples.into_iter().flatten().collect();
            let mut run = match cell.note {
                Some(note) => stats::failed(job, settings, note),
                None => stats::aggregate(job, settings, &samples, cell.clean_exit, None),
            };
            let row_of = |name: &str| {
                jobs.iter().position(|b| {
                    b.row.subject.name == name
                        && b.connections == job.connections
                        && b.server_cpus == job.server_cpus
                })
            };
            if let (Some(b), None) = (row_of(baseline), &run.note) {
                let ratio = Ratio::of_rounds(&figures[i], &figures[b]);
                run.baseline = Some(baseline.to_owned());
                (run.ratio, run.ratio_min, run.ratio_max) = (ratio.median, ratio.min, ratio.max);
            }
            let pair = job.row.pair.as_deref();
            if let (Some(name), Some(p), None) = (pair, pair.and_then(row_of), &run.note) {
                let ratio = Ratio::of_rounds(&figures[i], &figures[p]);
                run.pair = Some(name.to_owned());
                (run.pair_ratio, run.pair_ratio_min, run.pair_ratio_max) =
                    (ratio.median, ratio.min, ratio.max);
            }
            run
        })
        .collect()
}

/// Keeps a rep's sample; a failed rep ends the cell with a note (its row is reported unmeasured).
fn record(cell: &mut Cell, round: usize, sample: Result<Sample, String>) {
    match sample {
        Ok(sample) => cell.samples[round] = Some(sample),
        Err(e) => cell.note = Some(format!("round {}: {e}", round + 1)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cell_runs_once_per_round_in_an_order_that_varies() {
        for cells in 1..8 {
            let orders: Vec<Vec<usize>> = (0..3).map(|round| round_order(cells, round)).collect();
            for order in &orders {
                let mut sorted = order.clone();
                sorted.sort_unstable();
                assert_eq!(sorted, (0..cells).collect::<Vec<_>>(), "{orders:?}");
            }
            if cells > 1 {
                assert!(orders.windows(2).all(|w| w[0] != w[1]), "{orders:?}");
                // No cell keeps its place in every round: drift over a round falls on each cell differently.
                for cell in 0..cells {
                    let places: Vec<usize> = orders
                        .iter()
                        .map(|o| o.iter().position(|&c| c == cell).unwrap())
                        .collect();
                    assert!(
                        places.iter().any(|&p| p != places[0]),
                        "cell {cell} at {places:?} of {orders:?}"
                    );
                }
            }
        }
    }
}
