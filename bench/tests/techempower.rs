//! TechEmpower's verification rules for the database routes, on every backend, against a real
//! PostgreSQL this test starts: the headers, the clamping of `queries` and `count`, one SELECT per
//! row (counted back from `pg_stat_statements`), fortunes' rows, order and escaping, updates
//! persisted, and a 503 at once when the database is not there. Under both connection strategies.

mod common;

use bench::BackendName;
use common::db::{POOL, postgres, start};
use common::techempower::{verify, verify_unavailable};
use db::fixture;
use db::{Db, Strategy};

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

fn run(backend: BackendName) {
    check(backend, Strategy::PerThread);
    check(backend, POOL);
}

every_db_backend!(run);
