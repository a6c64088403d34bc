//! What kind of server a row measures: the typed answer to what its name only spells.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RowKind {
    /// One of our backends under `serve`, as it ships (row `<backend>`).
    #[default]
    Backend,
    /// The standard routes as an axum app on one of our backends (row `axum-<backend>`).
    Axum,
    /// That axum app on `axum::serve`, the way axum runs today (row `ref-axum-serve`).
    AxumServe,
    /// A peer server of `bench/reference/` (Go, Node, gunicorn; rows `ref-<name>`).
    Reference,
    /// A backend whose handlers share a database pool of `size` connections (row
    /// `<backend>-pool-<size>`).
    Pool { backend: String, size: usize },
    /// A backend on the sync `postgres` client (rows `<backend>-sync`, `<backend>-sync-unblock`).
    SyncDatabase,
    /// A runtime's floor: `bare`, no HTTP engine (row `bare-<runtime>`).
    Floor,
    /// A row on `--compare`'s other `serve` build (row `<row>@base`).
    Base(Box<RowKind>),
    /// A server already running at `--target`, possibly elsewhere.
    Target,
}

impl RowKind {
    /// The axum app, on whichever server: the rows measured only where axum is.
    pub fn is_axum(&self) -> bool {
        match self {
            RowKind::Axum | RowKind::AxumServe => true,
            RowKind::Base(of) => of.is_axum(),
            _ => false,
        }
    }

    /// Not one of our backends: results.json's `reference` flag.
    pub fn is_reference(&self) -> bool {
        match self {
            RowKind::Reference | RowKind::AxumServe => true,
            RowKind::Base(of) => of.is_reference(),
            _ => false,
        }
    }

    /// The kind of a row in results written before rows carried one, from its name and
    /// `reference` flag (the names the driver gave each kind).
    pub fn of_legacy_row(name: &str, reference: bool) -> RowKind {
        if let Some(row) = name.strip_suffix("@base") {
            return RowKind::Base(Box::new(RowKind::of_legacy_row(row, reference)));
        }
        let pool = name
            .rsplit_once("-pool-")
            .and_then(|(backend, size)| Some((backend, size.parse().ok()?)));
        match (reference, pool) {
            (true, _) if name == "ref-axum-serve" => RowKind::AxumServe,
            (true, _) => RowKind::Reference,
            (false, Some((backend, size))) => RowKind::Pool {
                backend: backend.to_owned(),
                size,
            },
            _ if name.starts_with("axum-") => RowKind::Axum,
            _ if name.starts_with("bare-") => RowKind::Floor,
            _ if name.ends_with("-sync") || name.ends_with("-sync-unblock") => RowKind::SyncDatabase,
            // A --target row is named by its authority, HOST:PORT.
            _ if name.contains(':') => RowKind::Target,
            _ => RowKind::Backend,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::RowKind;

    #[test]
    fn legacy_rows_get_the_kind_their_name_spells() {
        let pool = |backend: &str, size| RowKind::Pool {
            backend: backend.into(),
            size,
        };
        for (name, reference, kind) in [
            ("tokio", false, RowKind::Backend),
            ("axum-tokio", false, RowKind::Axum),
            ("ref-axum-serve", true, RowKind::AxumServe),
            ("ref-go", true, RowKind::Reference),
            ("tokio-pool-16", false, pool("tokio", 16)),
            ("tokio-per-core-pool-2", false, pool("tokio-per-core", 2)),
            ("threads-sync-unblock", false, RowKind::SyncDatabase),
            ("bare-compio", false, RowKind::Floor),
            ("127.0.0.1:8080", false, RowKind::Target),
            (
                "tokio-pool-4@base",
                false,
                RowKind::Base(Box::new(pool("tokio", 4))),
            ),
        ] {
            assert_eq!(RowKind::of_legacy_row(name, reference), kind, "{name}");
        }
    }
}
