//! updates: TechEmpower's reads and one batched write per request.

use super::database::Database;

pub static UPDATES: Database = Database {
    id: "updates",
    help: "GET /updates?queries=20 on 512 connections: twenty SELECTs and one UPDATE per request",
    intro: "GET /updates?queries=20: twenty SELECTs, then the twenty rows' new numbers in one UPDATE.",
    path: "/updates?queries=20",
    // Twenty queries a request: the connection count matters less than the queries'.
    connections: &[512],
    pool_sweep_at: None,
};
