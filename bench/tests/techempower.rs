//! TechEmpower's verification rules for the database routes, on every backend, against a real
//! PostgreSQL this test starts: the headers, the clamping of `queries` and `count`, one SELECT per
//! row (counted back from `pg_stat_statements`), fortunes' rows, order and escaping, updates
//! persisted, and a 503 at once when the database is not there. Under every connection strategy:
//! per thread, a pool, and the sync client offloaded and (where the backend lets it run) inline.

mod common;

use bench::BackendName;
use common::db::{POOL, postgres, start};
use common::techempower::{verify, verify_unavailable};
use db::fixture;
use db::{Db, Strategy};
use server_core::conformance::Client;

fn check(backend: BackendName, strategy: Strategy) {
    let name = format!("{} {strategy:?}", backend.as_str());
    let pg = postgres();
    let server = start(backend, Db::new(&pg.url(), strategy).unwrap());
    verify(&pg, server.local_addr(), &name);
    drop(pg);
    assert!(server.shutdown(), "{name}");

    let db = Db::new(&fixture::unreachable_url().unwrap(), strategy).unwrap();
    let server = start(backend, db);
    verify_unavailable(server.local_addr(), &name);
    assert!(server.shutdown(), "{name}");
}

/// The sync client inline blocks on a tokio runtime of its own, which tokio refuses inside its
/// own: on the tokio backends each request's handler panics.
fn refuses_inline_blocking(backend: BackendName) -> bool {
    use BackendName::*;
    matches!(backend, Tokio | TokioBlockingPool | TokioHyper | TokioPerCore)
}

fn run(backend: BackendName) {
    check(backend, Strategy::PerThread);
    check(backend, POOL);
    check(backend, Strategy::Blocking { offload: true });
    if !refuses_inline_blocking(backend) {
        check(backend, Strategy::Blocking { offload: false });
        return;
    }
    // One 500 per request, and the server goes on.
    let pg = postgres();
    let server = start(
        backend,
        Db::new(&pg.url(), Strategy::Blocking { offload: false }).unwrap(),
    );
    let mut c = Client::connect(server.local_addr());
    for _ in 0..3 {
        let r = c.request(&common::get("/db"));
        assert_eq!(r.status, 500, "{}", backend.as_str());
        c = Client::connect(server.local_addr());
    }
    assert_eq!(c.request(&common::get("/plaintext")).status, 200);
    drop(pg);
    assert!(server.shutdown(), "{}", backend.as_str());
}

every_db_backend!(run);
