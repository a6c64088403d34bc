//! db: TechEmpower's single query, and the home of a full run's pool sweep.

use super::database::Database;

pub static DB: Database = Database {
    id: "db",
    help: "TechEmpower's GET /db (one SELECT) on 256 and 512 connections, against the PostgreSQL the bench \
           starts (or --db-url). A full run adds the pool sweep's rows here, at 512",
    intro: "TechEmpower's GET /db, one SELECT of a random World row answered as JSON, against a PostgreSQL 15 the \
         bench starts (TechEmpower's tables, pinned to the load CPU beside the load generator; see method.md). \
         Database CPU is its processes' summed. Our backends hold one pipelined connection per worker thread \
         (threads: per connection's thread) unless --db-pool is given; ref-go and ref-node a shared pool of 16 \
         (pgx, pg), ref-gunicorn a connection per worker thread (psycopg).",
    path: "/db",
    connections: &[256, 512],
    pool_sweep_at: Some(512),
};
