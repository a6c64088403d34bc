//! TechEmpower's database tests, by its rules, written once for every backend: `/db`,
//! `/queries?queries=N`, `/fortunes`, `/updates?queries=N`, `/cached-queries?count=N`. N is clamped
//! to 1..=500 (missing, 0 or not a number: 1); every row is its own SELECT; fortunes are escaped by
//! a compile-time template (sailfish) and sorted by message. A database that cannot be reached or
//! does not answer within its bounds (`db::Timeouts`) is a 503 with `Retry-After`; an error it
//! reports for the request itself is a 500 (`db::error_response`).

use std::sync::Arc;

use async_lock::OnceCell;
use db::{Db, World};
use sailfish::TemplateSimple;
use serde::Serialize;
use server_core::{Request, Response, Router, StatusCode};

/// Rows in TechEmpower's World table.
const WORLD_ROWS: i32 = 10_000;

/// The five routes on `router`, talking to `db`.
pub fn routes(router: Router, db: Db) -> Router {
    let (queries, fortunes, updates, cached) = (db.clone(), db.clone(), db.clone(), db.clone());
    let world = Arc::new(OnceCell::new());
    router
        .get("/db", move |_req: Request| {
            let db = db.clone();
            async move { answer(async { db.conn().await?.world(random_id()).await }.await, json) }
        })
        .get("/queries", move |req: Request| {
            let db = queries.clone();
            async move {
                let ids = random_ids(count(&req, "queries"));
                answer(async { db.conn().await?.worlds(&ids).await }.await, json_rows)
            }
        })
        .get("/fortunes", move |_req: Request| {
            let db = fortunes.clone();
            async move { answer(async { db.conn().await?.fortunes().await }.await, fortunes_page) }
        })
        .get("/updates", move |req: Request| {
            let db = updates.clone();
            async move {
                let ids = random_ids(count(&req, "queries"));
                let updated = async {
                    let conn = db.conn().await?;
                    let mut worlds = conn.worlds(&ids).await?;
                    for world in &mut worlds {
                        world.random_number = random_id();
                    }
                    conn.update(&worlds).await?;
                    Ok(worlds)
                };
                answer(updated.await, json_rows)
            }
        })
        .get("/cached-queries", move |req: Request| {
            let (db, world) = (cached.clone(), Arc::clone(&world));
            async move {
                let cache = match cache(&world, &db).await {
                    Ok(cache) => cache,
                    Err(e) => return db::error_response(&e),
                };
                let rows: Vec<World> = random_ids(count(&req, "count"))
                    .into_iter()
                    .map(|id| cache[(id - 1) as usize])
                    .collect();
                json_rows(rows)
            }
        })
}

/// TechEmpower's count parameter: 1..=500, and 1 where missing or not a number.
pub fn count(req: &Request, key: &str) -> usize {
    let value = req.uri().query().and_then(|q| {
        q.split('&')
            .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
    });
    value
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(1)
        .clamp(1, 500)
}

fn random_id() -> i32 {
    fastrand::i32(1..=WORLD_ROWS)
}

fn random_ids(n: usize) -> Vec<i32> {
    (0..n).map(|_| random_id()).collect()
}

fn answer<T>(result: Result<T, db::Error>, ok: fn(T) -> Response) -> Response {
    result.map_or_else(|e| db::error_response(&e), ok)
}

/// A World row as TechEmpower spells it.
#[derive(Serialize)]
struct Row {
    id: i32,
    #[serde(rename = "randomNumber")]
    random_number: i32,
}

impl From<World> for Row {
    fn from(w: World) -> Row {
        Row {
            id: w.id,
            random_number: w.random_number,
        }
    }
}

fn json(world: World) -> Response {
    Response::json(&Row::from(world))
}

fn json_rows(worlds: Vec<World>) -> Response {
    Response::json(&worlds.into_iter().map(Row::from).collect::<Vec<_>>())
}

#[derive(TemplateSimple)]
#[template(path = "fortunes.stpl")]
struct Fortunes<'a> {
    fortunes: &'a [(i32, String)],
}

/// The fortunes page of `fortunes` as given (already with the added one, sorted): sailfish's
/// rendering, which benches/templates.rs measures against askama's and yarte's.
pub fn fortunes_html(fortunes: &[(i32, String)]) -> Result<String, sailfish::RenderError> {
    Fortunes { fortunes }.render_once()
}

fn fortunes_page(mut fortunes: Vec<(i32, String)>) -> Response {
    fortunes.push((0, "Additional fortune added at request time.".into()));
    fortunes.sort_unstable_by(|a, b| a.1.cmp(&b.1));
    match fortunes_html(&fortunes) {
        Ok(html) => Response::html(html),
        Err(e) => Response::text(e.to_string()).with_status(StatusCode::INTERNAL_SERVER_ERROR),
    }
}

/// Every World row of this app's database, read once (one SELECT of the table: the rules let a cache
/// be filled any way) by the first request, while the others that come meanwhile wait for it rather
/// than each read the table; a failed read leaves it for the next request to try.
async fn cache<'a>(world: &'a OnceCell<Vec<World>>, db: &Db) -> Result<&'a [World], db::Error> {
    world
        .get_or_try_init(|| async {
            let mut rows = db.conn().await?.every_world().await?;
            rows.sort_unstable_by_key(|w| w.id);
            Ok(rows)
        })
        .await
        .map(Vec::as_slice)
}
