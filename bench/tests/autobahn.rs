//! The Autobahn|Testsuite's fuzzing-client cases 1 to 7 and 10 (framing, pings and pongs, reserved
//! bits, opcodes, fragmentation, UTF-8, the close handshake, auto-fragmentation) against
//! `GET /ws/echo` on every backend, run by `kosoku` (Autobahn's own case files, a runner of its
//! own; installed from PyPI into a venv under target/, as the bench installs gunicorn). Every case
//! must be OK, NON-STRICT or INFORMATIONAL, as tungstenite's expected results allow; the reference
//! engines (hyper through this adapter, may_minihttp) hand no connection over and are left out.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Command;

use bench::BackendName;
use bench::driver::python_venv;
use server_core::Config;

mod common;

/// The cases run: 9 (performance) and 12–13 (permessage-deflate, not implemented) are not.
const CASES: [&str; 8] = ["1.*", "2.*", "3.*", "4.*", "5.*", "6.*", "7.*", "10.*"];

fn kosoku() -> PathBuf {
    let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let requirements = workspace.join("bench/tests/autobahn/requirements.txt");
    let venv = workspace.join("target/autobahn/venv");
    python_venv(&requirements, &venv, "for the Autobahn cases").expect("kosoku's venv");
    venv.join("bin/kosoku")
}

/// Runs the cases against `addr`; the cases whose verdicts are not allowed, as `id: verdicts`.
fn failures(kosoku: &PathBuf, addr: SocketAddr, name: &str) -> Vec<String> {
    let out = std::env::temp_dir().join(format!("autobahn-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let mut command = Command::new(kosoku);
    command.args(["-m", "fuzzingclient", "-p", "2", "-o"]).arg(&out);
    for case in CASES {
        command.args(["-i", case]);
    }
    let status = command
        .arg(format!("{addr}/ws/echo"))
        .status()
        .expect("kosoku runs");
    assert!(status.success(), "{name}: kosoku {status}");
    let index = std::fs::read_to_string(out.join("index.json")).expect("kosoku's index.json");
    let index: serde_json::Value = serde_json::from_str(&index).unwrap();
    let cases: Vec<(&String, &serde_json::Value)> = index
        .as_object()
        .expect("an object of agents")
        .values()
        .flat_map(|agent| agent.as_object().expect("an object of cases"))
        .collect();
    assert!(cases.len() > 200, "{name}: only {} cases ran", cases.len());
    let _ = std::fs::remove_dir_all(&out);
    cases
        .into_iter()
        .filter_map(|(id, verdict)| {
            let behavior = verdict["behavior"].as_str().unwrap_or("");
            let close = verdict["behaviorClose"].as_str().unwrap_or("");
            let allowed = matches!(behavior, "OK" | "NON-STRICT" | "INFORMATIONAL")
                && matches!(close, "OK" | "INFORMATIONAL");
            (!allowed).then(|| format!("{id}: {behavior}/{close}"))
        })
        .collect()
}

#[test]
fn autobahn_cases_pass_on_every_backend() {
    let kosoku = kosoku();
    let engines = common::runnable()
        .into_iter()
        .filter(|backend| !matches!(backend, BackendName::TokioHyper | BackendName::CoroutineMinihttp));
    for backend in engines {
        let config = Config {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            workers: 2,
            ..Config::default()
        };
        let server = backend
            .bind(config, bench::workload(1 << 20, None))
            .expect("the server starts");
        let failed = failures(&kosoku, server.local_addr(), backend.as_str());
        assert!(server.shutdown(), "{}: shutdown", backend.as_str());
        assert!(failed.is_empty(), "{}: {failed:?}", backend.as_str());
    }
}
