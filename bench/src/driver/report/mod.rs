//! results.json, results.md and the charts.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::kind::RowKind;
use super::row::Run;
use super::scenarios::{ALL, ScenarioRef, Tables};
use super::settings::Settings;
use super::tools::procfs;

pub mod columns;
mod figures;
pub mod plots;
pub mod reading;
pub mod rows;
mod tables;

use figures::draw_summary;
use tables::{BACKENDS, reading, scenario_table, summary_table};

/// One run's snapshot: results.json, and what results.md is written from.
#[derive(Clone, Serialize, Deserialize)]
pub struct Results {
    /// When the run started (UTC) and the commit it measured.
    #[serde(default)]
    pub date: String,
    #[serde(default)]
    pub commit: String,
    pub machine: Machine,
    pub settings: serde_json::Value,
    pub command: String,
    pub wall_seconds: f64,
    /// Every backend, reference and scenario of the default run, all of it measured by this one
    /// run: the snapshot docs/ holds. A partial run may not overwrite one unasked (`may_write`).
    #[serde(default)]
    pub complete: bool,
    /// What the run could not measure, and why (a reference whose toolchain could not be had).
    #[serde(default)]
    pub not_measured: Vec<String>,
    pub runs: Vec<Run>,
}

#[derive(Clone, Serialize, Deserialize)]
pub struct Machine {
    pub cpu: String,
    pub cores: usize,
    pub kernel: String,
    pub rustc: String,
    /// Crate versions from Cargo.lock, and the load generator's.
    pub versions: BTreeMap<String, String>,
}

/// When a run started and what it measured: read once, at its start, so that the docs edited while
/// it runs do not mark it as uncommitted.
#[derive(Clone)]
pub struct Provenance {
    pub date: String,
    pub commit: String,
}

impl Provenance {
    pub fn now() -> Provenance {
        let dirty = !output("git", &["status", "--porcelain", "--untracked-files=no"]).is_empty();
        Provenance {
            date: output("date", &["-u", "+%Y-%m-%d %H:%M UTC"]),
            commit: format!(
                "{}{}",
                output("git", &["rev-parse", "--short=12", "HEAD"]),
                if dirty { " with uncommitted changes" } else { "" }
            ),
        }
    }
}

/// A program's standard output, trimmed; empty if it could not be run.
fn output(program: &str, args: &[&str]) -> String {
    std::process::Command::new(program)
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

impl Results {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        provenance: Provenance,
        settings: Settings,
        runs: Vec<Run>,
        wall_seconds: f64,
        oha: String,
        command: String,
        complete: bool,
        not_measured: Vec<String>,
    ) -> Self {
        let (cpu, cores, kernel) = procfs::machine();
        let mut versions = locked_versions(&[
            "tokio",
            "smol",
            "async-std",
            "may",
            "may_minihttp",
            "hyper",
            "httparse",
            "compio",
            "axum",
        ]);
        versions.insert("oha".into(), oha);
        Results {
            date: provenance.date,
            commit: provenance.commit,
            machine: Machine {
                cpu,
                cores,
                kernel,
                rustc: output("rustc", &["--version"]),
                versions,
            },
            settings: serde_json::to_value(settings).unwrap_or_default(),
            command,
            wall_seconds,
            complete,
            not_measured,
            runs,
        }
    }
}

/// Whether this run may write its results into `out`: a partial run must not replace a complete
/// snapshot unless told to (`--replace-snapshot`).
pub fn may_write(out: &Path, complete: bool, replace: bool) -> Result<(), String> {
    let existing = match load(out) {
        Ok(existing) => existing,
        // Nothing there (or unreadable): nothing to lose.
        Err(_) => return Ok(()),
    };
    if existing.complete && !complete && !replace {
        return Err(format!(
            "{} holds the complete snapshot of {} ({}); this partial run would replace it. Write it \
             elsewhere (--out; the default for a partial run is target/bench-partial), or pass \
             --replace-snapshot to mean it",
            out.display(),
            existing.date,
            existing.command
        ));
    }
    Ok(())
}

/// The versions Cargo.lock pins for `names`.
fn locked_versions(names: &[&str]) -> BTreeMap<String, String> {
    let lock = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.lock"))
        .unwrap_or_default();
    lock.split("[[package]]")
        .filter_map(|package| {
            let value = |key: &str| {
                package
                    .lines()
                    .find_map(|l| l.strip_prefix(key)?.trim().strip_prefix("= "))
                    .map(|v| v.trim_matches('"'))
            };
            let name = value("name")?;
            let version = value("version")?;
            names
                .contains(&name)
                .then(|| (name.to_owned(), version.to_owned()))
        })
        .collect()
}

pub fn save(out: &Path, results: &Results) -> Result<(), String> {
    std::fs::create_dir_all(out).map_err(|e| format!("creating {}: {e}", out.display()))?;
    let json = serde_json::to_string_pretty(results).expect("results serialise");
    std::fs::write(out.join("results.json"), json + "\n").map_err(|e| format!("writing results.json: {e}"))
}

pub fn load(out: &Path) -> Result<Results, String> {
    let text = std::fs::read_to_string(out.join("results.json"))
        .map_err(|e| format!("reading results.json: {e}"))?;
    let mut results: Results = serde_json::from_str(&text).map_err(|e| format!("results.json: {e}"))?;
    for run in &mut results.runs {
        run.kind
            .get_or_insert_with(|| RowKind::of_legacy_row(&run.backend, run.reference));
    }
    Ok(results)
}

pub fn write(out: &Path, results: &Results) -> Result<(), String> {
    let img = out.join("img");
    std::fs::create_dir_all(&img).map_err(|e| format!("creating {}: {e}", img.display()))?;
    let mut md = String::new();
    let m = &results.machine;
    let _ = writeln!(md, "# Results\n");
    let baseline = results
        .runs
        .iter()
        .find_map(|r| r.baseline.as_deref())
        .unwrap_or("the baseline");
    // docs/method.md, from docs/ (the snapshot) or from a directory beside it (docs/database/).
    let method = ["method.md", "../method.md"]
        .into_iter()
        .find(|link| out.join(link).exists())
        .unwrap_or("../../docs/method.md");
    let _ = writeln!(
        md,
        "{} `{}`, started {} at commit {}, {:.0} min wall time. Every scenario runs in {} interleaved rounds: \
         round r measures every row once before round r+1 begins, in an order rotated and reversed from \
         round to round, so that the host's drift (tens of percent between hours here) falls on every row \
         alike. Each row's **× baseline** is its headline figure over {baseline}'s in the same round (median \
         of the rounds, min–max in brackets); tables are ranked by it. Absolute figures are medians of the \
         rounds with their min–max. **Bold** is the best of a column where the rounds separate it: no other \
         row's min–max reaches its own; **~** marks the rows level with the best of the ranking (their \
         min–max reaches the best's), whose order the rounds do not settle. Server pinned to CPU(s) {}, load \
         generator (oha {}, wrk) and driver to {}. Method: [method.md]({method}).\n",
        if results.complete {
            "One full run of every backend, reference and scenario:"
        } else {
            "**A partial run** (not the complete snapshot):"
        },
        results.command,
        results.date,
        results.commit,
        results.wall_seconds / 60.0,
        results.settings["reps"],
        list(&results.settings["server_cpus"]),
        m.versions.get("oha").map_or("", String::as_str),
        list(&results.settings["load_cpus"]),
    );
    let _ = writeln!(
        md,
        "Machine: {} ({} cores), Linux {}, {}. Crates: {}.\n",
        m.cpu,
        m.cores,
        m.kernel,
        m.rustc,
        m.versions
            .iter()
            .filter(|(k, _)| *k != "oha")
            .map(|(k, v)| format!("{k} {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if !results.not_measured.is_empty() {
        let _ = writeln!(md, "Not measured: {}.\n", results.not_measured.join("; "));
    }
    let all: Vec<&Run> = results.runs.iter().collect();
    let _ = writeln!(
        md,
        "## Summary\n\nEach scenario's headline figure as a ratio to {baseline}'s, taken within each round (↓: lower \
         is better, ↑: higher is better); blank where a row is not part of a scenario.\n"
    );
    summary_table(&mut md, &all);
    let _ = writeln!(md, "\n![summary](img/summary.svg)\n");
    draw_summary(&img, results)?;
    let _ = writeln!(md, "{BACKENDS}");
    for scenario in &ALL {
        if let Some(overview) = scenario.overview(&img, &results.runs)? {
            let _ = writeln!(md, "{overview}\n");
        }
    }
    for &scenario in &ALL {
        let runs = by_scenario(results, scenario.id());
        if !runs.is_empty() {
            scenario_section(&mut md, &img, scenario, &runs)?;
        }
    }
    std::fs::write(out.join("results.md"), md).map_err(|e| format!("writing results.md: {e}"))
}

/// A scenario's section: its intro, tables with their readings, chart and appendix.
fn scenario_section(md: &mut String, img: &Path, scenario: ScenarioRef, runs: &[&Run]) -> Result<(), String> {
    let id = scenario.id();
    let _ = writeln!(md, "## {id}\n\n{}\n", scenario.intro());
    match scenario.tables() {
        Tables::PerConnectionCount => {
            for n in rows::distinct(runs, |r| Some(r.connections)) {
                let at = rows::at_connections(runs, n);
                let _ = writeln!(md, "### {n} connections\n");
                scenario_table(md, scenario, &at);
                let _ = writeln!(md, "\n{}\n", reading(scenario, &at));
            }
        }
        Tables::PerServerCpuSet => {
            for n in rows::distinct(runs, |r| r.server_cores) {
                let at: Vec<&Run> = (runs.iter().copied())
                    .filter(|r| r.server_cores == Some(n))
                    .collect();
                let cpus = if n == 1 { "CPU" } else { "CPUs" };
                let _ = writeln!(md, "### server on {n} {cpus}\n");
                scenario_table(md, scenario, &at);
                let _ = writeln!(md);
            }
            let _ = writeln!(md, "{}\n", reading(scenario, runs));
        }
        Tables::One => {
            scenario_table(md, scenario, runs);
            let _ = writeln!(md, "\n{}\n", reading(scenario, runs));
        }
    }
    if runs.iter().any(|r| r.note.is_none()) {
        let chart = format!("{id}.svg");
        scenario.chart(&img.join(&chart), runs)?;
        let _ = writeln!(md, "![{id}](img/{chart})\n");
    }
    if let Some(appendix) = scenario.appendix(img, runs)? {
        let _ = writeln!(md, "{appendix}\n");
    }
    Ok(())
}

pub(super) fn by_scenario<'a>(results: &'a Results, scenario: &str) -> Vec<&'a Run> {
    results.runs.iter().filter(|r| r.scenario == scenario).collect()
}

fn list(v: &serde_json::Value) -> String {
    v.as_array().map_or(String::new(), |a| {
        a.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(",")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn results(complete: bool) -> Results {
        let settings: Settings = serde_json::from_value(serde_json::json!({
            "reps": 3, "duration_s": 5.0, "warmup_s": 1.0, "wait_duration_s": 15.0, "wait_connections": 10000,
            "wait_ms": 500, "idle_connections": [], "sweep_connections": [], "server_cpus": [0], "load_cpus": [1],
            "max_connections": 20000, "quick": false,
        }))
        .unwrap();
        let provenance = Provenance {
            date: "2026-12-06 00:00 UTC".into(),
            commit: "0".into(),
        };
        Results::new(
            provenance,
            settings,
            vec![],
            60.0,
            "1.16.0".into(),
            "bench".into(),
            complete,
            vec![],
        )
    }

    #[test]
    fn a_partial_run_cannot_overwrite_the_snapshot_unasked() {
        let out = std::env::temp_dir().join(format!("bench-snapshot-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&out);
        assert!(
            may_write(&out, false, false).is_ok(),
            "an empty directory takes anything"
        );
        save(&out, &results(true)).unwrap();
        let refused = may_write(&out, false, false).unwrap_err();
        assert!(refused.contains("--replace-snapshot"), "{refused}");
        assert!(may_write(&out, false, true).is_ok(), "asked explicitly");
        assert!(
            may_write(&out, true, false).is_ok(),
            "a complete run replaces a complete run"
        );
        save(&out, &results(false)).unwrap();
        assert!(
            may_write(&out, false, false).is_ok(),
            "a partial run replaces a partial run"
        );
        std::fs::remove_dir_all(&out).unwrap();
    }
}
