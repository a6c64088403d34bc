//! The bench's `--quick` path end to end: on a fresh machine installs oha; drives every backend;
//! writes the results docs. Needs CPUs 0 and 1. It serves with the test build of `serve` (the
//! figures do not matter here, only that every backend answers), which spares CI a release build.

mod common;

use std::process::Command;

#[test]
fn quick_run_measures_every_backend_without_errors() {
    let runnable = common::runnable();
    let out = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("bench-quick");
    let _ = std::fs::remove_dir_all(&out);
    let status = Command::new(env!("CARGO_BIN_EXE_bench"))
        .arg("--quick")
        .arg("--serve")
        .arg(env!("CARGO_BIN_EXE_serve"))
        .arg("--out")
        .arg(&out)
        .status()
        .expect("bench runs");
    assert!(status.success(), "bench --quick failed: {status}");

    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap()).unwrap();
    let runs = results["runs"].as_array().unwrap();
    for scenario in ["plaintext", "json"] {
        for &backend in &runnable {
            let run = runs
                .iter()
                .find(|r| r["scenario"] == scenario && r["backend"] == backend.as_str())
                .unwrap_or_else(|| panic!("{} missing from {scenario}", backend.as_str()));
            assert!(run["note"].is_null(), "{run}");
            assert!(run["requests"].as_u64().unwrap() > 1000, "{run}");
            assert_eq!(
                (run["errors"].as_u64(), run["non_2xx"].as_u64()),
                (Some(0), Some(0)),
                "{run}"
            );
            assert!(run["cpu_us_per_req"].as_f64().unwrap() > 0.0, "{run}");
            assert_eq!(run["clean_exit"], true, "{run}");
        }
    }
    let report = std::fs::read_to_string(out.join("results.md")).unwrap();
    for backend in &runnable {
        assert!(
            report.contains(&format!("| {} |", backend.as_str())),
            "{} not in results.md",
            backend.as_str()
        );
    }
    for chart in ["cpu_per_request.svg", "plaintext.svg", "json.svg"] {
        let svg = std::fs::read_to_string(out.join("img").join(chart)).unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("<rect"), "{chart}");
    }
}
