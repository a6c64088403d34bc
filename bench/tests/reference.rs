//! The reference servers of bench/reference/ (Go, Node, WSGI) serve the same route contract as
//! `serve`, TechEmpower's database routes by its rules, and stop cleanly on SIGTERM. A reference
//! whose toolchain cannot be had is skipped with a line saying why, as the bench reports it. (The
//! Rust peers serve only their TechEmpower entries' routes and are not checked here yet.)

mod common;

use std::path::Path;

use bench::driver::reference::Reference;
use bench::driver::server::{ServerProcess, Subject};
use common::db::postgres;
use common::techempower::{verify, verify_unavailable};
use db::fixture;

/// Each reference this machine can have, built or installed as the bench does it.
fn references() -> Vec<Subject> {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    Reference::CONTRACT
        .into_iter()
        .filter_map(|reference| match reference.prepare(workspace) {
            Ok(subject) => Some(subject),
            Err(why) => {
                eprintln!("skipped {}: {why}", reference.row_name());
                None
            }
        })
        .collect()
}

fn with_database(subject: &Subject, url: String) -> Subject {
    let mut subject = subject.clone();
    subject.env.push(("DATABASE_URL".into(), url));
    subject
}

#[test]
fn every_reference_server_serves_every_route() {
    for subject in references() {
        let server = ServerProcess::start(&subject, &[0, 1]).expect("start the reference");
        common::check_routes(server.addr);
        assert!(server.stop(), "{} did not exit 0 after SIGTERM", subject.name);
    }
}

#[test]
fn every_reference_server_passes_techempowers_rules() {
    for subject in references() {
        let pg = postgres();
        let server =
            ServerProcess::start(&with_database(&subject, pg.url()), &[0, 1]).expect("start the reference");
        verify(&pg, server.addr, &subject.name);
        drop(pg);
        assert!(server.stop(), "{} did not exit 0 after SIGTERM", subject.name);

        let unreachable = with_database(&subject, fixture::unreachable_url().unwrap());
        let server = ServerProcess::start(&unreachable, &[0, 1]).expect("start the reference");
        verify_unavailable(server.addr, &subject.name);
        assert!(server.stop(), "{} did not exit 0 after SIGTERM", subject.name);
    }
}
