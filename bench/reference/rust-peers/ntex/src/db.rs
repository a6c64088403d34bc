use nanorand::{Rng, WyRand};
use ntex::util::Bytes;
use smallvec::SmallVec;
use std::cell::RefCell;

use futures::future::join_all;
use tokio_postgres::{connect, types::ToSql, Client, NoTls, Statement};
use yarte::TemplateBytesTrait;

use super::utils;

#[derive(Copy, Clone, Debug, sonic_rs::Serialize)]
pub struct World {
    pub id: i32,
    pub randomnumber: i32,
}

#[derive(Debug, sonic_rs::Serialize)]
pub struct Fortune<'a> {
    pub id: i32,
    pub message: &'a str,
}

#[derive(yarte::TemplateBytes)]
#[template(path = "fortune.hbs")]
pub struct FortunesTemplate<'a, 'b> {
    pub fortunes: &'a [Fortune<'b>],
}

/// Postgres interface
pub struct PgConnection {
    cl: Client,
    // The entry's `rng: WyRand`, used as `self.rng.clone().generate()`: a copy of the same state on
    // every request, so every /db asked for the same row (and /queries for the same rows). Here the
    // generator advances, as TechEmpower's rules (a random row per query) require.
    rng: RefCell<WyRand>,
    fortune: Statement,
    world: Statement,
    updates: Statement,
}

impl PgConnection {
    pub async fn connect(db_url: &str) -> PgConnection {
        // The fork's `connect(db_url, SharedCfg)` runs on ntex's io; crates.io's runs on tokio's.
        let (cl, conn) = connect(db_url, NoTls)
            .await
            .expect("can not connect to postgresql");
        ntex::rt::spawn(async move {
            let _ = conn.await;
        });

        let fortune = cl.prepare("SELECT * FROM fortune").await.unwrap();
        let updates = cl.prepare("UPDATE world w SET randomnumber = u.new_val FROM (SELECT unnest($1::int[]) as id, unnest($2::int[]) as new_val) u WHERE w.id = u.id").await.unwrap();
        let world = cl.prepare("SELECT * FROM world WHERE id=$1").await.unwrap();

        PgConnection {
            cl,
            world,
            updates,
            fortune,
            rng: RefCell::new(WyRand::new()),
        }
    }
}

impl PgConnection {
    pub async fn get_world(&self) -> Bytes {
        let random_id = (self.rng.borrow_mut().generate::<u32>() % 10_000 + 1) as i32;
        let row = self.cl.query_one(&self.world, &[&random_id]).await.unwrap();

        utils::buffer(256, |body| {
            sonic_rs::to_writer(
                utils::BVecWriter(body),
                &World {
                    id: row.get(0),
                    randomnumber: row.get(1),
                },
            )
            .unwrap();
            body.take()
        })
    }

    pub async fn get_worlds(&self, num: usize) -> Bytes {
        let mut rng = self.rng.borrow_mut();
        let mut ids = Vec::with_capacity(num);
        (0..num).for_each(|_| {
            let w_id = (rng.generate::<u32>() % 10_000 + 1) as i32;
            ids.push(w_id);
        });
        drop(rng);
        // crates.io's query futures borrow their parameters until they finish (the fork's do not).
        let params: Vec<&(dyn ToSql + Sync)> = ids.iter().map(|id| id as _).collect();
        let queries = params
            .iter()
            .map(|id| self.cl.query_one(&self.world, std::slice::from_ref(id)));

        // The fork sends a query when it is called, so that awaiting them in turn pipelines them;
        // crates.io's sends it when first polled: polled together, they are pipelined the same way.
        let mut worlds = Vec::with_capacity(num);
        for row in join_all(queries).await {
            let row = row.unwrap();
            worlds.push(World {
                id: row.get(0),
                randomnumber: row.get(1),
            })
        }

        utils::buffer(2 * 1024, |body| {
            sonic_rs::to_writer(utils::BVecWriter(body), &worlds[..]).unwrap();
            body.take()
        })
    }

    pub async fn update(&self, num: usize) -> Bytes {
        let mut rng = nanorand::tls_rng();
        let mut ids = Vec::with_capacity(num);
        let mut numbers = Vec::with_capacity(num);
        let mut worlds = SmallVec::<[_; 32]>::new();

        (0..num).for_each(|_| {
            let w_id = (rng.generate::<u32>() % 10_000 + 1) as i32;
            ids.push(w_id);
            numbers.push((rng.generate::<u32>() % 10_000 + 1) as i32);
        });
        ids.sort();

        // crates.io's query futures borrow their parameters until they finish (the fork's do not).
        let params: Vec<&(dyn ToSql + Sync)> = ids.iter().map(|id| id as _).collect();
        let mut queries = SmallVec::<[_; 32]>::new();
        (0..num).for_each(|idx| {
            worlds.push(World {
                id: ids[idx],
                randomnumber: numbers[idx],
            });
            queries.push(self.cl.query_one(&self.world, std::slice::from_ref(&params[idx])));
        });
        let update_params: [&(dyn ToSql + Sync); 2] = [&ids, &numbers];
        let update = self.cl.query(&self.updates, &update_params);

        // As in get_worlds: polled together (the selects first, then the update), so pipelined.
        let (rows, updated) = futures::join!(join_all(queries), update);
        for row in rows {
            let _rand: i32 = row.unwrap().get(1);
        }
        updated.unwrap();

        utils::buffer(2 * 1024, |body| {
            sonic_rs::to_writer(utils::BVecWriter(body), &worlds[..]).unwrap();
            body.take()
        })
    }

    pub async fn tell_fortune(&self) -> Bytes {
        // The fork's query_raw answers the rows at once; crates.io's `query` does.
        let rows = self.cl.query(&self.fortune, &[]).await.unwrap();

        let mut fortunes = Vec::with_capacity(16);
        fortunes.push(Fortune {
            id: 0,
            message: "Additional fortune added at request time.",
        });
        fortunes.extend(rows.iter().map(|row| Fortune {
            id: row.get(0),
            message: row.get(1),
        }));
        fortunes.sort_by(|it, next| it.message.cmp(&next.message));

        utils::buffer(4 * 1024, |body| {
            let mut buf = utils::YarteBuf(std::mem::take(body));
            FortunesTemplate {
                fortunes: &fortunes,
            }
            .write_call(&mut buf);
            *body = buf.0;

            body.take()
        })
    }
}
