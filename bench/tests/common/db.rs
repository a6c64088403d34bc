//! For the database test binaries: their PostgreSQL, a server on it, and a test per backend.

use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use bench::{AppName, BackendName};
use db::fixture::Postgres;
use db::{Db, Strategy};
use server_core::conformance::test_config;
use server_core::{Config, ServerHandle};

/// This binary's database, started on first use, and the right to use it alone (to count its
/// statements, or to restart it).
pub fn postgres() -> MutexGuard<'static, Postgres> {
    static SERVER: OnceLock<Mutex<Postgres>> = OnceLock::new();
    let server = SERVER.get_or_init(|| Mutex::new(Postgres::start().expect("starting PostgreSQL")));
    server.lock().unwrap_or_else(|e| e.into_inner())
}

/// The standard workload with TechEmpower's routes on `db`, on `backend`.
pub fn start(backend: BackendName, db: Db) -> ServerHandle {
    let config = Config {
        // A database handler's futures overflow 64 KiB coroutine stacks in a debug build.
        stack_size: 1 << 20,
        ..test_config()
    };
    backend
        .start(config, AppName::Native, 1 << 20, Some(db))
        .unwrap_or_else(|e| panic!("{}: {e}", backend.as_str()))
}

/// The pool the tests share: small enough to be contended by their clients.
pub const POOL: Strategy = Strategy::Pool {
    size: 4,
    wait: Duration::from_secs(1),
};

/// A test per backend, each calling `$run(backend)`; a backend this machine cannot run is skipped
/// with its reason. Not coroutine-minihttp, the reference engine: its 32 KiB coroutine stacks
/// overflow under these handlers in a debug build, and with the database restarted under load some
/// of its requests went unanswered (see its gaps).
#[macro_export]
macro_rules! every_db_backend {
    ($run:ident) => {
        $crate::every_db_backend!($run;
            tokio: Tokio,
            tokio_blocking_pool: TokioBlockingPool,
            tokio_hyper: TokioHyper,
            tokio_per_core: TokioPerCore,
            compio: Compio,
            smol: Smol,
            async_std: AsyncStd,
            threads: Threads,
            coroutine: Coroutine,
        );
    };
    ($run:ident; $($test:ident: $backend:ident),* $(,)?) => {$(
        #[test]
        fn $test() {
            let backend = bench::BackendName::$backend;
            if let Some(why) = backend.unavailable() {
                return eprintln!("SKIPPED {}: {why}", backend.as_str());
            }
            $run(backend);
        }
    )*};
}
