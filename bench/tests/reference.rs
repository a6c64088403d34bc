//! The reference servers of bench/reference/ (Go, Node, WSGI) serve the same route contract as
//! `serve` and stop cleanly on SIGTERM. A reference whose toolchain cannot be had is skipped with a
//! line saying why, as the bench reports it.

mod common;

use std::path::Path;

use bench::driver::reference::Reference;
use bench::driver::server::ServerProcess;

#[test]
fn every_reference_server_serves_every_route() {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    for reference in Reference::ALL {
        let subject = match reference.prepare(workspace) {
            Ok(subject) => subject,
            Err(why) => {
                eprintln!("skipped {}: {why}", reference.row_name());
                continue;
            }
        };
        let server = ServerProcess::start(&subject, &[0, 1]).expect("start the reference");
        common::check_routes(server.addr);
        assert!(server.stop(), "{} did not exit 0 after SIGTERM", subject.name);
    }
}
