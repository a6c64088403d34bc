//! Picking rows out of a scenario's runs.

use super::super::row::Run;

/// The values `key` takes over `runs`, ascending, each once.
pub fn distinct(runs: &[&Run], key: fn(&Run) -> Option<usize>) -> Vec<usize> {
    let mut values: Vec<usize> = runs.iter().filter_map(|r| key(r)).collect();
    values.sort_unstable();
    values.dedup();
    values
}

/// The row names of `runs` in their order, each once (a row's runs are adjacent).
pub fn names<'a>(runs: &[&'a Run]) -> Vec<&'a str> {
    let mut names: Vec<&str> = runs.iter().map(|r| r.backend.as_str()).collect();
    names.dedup();
    names
}

/// The runs at `connections`.
pub fn at_connections<'a>(runs: &[&'a Run], connections: usize) -> Vec<&'a Run> {
    runs.iter()
        .copied()
        .filter(|r| r.connections == connections)
        .collect()
}

/// The runs of the cell a scenario's summary column is taken at: the largest server CPU set,
/// then the largest connection count.
pub fn at_top_cell<'a>(runs: &[&'a Run]) -> Vec<&'a Run> {
    let cell = |r: &Run| (r.server_cores.unwrap_or(1), r.connections);
    let top = runs.iter().map(|r| cell(r)).max().unwrap_or_default();
    runs.iter().copied().filter(|r| cell(r) == top).collect()
}
