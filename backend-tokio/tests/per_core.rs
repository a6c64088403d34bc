//! What the per-core backend adds to the conformance suite: its workers, and their pinning.

use server_core::backend::Backend;
use server_core::{Config, Response};

/// The CPUs a thread of this process may run on, from /proc, by thread name.
fn allowed_cpus_of(name: &str) -> Vec<String> {
    let mut found = Vec::new();
    for task in std::fs::read_dir("/proc/self/task").unwrap().flatten() {
        let comm = std::fs::read_to_string(task.path().join("comm")).unwrap_or_default();
        if comm.trim() == name {
            let status = std::fs::read_to_string(task.path().join("status")).unwrap();
            let line = status
                .lines()
                .find(|l| l.starts_with("Cpus_allowed_list:"))
                .unwrap();
            found.push(line.split_whitespace().nth(1).unwrap().to_owned());
        }
    }
    found
}

#[test]
fn pinned_workers_each_run_on_a_cpu_of_their_own() {
    let cpus = std::thread::available_parallelism().unwrap().get();
    let config = Config {
        addr: "127.0.0.1:0".parse().unwrap(),
        workers: 2,
        pin_workers: true,
        ..Config::default()
    };
    let server = backend_tokio::TokioPerCore::bind(config, |_req| Response::text("ok")).unwrap();
    let (first, second) = (allowed_cpus_of("core-0"), allowed_cpus_of("core-1"));
    assert_eq!(first.len(), 1, "one worker thread named core-0");
    assert_eq!(second.len(), 1, "one worker thread named core-1");
    assert!(
        !first[0].contains([',', '-']),
        "core-0 runs on one CPU, not {}",
        first[0]
    );
    if cpus > 1 {
        assert_ne!(first, second, "two workers on two CPUs");
    }
    assert!(server.shutdown());
}
