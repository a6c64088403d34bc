//! `bench recheck OLD NEW`: whether a second run reproduces a first, row by row, the way a reader
//! who re-runs the comparison would check it: is each new median inside the old run's reported
//! range, and each old median inside the new one's? Run the same selection with `--out` elsewhere,
//! then give both directories (each holds a results.json).

use std::path::PathBuf;

use super::report;
use super::row::Run;

#[derive(clap::Args)]
pub struct Args {
    /// The first run's directory (its results.json), e.g. docs/.
    old: PathBuf,
    /// The second run's directory.
    new: PathBuf,
}

/// A row's identity across runs.
fn key(r: &Run) -> (String, String, usize, Option<usize>) {
    (
        r.backend.clone(),
        r.scenario.clone(),
        r.connections,
        r.server_cores,
    )
}

/// The row's ranking figure and its reported range: the ratio to the baseline where it has one
/// (the baseline's own is 1), else its CPU per request.
fn figure(r: &Run) -> Option<(f64, f64, f64)> {
    match (r.ratio, r.ratio_min, r.ratio_max) {
        (Some(v), Some(lo), Some(hi)) if r.baseline.as_deref() != Some(&r.backend) => Some((v, lo, hi)),
        _ => Some((r.cpu_us_per_req?, r.cpu_us_min?, r.cpu_us_max?)),
    }
}

pub fn run(args: Args) -> Result<(), String> {
    let (old, new) = (report::load(&args.old)?, report::load(&args.new)?);
    let mut inside = [0usize; 2];
    let mut compared = 0;
    println!("| row | scenario | conns | old (range) | new (range) | new in old | old in new |");
    println!("|---|---|---|---|---|---|---|");
    for o in &old.runs {
        let Some(n) = new.runs.iter().find(|n| key(n) == key(o)) else {
            continue;
        };
        let (Some((ov, olo, ohi)), Some((nv, nlo, nhi))) = (figure(o), figure(n)) else {
            continue;
        };
        compared += 1;
        let checks = [(olo..=ohi).contains(&nv), (nlo..=nhi).contains(&ov)];
        for (count, held) in inside.iter_mut().zip(checks) {
            *count += usize::from(held);
        }
        let mark = |held: bool| if held { "yes" } else { "**no**" };
        println!(
            "| {} | {} | {} | {ov:.2} ({olo:.2}–{ohi:.2}) | {nv:.2} ({nlo:.2}–{nhi:.2}) | {} | {} |",
            o.backend,
            o.scenario,
            o.connections,
            mark(checks[0]),
            mark(checks[1])
        );
    }
    if compared == 0 {
        return Err("no row is in both runs".into());
    }
    let pct = |n: usize| 100.0 * n as f64 / compared as f64;
    println!(
        "\n{compared} rows in both runs: the new median inside the old range in {:.0}%, the old inside the new in {:.0}%.",
        pct(inside[0]),
        pct(inside[1])
    );
    Ok(())
}
