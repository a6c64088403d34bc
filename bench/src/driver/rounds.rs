//! One scenario in interleaved rounds: every server started once, then rep r of every cell before
//! rep r+1 of any, the order varied each round, so that the host's drift falls on every row alike.
//! Each row's figure is then also taken as a ratio to the baseline row's in the same round.

use std::path::Path;

use super::procfs;
use super::scenario::{self, AtRest, Job, Run, Sample, Scenario, Settings};
use super::server::ServerProcess;
use super::tools::Tools;

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

/// A row's figure over the baseline's, round by round, where both were measured in that round.
pub fn round_ratios(figures: &[Option<f64>], baseline: &[Option<f64>]) -> Vec<f64> {
    figures
        .iter()
        .zip(baseline)
        .filter_map(|(f, b)| Some(f.as_ref()? / b.filter(|b| *b > 0.0)?))
        .filter(|r| r.is_finite())
        .collect()
}

/// What a cell collected: one sample per round (none where a rep failed), or why it stopped.
struct Cell {
    samples: Vec<Option<Sample>>,
    note: Option<String>,
    clean_exit: bool,
}

/// Measures the cells of one scenario (all of the same scenario) and returns their rows, in the
/// cells' order. `baseline` names the subject whose row in the same round every ratio is taken to.
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
    let reps = settings.reps(scenario);
    let mut cells: Vec<Cell> = jobs
        .iter()
        .map(|_| Cell {
            samples: vec![None; reps],
            note: None,
            clean_exit: true,
        })
        .collect();
    if scenario == Scenario::Idle {
        // A fresh server per rep: memory per connection is read from its base at start.
        for round in 0..reps {
            for i in round_order(jobs.len(), round) {
                let job = &jobs[i];
                let cell = &mut cells[i];
                if cell.note.is_some() {
                    continue;
                }
                let sample = ServerProcess::start(job.subject, &job.server_cpus).and_then(|server| {
                    let sample = scenario::idle(&server, job.connections);
                    cell.clean_exit &= server.stop();
                    sample
                });
                record(cell, round, sample);
                progress(job, round, cell.samples[round].as_ref());
            }
        }
    } else {
        // One server per subject and CPU set, kept for the whole scenario; started all at once,
        // since each start mostly waits (for its first answer, then for its memory to settle).
        let mut firsts: Vec<&Job<'_>> = Vec::new();
        let server_of: Vec<usize> = jobs
            .iter()
            .map(|job| {
                let same = |other: &&Job<'_>| {
                    other.subject.name == job.subject.name && other.server_cpus == job.server_cpus
                };
                firsts.iter().position(same).unwrap_or_else(|| {
                    firsts.push(job);
                    firsts.len() - 1
                })
            })
            .collect();
        let servers: Vec<Result<ServerProcess, String>> = std::thread::scope(|scope| {
            let starting: Vec<_> = firsts
                .iter()
                .map(|job| scope.spawn(|| ServerProcess::start(job.subject, &job.server_cpus)))
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
        for (i, job) in jobs.iter().enumerate() {
            match &servers[server_of[i]] {
                Err(e) => cells[i].note = Some(e.clone()),
                Ok(server) if settings.warmup_s > 0.0 => {
                    let warmup = std::time::Duration::from_secs_f64(settings.warmup_s);
                    if let Err(e) =
                        scenario::measure(job, tools, settings, server, warmup, pipeline_script, true)
                    {
                        cells[i].note = Some(format!("warm-up: {e}"));
                    }
                }
                Ok(_) => {}
            }
        }
        for round in 0..reps {
            for i in round_order(jobs.len(), round) {
                let job = &jobs[i];
                let (cell, Ok(server)) = (&mut cells[i], &servers[server_of[i]]) else {
                    continue;
                };
                if cell.note.is_some() {
                    continue;
                }
                let soak_pid = server.pid().filter(|_| scenario == Scenario::Soak);
                let before = soak_pid.map(|pid| AtRest::settled(pid, None));
                // The previous cell's server may still be ending its threads: where memory per
                // connection is reported, the kernel-stack base is read once that has stopped falling.
                let kernel_stack_base = matches!(scenario, Scenario::Wait | Scenario::Sse | Scenario::Soak)
                    .then(procfs::settled_kernel_stack_kb);
                let duration = settings.duration(scenario);
                let sample =
                    scenario::measure(job, tools, settings, server, duration, pipeline_script, false).map(
                        |mut s| {
                            s.base_kernel_stack_kb = kernel_stack_base.unwrap_or(s.base_kernel_stack_kb);
                            if let (Some(pid), Some(before)) = (soak_pid, before) {
                                s.at_rest = Some((before, AtRest::settled(pid, Some(before))));
                            }
                            s
                        },
                    );
                record(cell, round, sample);
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

    let figures: Vec<Vec<Option<f64>>> = jobs
        .iter()
        .zip(&cells)
        .map(|(job, cell)| {
            cell.samples
                .iter()
                .map(|s| s.as_ref().and_then(|s| scenario::headline(job, s)))
                .collect()
        })
        .collect();
    jobs.iter()
        .zip(cells)
        .enumerate()
        .map(|(i, (job, cell))| {
            let samples: Vec<Sample> = cell.samples.into_iter().flatten().collect();
            let mut run = match cell.note {
                Some(note) => scenario::failed(job, settings, note),
                None => scenario::aggregate(job, settings, &samples, cell.clean_exit, None),
            };
            let row_of = |name: &str| {
                jobs.iter().position(|b| {
                    b.subject.name == name
                        && b.connections == job.connections
                        && b.server_cpus == job.server_cpus
                })
            };
            if let (Some(b), None) = (row_of(baseline), &run.note) {
                let ratios = round_ratios(&figures[i], &figures[b]);
                run.baseline = Some(baseline.to_owned());
                run.ratio = scenario::median(ratios.clone());
                (run.ratio_min, run.ratio_max) = scenario::spread(&ratios);
            }
            let pair = job.subject.pair.as_deref();
            if let (Some(name), Some(p), None) = (pair, pair.and_then(row_of), &run.note) {
                let ratios = round_ratios(&figures[i], &figures[p]);
                run.pair = Some(name.to_owned());
                run.pair_ratio = scenario::median(ratios.clone());
                (run.pair_ratio_min, run.pair_ratio_max) = scenario::spread(&ratios);
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

/// The planned wall time of a scenario's cells, for the progress line's ETA: about 2 s to start
/// its servers (together), then each cell's warm-up and rounds.
pub fn planned_seconds(jobs: &[Job<'_>], settings: &Settings) -> f64 {
    let start = if jobs.first().is_some_and(|j| j.scenario != Scenario::Idle) {
        2.0
    } else {
        0.0
    };
    start
        + jobs
            .iter()
            .map(|j| settings.planned_seconds(j.scenario, j.connections))
            .sum::<f64>()
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

    #[test]
    fn ratios_are_taken_within_each_round_and_skip_rounds_either_missed() {
        // The host slows by half in round 2: the ratio holds.
        let row = [Some(2.0), Some(4.0), None, Some(3.0)];
        let base = [Some(1.0), Some(2.0), Some(1.0), None];
        assert_eq!(round_ratios(&row, &base), vec![2.0, 2.0]);
        assert_eq!(round_ratios(&[Some(1.0)], &[Some(0.0)]), Vec::<f64>::new());
        assert_eq!(round_ratios(&base, &base), vec![1.0, 1.0, 1.0]);
    }
}
