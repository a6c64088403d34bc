//! The Autobahn|Testsuite's fuzzing-client cases 1 to 7 and 10 (framing, pings and pongs, reserved
//! bits, opcodes, fragmentation, UTF-8, the close handshake, auto-fragmentation) against
//! `GET /ws/echo` on every backend, run by `kosoku` (Autobahn's own case files, a runner of its
//! own; installed from PyPI into a venv under target/, as the bench installs gunicorn). Every case
//! must be OK, NON-STRICT or INFORMATIONAL, as tungstenite's expected results allow. Natively
//! (server_core::ws) and through axum's `WebSocketUpgrade`; may_minihttp hands no connection over.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use bench::driver::python_venv;
use bench::{AppName, BackendName};
use server_core::Config;

mod common;

/// The cases run: 9 (performance) and 12–13 (permessage-deflate, not implemented) are not.
const CASES: [&str; 8] = ["1.*", "2.*", "3.*", "4.*", "5.*", "6.*", "7.*", "10.*"];

/// kosoku, installed once for the tests of this binary (they run at once, and two `venv`s and
/// `pip`s in one directory would race).
fn kosoku() -> PathBuf {
    static KOSOKU: OnceLock<PathBuf> = OnceLock::new();
    KOSOKU
        .get_or_init(|| {
            let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
            let requirements = workspace.join("bench/tests/autobahn/requirements.txt");
            let venv = workspace.join("target/autobahn/venv");
            python_venv(&requirements, &venv, "for the Autobahn cases").expect("kosoku's venv");
            venv.join("bin/kosoku")
        })
        .clone()
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

/// Every case on `app` served by every backend that serves it.
fn every_backend(app: AppName, serves: fn(&BackendName) -> bool) {
    let kosoku = kosoku();
    for backend in common::runnable().into_iter().filter(serves) {
        let config = Config {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            workers: 2,
            ..Config::default()
        };
        let server = backend
            .start(config, app, 1 << 20, None)
            .expect("the server starts");
        let name = format!("{}-{app:?}", backend.as_str());
        let failed = failures(&kosoku, server.local_addr(), &name);
        assert!(server.shutdown(), "{name}: shutdown");
        assert!(failed.is_empty(), "{name}: {failed:?}");
    }
}

#[test]
fn autobahn_cases_pass_on_every_backend() {
    // may_minihttp hands no connection over after a 101.
    every_backend(AppName::Native, |backend| {
        *backend != BackendName::CoroutineMinihttp
    });
}

/// axum's own `WebSocketUpgrade`, through the upgrade bridge of `server_core::tower`. Not on the
/// blocking models: axum's session runs on a tokio task beside the connection, whose one thread,
/// once the session wants the client's next bytes, blocks reading them, so an answer waits for the
/// client's next message (the native session runs inside the connection's own polls instead).
#[test]
fn autobahn_cases_pass_through_axum_on_the_async_backends() {
    every_backend(AppName::Axum, |backend| {
        backend.serves_axum() && !matches!(backend, BackendName::Threads | BackendName::Coroutine)
    });
}
