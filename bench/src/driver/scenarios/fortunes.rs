//! fortunes: TechEmpower's rows sorted and escaped through a template.

use super::database::Database;

pub static FORTUNES: Database = Database {
    id: "fortunes",
    help: "GET /fortunes on 256 and 512 connections: every Fortune row and one more, sorted, through a \
           compile-time template",
    intro: "GET /fortunes: the 12 Fortune rows and one added at request time, sorted by message and HTML-escaped \
         through a compile-time template (sailfish; ref-go: html/template; ref-node: a replace; ref-gunicorn: \
         html.escape).",
    path: "/fortunes",
    connections: &[256, 512],
    pool_sweep_at: None,
};
