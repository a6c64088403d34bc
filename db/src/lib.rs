//! # db: TechEmpower's database work on every backend
//!
//! A PostgreSQL client whose socket is opened with [`server_core::connect`] and whose connection
//! task runs under [`server_core::spawn`], so the same handler code queries the database on every
//! backend, each driving the socket natively. The client is `tokio-postgres` over that socket
//! (`connect_raw`; its `Connection` is a plain future and needs no tokio runtime): requests issued
//! together on one connection are pipelined, each query with its own Sync.
//!
//! Connection strategy, [`Strategy::PerThread`]: one pipelined connection per thread that runs
//! handlers, opened on first use and reopened once broken: a connection per worker on the async and
//! per-core backends (TechEmpower's leaders), a connection per connection thread on `threads`.
//!
//! [`fixture::Postgres`] starts a server of the project's own.

pub mod fixture;

use std::cell::RefCell;
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::{Arc, Weak};

use futures_util::future::{join_all, try_join3};
use tokio_postgres::{Client, NoTls, Statement};
use tokio_util::compat::FuturesAsyncReadCompatExt;

/// What a query can fail with: the connection could not be opened, or PostgreSQL said no.
pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// A row of TechEmpower's World table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct World {
    /// 1..=10,000.
    pub id: i32,
    /// 1..=10,000.
    pub random_number: i32,
}

/// How handlers share connections to the database.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strategy {
    /// One pipelined connection per thread that runs handlers (see the crate docs).
    PerThread,
}

/// Where the database is and how handlers reach it; cheap to clone into every handler.
#[derive(Clone)]
pub struct Db(Arc<Target>);

struct Target {
    addr: SocketAddr,
    config: tokio_postgres::Config,
    strategy: Strategy,
}

impl Db {
    /// A database at `url` (`postgres://user@host:port/name`), its host resolved now.
    pub fn new(url: &str, strategy: Strategy) -> Result<Db, String> {
        let config: tokio_postgres::Config = url.parse().map_err(|e| format!("{url}: {e}"))?;
        let host = match config.get_hosts() {
            [tokio_postgres::config::Host::Tcp(host)] => host.clone(),
            _ => return Err(format!("{url}: one TCP host expected")),
        };
        let port = config.get_ports().first().copied().unwrap_or(5432);
        let addr = (host.as_str(), port)
            .to_socket_addrs()
            .map_err(|e| format!("{url}: {e}"))?
            .next()
            .ok_or_else(|| format!("{url}: {host} has no address"))?;
        Ok(Db(Arc::new(Target {
            addr,
            config,
            strategy,
        })))
    }

    /// A connection for this request, per the strategy.
    pub async fn conn(&self) -> Result<Conn, Error> {
        match self.0.strategy {
            Strategy::PerThread => {
                let target = Arc::downgrade(&self.0);
                let mine = |(to, conn): &(Weak<Target>, Conn)| {
                    (to.ptr_eq(&target) && !conn.0.client.is_closed()).then(|| conn.clone())
                };
                if let Some(conn) = THIS_THREAD.with_borrow(|held| held.as_ref().and_then(mine)) {
                    return Ok(conn);
                }
                let conn = Conn::open(&self.0).await?;
                // The handler may have resumed on another worker: this thread keeps the connection then.
                THIS_THREAD.set(Some((target, conn.clone())));
                Ok(conn)
            }
        }
    }
}

thread_local! {
    /// This thread's connection, and the database it is to (a thread may serve several servers).
    static THIS_THREAD: RefCell<Option<(Weak<Target>, Conn)>> = const { RefCell::new(None) };
}

/// An open connection with TechEmpower's statements prepared on it.
#[derive(Clone)]
pub struct Conn(Arc<Prepared>);

struct Prepared {
    client: Client,
    world: Statement,
    fortunes: Statement,
    update: Statement,
}

impl Conn {
    async fn open(target: &Target) -> Result<Conn, Error> {
        let stream = server_core::connect(target.addr).await?;
        let (client, connection) = target.config.connect_raw(stream.compat(), NoTls).await?;
        server_core::spawn(async move {
            let _ = connection.await; // ends when every handle to the client is gone, or the server goes
        });
        let (world, fortunes, update) = try_join3(
            client.prepare("SELECT id, randomnumber FROM world WHERE id = $1"),
            client.prepare("SELECT id, message FROM fortune"),
            client.prepare(
                "UPDATE world SET randomnumber = new.randomnumber FROM \
                 (SELECT unnest($1::int[]) AS id, unnest($2::int[]) AS randomnumber) AS new \
                 WHERE world.id = new.id",
            ),
        )
        .await?;
        Ok(Conn(Arc::new(Prepared {
            world,
            fortunes,
            update,
            client,
        })))
    }

    /// One World row by id, one SELECT.
    pub async fn world(&self, id: i32) -> Result<World, Error> {
        let row = self.0.client.query_one(&self.0.world, &[&id]).await?;
        Ok(World {
            id: row.get(0),
            random_number: row.get(1),
        })
    }

    /// `ids.len()` rows, one SELECT each, issued together (pipelined on this connection).
    pub async fn worlds(&self, ids: &[i32]) -> Result<Vec<World>, Error> {
        join_all(ids.iter().map(|&id| self.world(id)))
            .await
            .into_iter()
            .collect()
    }

    /// Every Fortune row, `(id, message)`, in the table's order.
    pub async fn fortunes(&self) -> Result<Vec<(i32, String)>, Error> {
        let rows = self.0.client.query(&self.0.fortunes, &[]).await?;
        Ok(rows.iter().map(|row| (row.get(0), row.get(1))).collect())
    }

    /// Writes `worlds`' random numbers in one statement.
    pub async fn update(&self, worlds: &[World]) -> Result<(), Error> {
        let mut worlds = worlds.to_vec();
        // In id order, so that concurrent updates of the same rows cannot deadlock.
        worlds.sort_unstable_by_key(|w| w.id);
        let ids: Vec<i32> = worlds.iter().map(|w| w.id).collect();
        let numbers: Vec<i32> = worlds.iter().map(|w| w.random_number).collect();
        self.0.client.execute(&self.0.update, &[&ids, &numbers]).await?;
        Ok(())
    }
}
