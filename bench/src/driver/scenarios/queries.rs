//! queries: TechEmpower's multiple queries, twenty per request.

use super::database::Database;

pub static QUERIES: Database = Database {
    id: "queries",
    help: "GET /queries?queries=20 on 512 connections: twenty SELECTs per request, pipelined on the connection. \
           (/db is the one-query case: the same SELECT, unwrapped.)",
    intro: "GET /queries?queries=20: twenty SELECTs of random rows per request, issued together (pipelined on the \
         connection, a Sync after each).",
    path: "/queries?queries=20",
    // Twenty queries a request: the connection count matters less than the queries'.
    connections: &[512],
    pool_sweep_at: None,
};
