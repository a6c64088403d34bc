//! TechEmpower's verification rules for the database routes, over real HTTP against a real
//! PostgreSQL: the headers, the clamping of `queries` and `count`, one SELECT per row (counted back
//! from `pg_stat_statements`), fortunes' rows, order and escaping, updates persisted, and a 503 at
//! once when the database is not there. For any server: our backends and the references.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use db::fixture::Postgres;
use serde_json::Value;
use server_core::conformance::{Client, Reply};

use super::get;

/// Calls of the statements whose text starts with `prefix`, so far.
fn calls(pg: &Postgres, prefix: &str) -> u64 {
    let sql = format!("SELECT coalesce(sum(calls), 0) FROM pg_stat_statements WHERE query LIKE '{prefix}%'");
    pg.query(&sql).unwrap().trim().parse().unwrap()
}

fn selects(pg: &Postgres) -> u64 {
    calls(pg, "SELECT id, randomnumber FROM world WHERE id = $1")
}

fn updates(pg: &Postgres) -> u64 {
    calls(pg, "UPDATE world SET randomnumber")
}

/// TechEmpower's header rules: `Server` and `Date` present, `Content-Type` exactly as given, a length.
fn check_headers(r: &Reply, content_type: &str, what: &str) {
    assert_eq!(r.status, 200, "{what}: {}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.header("content-type"), Some(content_type), "{what}");
    assert!(
        r.header("server").is_some_and(|s| !s.is_empty()),
        "{what}: Server"
    );
    let date = r.header("date").unwrap_or_default();
    assert!(
        date.len() == 29 && date.ends_with(" GMT"),
        "{what}: Date {date:?}"
    );
    assert_eq!(
        r.header("content-length"),
        Some(r.body.len().to_string().as_str()),
        "{what}"
    );
}

/// A World row as TechEmpower requires it: `{"id":…,"randomNumber":…}`, both in 1..=10,000.
fn world(row: &Value, what: &str) -> (i64, i64) {
    let object = row.as_object().unwrap_or_else(|| panic!("{what}: {row}"));
    assert_eq!(object.len(), 2, "{what}: {row}");
    let field = |name| object[name].as_i64().unwrap_or_else(|| panic!("{what}: {row}"));
    let (id, number) = (field("id"), field("randomNumber"));
    assert!(
        (1..=10_000).contains(&id) && (1..=10_000).contains(&number),
        "{what}: {row}"
    );
    (id, number)
}

fn pair(line: &str) -> (i64, i64) {
    let (a, b) = line.split_once(',').expect("a,b");
    (a.parse().unwrap(), b.parse().unwrap())
}

fn json(r: &Reply) -> Value {
    serde_json::from_slice(&r.body).expect("a JSON body")
}

/// `path`'s answer as TechEmpower requires a list of World rows: the headers, `expected` rows,
/// each well-formed.
fn world_rows(c: &mut Client, path: &str, expected: usize, name: &str) -> Vec<(i64, i64)> {
    let r = c.request(&get(path));
    check_headers(&r, "application/json", &format!("{name} {path}"));
    let body = json(&r);
    let list = body
        .as_array()
        .unwrap_or_else(|| panic!("{name} {path}: an array"));
    assert_eq!(list.len(), expected, "{name} {path}");
    list.iter().map(|row| world(row, name)).collect()
}

/// The parameter values TechEmpower's verifier sends, and the row counts they must give.
const CLAMPS: [(&str, usize); 7] = [
    ("", 1),
    ("=", 1),
    ("=0", 1),
    ("=foo", 1),
    ("=1", 1),
    ("=20", 20),
    ("=501", 500),
];

/// HTML's character references as an escaping template writes them: the named five and numeric
/// ones (`&#43;`, `&#x27;`). Anything else is left as it is, and so fails the comparison.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let Some(end) = rest.find(';') else { break };
        let decoded = match &rest[1..end] {
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "amp" => Some('&'),
            name => name.strip_prefix('#').and_then(|code| {
                let code = match code.strip_prefix(['x', 'X']) {
                    Some(hex) => u32::from_str_radix(hex, 16).ok(),
                    None => code.parse().ok(),
                };
                code.and_then(char::from_u32)
            }),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The fortunes, their messages unescaped, in the order the page lists them.
fn fortune_rows(page: &str) -> Vec<(i32, String)> {
    page.split("<tr><td>")
        .skip(1)
        .map(|row| {
            let (id, rest) = row.split_once("</td><td>").expect("two cells");
            let message = rest.split_once("</td></tr>").expect("a closed row").0;
            (id.parse().expect("a numeric id"), unescape(message))
        })
        .collect()
}

/// Every rule, on the server at `addr` serving the routes on `pg` (which nothing else uses meanwhile).
pub fn verify(pg: &Postgres, addr: SocketAddr, name: &str) {
    let mut c = Client::connect(addr);
    let before = selects(pg);
    let r = c.request(&get("/db"));
    check_headers(&r, "application/json", &format!("{name} /db"));
    world(&json(&r), name);
    assert_eq!(selects(pg) - before, 1, "{name}: /db is one SELECT");

    let before = selects(pg);
    let mut rows = 0;
    for (param, expected) in CLAMPS {
        world_rows(&mut c, &format!("/queries?queries{param}"), expected, name);
        rows += expected as u64;
    }
    assert_eq!(selects(pg) - before, rows, "{name}: one SELECT per row");

    let r = c.request(&get("/fortunes"));
    check_headers(&r, "text/html; charset=utf-8", &format!("{name} /fortunes"));
    let page = String::from_utf8(r.body.clone()).unwrap();
    assert!(
        page.starts_with("<!DOCTYPE html><html><head><title>Fortunes</title></head><body><table>")
            && page.ends_with("</table></body></html>"),
        "{name}: {page}"
    );
    assert!(!page.contains("<script>"), "{name}: the message is escaped");
    assert!(page.contains("&lt;script&gt;"), "{name}: {page}");
    let listed = fortune_rows(&page);
    let mut expected: Vec<(i32, String)> = pg
        .query("SELECT id || '|' || message FROM fortune")
        .unwrap()
        .lines()
        .map(|line| {
            let (id, message) = line.split_once('|').unwrap();
            (id.parse().unwrap(), message.to_string())
        })
        .collect();
    assert_eq!(expected.len(), 12, "TechEmpower's 12 fortunes");
    expected.push((0, "Additional fortune added at request time.".into()));
    expected.sort_by(|a, b| a.1.cmp(&b.1));
    assert_eq!(listed, expected, "{name}: every fortune, sorted by message");
    assert!(
        listed.iter().any(|(_, m)| m == "フレームワークのベンチマーク"),
        "{name}"
    );

    let (before_selects, before_updates) = (selects(pg), updates(pg));
    let mut rows = 0;
    for (param, expected) in CLAMPS {
        let path = format!("/updates?queries{param}");
        let written = world_rows(&mut c, &path, expected, name);
        // A row drawn twice in one request is written once, with either number.
        let mut once: Vec<(i64, i64)> = written
            .iter()
            .filter(|(id, _)| written.iter().filter(|(other, _)| other == id).count() == 1)
            .copied()
            .collect();
        once.sort_unstable();
        let ids: Vec<String> = once.iter().map(|(id, _)| id.to_string()).collect();
        let sql = format!(
            "SELECT id || ',' || randomnumber FROM world WHERE id IN ({}) ORDER BY id",
            ids.join(",")
        );
        let stored: Vec<(i64, i64)> = match ids.is_empty() {
            true => Vec::new(),
            false => pg.query(&sql).unwrap().lines().map(pair).collect(),
        };
        assert_eq!(stored, once, "{name} {path}: persisted");
        rows += expected as u64;
    }
    assert_eq!(
        selects(pg) - before_selects,
        rows,
        "{name}: each row read by its own SELECT"
    );
    assert_eq!(
        updates(pg) - before_updates,
        CLAMPS.len() as u64,
        "{name}: one UPDATE per request"
    );

    for (param, expected) in CLAMPS {
        world_rows(&mut c, &format!("/cached-queries?count{param}"), expected, name);
    }
}

/// The server at `addr`, whose database cannot be reached, answers every route with a 503 at once.
pub fn verify_unavailable(addr: SocketAddr, name: &str) {
    let mut c = Client::connect(addr);
    for path in ["/db", "/queries?queries=5", "/fortunes", "/updates?queries=5"] {
        let began = Instant::now();
        let r = c.request(&get(path));
        assert_eq!(r.status, 503, "{name} {path}: no database, a 503");
        assert!(began.elapsed() < Duration::from_secs(1), "{name} {path}: at once");
    }
}
