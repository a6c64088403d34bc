//! # db: TechEmpower's database work on every backend
//!
//! A PostgreSQL client whose socket is opened with [`server_core::connect`] and whose connection
//! task runs under [`server_core::spawn`], so the same handler code queries the database on every
//! backend, each driving the socket natively. The client is `tokio-postgres` over that socket
//! (`connect_raw`; its `Connection` is a plain future and needs no tokio runtime): requests issued
//! together on one connection are pipelined, each query with its own Sync.
//!
//! Connection strategies ([`Strategy`]), the choice the bench measures:
//! - **per thread**: one pipelined connection per thread that runs handlers, opened on first use and
//!   reopened once broken: a connection per worker on the async and per-core backends (TechEmpower's
//!   leaders), a connection per connection thread on `threads` and per may worker on `coroutine`;
//! - **pool**: a shared pool of N connections, each held by one request at a time (what most
//!   applications run, deadpool- and bb8-style); a request waits for a free one at most a bounded
//!   time and then fails with [`Exhausted`];
//! - **blocking**: the sync `postgres` client, a connection per thread that calls it, called
//!   inline (blocking the handler's thread) or through [`server_core::unblock`]: what a blocking
//!   driver costs where it is natural and where it is not (see [`blocking`]'s docs).
//!
//! A broken connection (the database restarted) fails the queries in flight on it; the next
//! request opens a new one. Nothing waits on a database that is not there: connecting to it is
//! refused at once. Nothing waits long on one that does not answer (blackholed, hung, or slow):
//! opening a connection, preparing its statements and each query have a bound ([`Timeouts`]), and
//! a request that meets it fails with [`TimedOut`]; [`error_response`] answers that, like any
//! failure to reach the database, with a `503`.
//!
//! [`fixture::Postgres`] starts a server of the project's own.

pub mod blocking;
pub mod fixture;

use std::cell::RefCell;
use std::fmt;
use std::net::{SocketAddr, ToSocketAddrs};
use std::ops::Deref;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use futures_util::future::{abortable, join_all, try_join3};
use server_core::{Response, StatusCode};
use tokio_postgres::{Client, NoTls, Statement};
use tokio_util::compat::FuturesAsyncReadCompatExt;

/// What a query can fail with: the connection could not be opened, or PostgreSQL said no.
pub type Error = Box<dyn std::error::Error + Send + Sync>;

const SQL_WORLD: &str = "SELECT id, randomnumber FROM world WHERE id = $1";
const SQL_EVERY_WORLD: &str = "SELECT id, randomnumber FROM world";
const SQL_FORTUNES: &str = "SELECT id, message FROM fortune";
/// Every row given in one statement (TechEmpower allows a batch update).
const SQL_UPDATE: &str = "UPDATE world SET randomnumber = new.randomnumber FROM \
     (SELECT unnest($1::int[]) AS id, unnest($2::int[]) AS randomnumber) AS new \
     WHERE world.id = new.id";

/// A row of TechEmpower's World table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct World {
    /// 1..=10,000.
    pub id: i32,
    /// 1..=10,000.
    pub random_number: i32,
}

/// How handlers share connections to the database (see the crate docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strategy {
    /// One pipelined connection per thread that runs handlers.
    PerThread,
    /// A shared pool of `size` connections, one request on each at a time; a request waits at most
    /// `wait` for one to be free.
    Pool {
        /// Connections, at least 1.
        size: usize,
        /// The longest a request waits for a free connection before [`Exhausted`].
        wait: Duration,
    },
    /// The sync `postgres` client, a connection per thread that calls it ([`blocking`]).
    Blocking {
        /// Each call through [`server_core::unblock`] (on the blocking pool) rather than inline.
        offload: bool,
    },
}

/// How long the database may take; [`Db::with_timeouts`] sets them, [`Db::new`] takes the defaults.
///
/// Without them a blackholed database (its SYNs dropped) holds each request for the kernel's SYN
/// retries (over two minutes on Linux), and a hung one for ever. The common clients wait that long
/// by default: libpq and tokio-postgres set no `connect_timeout`, deadpool no create or wait
/// timeout; sqlx bounds acquiring (connecting included) at 30 s. The defaults here are tighter, for a
/// server answering clients: a 503 after seconds, not a request held beyond what its client waits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    /// Opening a connection: the TCP connect and PostgreSQL's startup (authentication included).
    /// Default [`CONNECT_TIMEOUT`].
    pub connect: Duration,
    /// Preparing the statements on a new connection, and each query or update; also PostgreSQL's
    /// own `statement_timeout` for this client's sessions, so that the server abandons what the
    /// client gave up on. Default [`QUERY_TIMEOUT`].
    pub query: Duration,
}

/// 3 s: a local or same-region database connects in milliseconds, and one that has not done so in
/// 3 s is down or blackholed (Linux's first SYN retransmission is at 1 s, the second at 3 s).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// 5 s: TechEmpower's heaviest request (500 reads, or 500 reads and an update of 500 rows) takes
/// milliseconds; a statement still running after 5 s waits on a lock or an overloaded server, and
/// its client is better answered 503 than kept.
pub const QUERY_TIMEOUT: Duration = Duration::from_secs(5);

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: CONNECT_TIMEOUT,
            query: QUERY_TIMEOUT,
        }
    }
}

/// The database did not do `what` (`"connect"`, `"prepare"`, `"query"`) within its bound.
#[derive(Debug)]
pub struct TimedOut {
    /// What was bounded.
    pub what: &'static str,
    /// The bound.
    pub after: Duration,
}

impl fmt::Display for TimedOut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "database {} not done within {:?}", self.what, self.after)
    }
}

impl std::error::Error for TimedOut {}

/// `fut` within `limit`, else [`TimedOut`].
async fn bounded<T>(
    limit: Duration,
    what: &'static str,
    fut: impl Future<Output = Result<T, Error>>,
) -> Result<T, Error> {
    match server_core::timeout(limit, fut).await {
        Ok(out) => out,
        Err(_) => Err(TimedOut { what, after: limit }.into()),
    }
}

/// Whether `e` means the database could not be reached or could not answer now (so that a later
/// try may succeed: a 503), rather than that it refused the request (a 500): [`Exhausted`],
/// [`TimedOut`], a full offload queue, a connection refused, reset or closed, and PostgreSQL's own
/// errors of classes 08 (connection), 40 (serialization failure, deadlock), 53 (insufficient
/// resources: too many connections), 57 (operator intervention: shutting down, starting up, a
/// statement cancelled by `statement_timeout`).
pub fn is_unavailable(e: &Error) -> bool {
    if e.is::<Exhausted>()
        || e.is::<TimedOut>()
        || e.is::<server_core::Overloaded>()
        || e.is::<std::io::Error>()
        || e.is::<async_channel::RecvError>()
    {
        return true;
    }
    let Some(e) = e.downcast_ref::<tokio_postgres::Error>() else {
        return false;
    };
    match e.as_db_error() {
        Some(db) => ["08", "40", "53", "57"].contains(&&db.code().code()[..2]),
        None => e.is_closed() || std::error::Error::source(e).is_some_and(|s| s.is::<std::io::Error>()),
    }
}

/// The answer to a request whose database work failed with `e`: `503 Service Unavailable` with
/// `Retry-After: 1` and a one-line reason where the database is unavailable ([`is_unavailable`]),
/// else `500 Internal Server Error` saying only "database error" (PostgreSQL's message may name
/// tables and values the client has no business seeing).
pub fn error_response(e: &Error) -> Response {
    if !is_unavailable(e) {
        return Response::text("database error\n").with_status(StatusCode::INTERNAL_SERVER_ERROR);
    }
    let reason = e.to_string();
    let mut line = reason.lines().next().unwrap_or("").to_owned();
    if line.len() > 200 {
        let mut end = 200;
        while !line.is_char_boundary(end) {
            end -= 1;
        }
        line.truncate(end);
    }
    Response::text(format!("database unavailable: {line}\n"))
        .with_status(StatusCode::SERVICE_UNAVAILABLE)
        .with_header(server_core::header::RETRY_AFTER, "1")
}

/// Every connection of the pool was busy for the whole bounded wait.
#[derive(Debug)]
pub struct Exhausted(pub Duration);

impl fmt::Display for Exhausted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "no free database connection within {:?}", self.0)
    }
}

impl std::error::Error for Exhausted {}

/// Where the database is and how handlers reach it; cheap to clone into every handler.
#[derive(Clone)]
pub struct Db(Arc<Target>);

struct Target {
    url: String,
    addr: SocketAddr,
    config: tokio_postgres::Config,
    /// The same for the sync client, with its socket-level bounds ([`blocking`]'s docs).
    sync_config: postgres::Config,
    timeouts: Timeouts,
    strategy: Strategy,
    /// The pool's free slots, one per connection not in use (`None`: not yet, or no longer,
    /// connected): a request takes one and gives it back when done. Empty under
    /// [`Strategy::PerThread`].
    slots: (async_channel::Sender<Slot>, async_channel::Receiver<Slot>),
    /// Under [`Strategy::PerThread`], every thread's connection: held here, not by the threads, so
    /// that they close when the `Db` goes, although a runtime's worker threads may outlive it (and
    /// each leaves it when its thread ends; see [`Held`]).
    per_thread: Mutex<Vec<Arc<Prepared>>>,
}

impl Db {
    /// A database at `url` (`postgres://user@host:port/name`), its host resolved now, with the
    /// default [`Timeouts`].
    pub fn new(url: &str, strategy: Strategy) -> Result<Db, String> {
        Db::with_timeouts(url, strategy, Timeouts::default())
    }

    /// [`Db::new`] with the given bounds on connecting and querying.
    pub fn with_timeouts(url: &str, strategy: Strategy, timeouts: Timeouts) -> Result<Db, String> {
        let mut config: tokio_postgres::Config = url.parse().map_err(|e| format!("{url}: {e}"))?;
        // The server gives up on a statement when this client does (at least 1 ms: 0 is "none").
        let statement_timeout = timeouts.query.as_millis().max(1);
        let options = match config.get_options() {
            Some(options) => format!("{options} -c statement_timeout={statement_timeout}"),
            None => format!("-c statement_timeout={statement_timeout}"),
        };
        config.options(&options);
        let mut sync_config = postgres::Config::from(config.clone());
        sync_config
            .connect_timeout(timeouts.connect)
            .tcp_user_timeout(timeouts.query);
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
        let slots = match strategy {
            Strategy::PerThread | Strategy::Blocking { .. } => 0,
            Strategy::Pool { size: 0, .. } => return Err("a pool needs at least 1 connection".into()),
            Strategy::Pool { size, .. } => size,
        };
        let free = async_channel::bounded(slots.max(1));
        for _ in 0..slots {
            let _ = free.0.try_send(None);
        }
        Ok(Db(Arc::new(Target {
            url: url.to_owned(),
            addr,
            config,
            sync_config,
            timeouts,
            strategy,
            per_thread: Mutex::new(Vec::new()),
            slots: free,
        })))
    }

    /// A connection for this request, per the strategy; under a pool, it is this request's alone
    /// until the [`Lease`] is dropped.
    pub async fn conn(&self) -> Result<Lease, Error> {
        match self.0.strategy {
            Strategy::PerThread => self.this_threads().await.map(|conn| Lease {
                conn: Some(Conn(Link::Pipelined(conn))),
                pool: None,
            }),
            Strategy::Pool { wait, .. } => self.lease(wait).await,
            Strategy::Blocking { offload } => Ok(Lease {
                conn: Some(Conn(Link::Blocking {
                    target: self.0.clone(),
                    offload,
                })),
                pool: None,
            }),
        }
    }

    async fn lease(&self, wait: Duration) -> Result<Lease, Error> {
        let slot = match server_core::timeout(wait, self.0.slots.1.recv()).await {
            Ok(Ok(slot)) => slot,
            Ok(Err(closed)) => return Err(closed.into()),
            Err(_) => return Err(Exhausted(wait).into()),
        };
        // Dropped unfinished (the client left while the connection opened), it still frees the slot.
        let mut lease = Lease {
            conn: slot
                .filter(|conn| !conn.client.is_closed())
                .map(|conn| Conn(Link::Pipelined(conn))),
            pool: Some(self.0.clone()),
        };
        if lease.conn.is_none() {
            lease.conn = Some(Conn(Link::Pipelined(Prepared::open(&self.0).await?)));
        }
        Ok(lease)
    }

    async fn this_threads(&self) -> Result<Arc<Prepared>, Error> {
        let target = Arc::downgrade(&self.0);
        if let Some(conn) = this_threads_conn(&target) {
            return Ok(conn);
        }
        let conn = Prepared::open(&self.0).await?;
        let mut all = self.0.per_thread.lock().unwrap_or_else(|e| e.into_inner());
        all.retain(|conn| !conn.client.is_closed());
        all.push(conn.clone());
        drop(all);
        // The handler may have resumed on another worker: this thread keeps the connection then.
        // The one it held before (broken, or another database's) leaves its Db's list.
        hold(Held {
            target,
            conn: Arc::downgrade(&conn),
        });
        Ok(conn)
    }
}

/// This thread's connection to `target`, if it has a working one.
///
/// Never inlined, nor is [`hold`]: a may coroutine that parks at an `.await` may resume on another
/// thread, and a thread-local's address computed before it could be reused after it (server-core's
/// `runtime.rs` explains), so that two threads would share one slot.
#[inline(never)]
fn this_threads_conn(target: &Weak<Target>) -> Option<Arc<Prepared>> {
    THIS_THREAD.with_borrow(|held| {
        let held = held.as_ref().filter(|held| held.target.ptr_eq(target))?;
        held.conn.upgrade().filter(|conn| !conn.client.is_closed())
    })
}

#[inline(never)]
fn hold(held: Held) {
    // The previous value is dropped outside the borrow: its Drop takes its Db's lock.
    let previous = THIS_THREAD.replace(Some(held));
    drop(previous);
}

/// A thread's connection under [`Strategy::PerThread`]: owned by its `Db`, and closed when the
/// thread ends (a connection's thread on `threads`) or the `Db` goes, whichever is first.
struct Held {
    target: Weak<Target>,
    conn: Weak<Prepared>,
}

impl Drop for Held {
    fn drop(&mut self) {
        if let Some(target) = self.target.upgrade() {
            let mut all = target.per_thread.lock().unwrap_or_else(|e| e.into_inner());
            all.retain(|conn| !std::ptr::eq(Arc::as_ptr(conn), self.conn.as_ptr()));
        }
    }
}

/// A connection held for one request; see [`Db::conn`].
pub struct Lease {
    conn: Option<Conn>,
    /// Where it goes back when dropped, under a pool.
    pool: Option<Arc<Target>>,
}

impl Deref for Lease {
    type Target = Conn;

    fn deref(&self) -> &Conn {
        self.conn
            .as_ref()
            .expect("a lease holds its connection until dropped")
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        if let Some(pool) = &self.pool {
            let conn = match self.conn.take() {
                Some(Conn(Link::Pipelined(conn))) => Some(conn).filter(|c| !c.client.is_closed()),
                _ => None,
            };
            // Never full: there are as many places as slots, and this one was taken.
            let _ = pool.slots.0.try_send(conn);
        }
    }
}

thread_local! {
    /// This thread's connection, and the database it is to (a thread may serve several servers).
    static THIS_THREAD: RefCell<Option<Held>> = const { RefCell::new(None) };
}

/// A pool's place for one connection: `None` until it is opened, and again once it broke.
type Slot = Option<Arc<Prepared>>;

/// A request's way to the database: a pipelined connection, or this thread's blocking one.
pub struct Conn(Link);

enum Link {
    Pipelined(Arc<Prepared>),
    Blocking { target: Arc<Target>, offload: bool },
}

/// TechEmpower's statements, prepared on one connection (of either client: `postgres` shares
/// tokio-postgres's `Statement`).
struct Statements {
    world: Statement,
    fortunes: Statement,
    update: Statement,
}

/// An open pipelined connection with TechEmpower's statements prepared on it.
struct Prepared {
    client: Client,
    statements: Statements,
    /// Each query's bound.
    query_timeout: Duration,
}

impl Prepared {
    /// Connects within `timeouts.connect` and prepares within `timeouts.query`.
    async fn open(target: &Target) -> Result<Arc<Prepared>, Error> {
        let timeouts = target.timeouts;
        let connecting = async {
            let stream = server_core::connect(target.addr).await?;
            Ok(target.config.connect_raw(stream.compat(), NoTls).await?)
        };
        // Cut short, it drops the socket.
        let (client, connection) = bounded(timeouts.connect, "connect", connecting).await?;
        let (connection, abort) = abortable(connection);
        server_core::spawn(async move {
            let _ = connection.await; // ends when every handle to the client is gone, or the server goes
        });
        let preparing = async {
            Ok(try_join3(
                client.prepare(SQL_WORLD),
                client.prepare(SQL_FORTUNES),
                client.prepare(SQL_UPDATE),
            )
            .await?)
        };
        let (world, fortunes, update) = match bounded(timeouts.query, "prepare", preparing).await {
            Ok(statements) => statements,
            Err(e) => {
                // The connection would wait for the unanswered prepares for as long as the server
                // stays silent: it goes now, with its socket.
                abort.abort();
                return Err(e);
            }
        };
        Ok(Arc::new(Prepared {
            client,
            statements: Statements {
                world,
                fortunes,
                update,
            },
            query_timeout: timeouts.query,
        }))
    }

    /// `query` within this connection's bound.
    async fn bounded<T>(
        &self,
        query: impl Future<Output = Result<T, tokio_postgres::Error>>,
    ) -> Result<T, Error> {
        bounded(self.query_timeout, "query", async { Ok(query.await?) }).await
    }

    async fn world(&self, id: i32) -> Result<World, Error> {
        let row = self
            .bounded(self.client.query_one(&self.statements.world, &[&id]))
            .await?;
        Ok(world_of(&row))
    }
}

/// `query` on this thread's blocking connection: on this thread, or on a blocking-pool thread.
///
/// Offloaded, the request waits at most the connect and query bounds together (a full offload
/// queue's wait included), then fails with [`TimedOut`] while the pool thread finishes on its own;
/// inline, only the sync client's own bounds apply ([`blocking`]'s docs).
async fn blocking<T: Send + 'static>(
    target: &Arc<Target>,
    offload: bool,
    query: impl FnOnce(&mut postgres::Client, &Statements) -> Result<T, postgres::Error> + Send + 'static,
) -> Result<T, Error> {
    if offload {
        let bound = target.timeouts.connect + target.timeouts.query;
        let target = target.clone();
        let job =
            server_core::try_unblock(move || blocking::with_conn(&target.url, &target.sync_config, query));
        match server_core::timeout(bound, job).await {
            Ok(Ok(result)) => result,
            Ok(Err(overloaded)) => Err(overloaded.into()),
            Err(_) => Err(TimedOut {
                what: "query",
                after: bound,
            }
            .into()),
        }
    } else {
        blocking::with_conn(&target.url, &target.sync_config, query)
    }
}

fn world_of(row: &tokio_postgres::Row) -> World {
    World {
        id: row.get(0),
        random_number: row.get(1),
    }
}

impl Conn {
    /// One World row by id, one SELECT.
    pub async fn world(&self, id: i32) -> Result<World, Error> {
        match &self.0 {
            Link::Pipelined(conn) => conn.world(id).await,
            Link::Blocking { target, offload } => {
                blocking(target, *offload, move |client, s| {
                    Ok(world_of(&client.query_one(&s.world, &[&id])?))
                })
                .await
            }
        }
    }

    /// `ids.len()` rows, one SELECT each: issued together where the connection pipelines, else
    /// one after another.
    pub async fn worlds(&self, ids: &[i32]) -> Result<Vec<World>, Error> {
        match &self.0 {
            Link::Pipelined(conn) => join_all(ids.iter().map(|&id| conn.world(id)))
                .await
                .into_iter()
                .collect(),
            Link::Blocking { target, offload } => {
                let ids = ids.to_vec();
                blocking(target, *offload, move |client, s| {
                    ids.iter()
                        .map(|id| Ok(world_of(&client.query_one(&s.world, &[id])?)))
                        .collect()
                })
                .await
            }
        }
    }

    /// Every World row, in one SELECT (to fill a cache).
    pub async fn every_world(&self) -> Result<Vec<World>, Error> {
        let rows = match &self.0 {
            Link::Pipelined(conn) => conn.bounded(conn.client.query(SQL_EVERY_WORLD, &[])).await?,
            Link::Blocking { target, offload } => {
                blocking(target, *offload, |client, _| client.query(SQL_EVERY_WORLD, &[])).await?
            }
        };
        Ok(rows.iter().map(world_of).collect())
    }

    /// Every Fortune row, `(id, message)`, in the table's order.
    pub async fn fortunes(&self) -> Result<Vec<(i32, String)>, Error> {
        let rows = match &self.0 {
            Link::Pipelined(conn) => {
                conn.bounded(conn.client.query(&conn.statements.fortunes, &[]))
                    .await?
            }
            Link::Blocking { target, offload } => {
                blocking(target, *offload, |client, s| client.query(&s.fortunes, &[])).await?
            }
        };
        Ok(rows.iter().map(|row| (row.get(0), row.get(1))).collect())
    }

    /// Writes `worlds`' random numbers in one statement.
    pub async fn update(&self, worlds: &[World]) -> Result<(), Error> {
        let mut worlds = worlds.to_vec();
        // In id order, so that concurrent updates of the same rows cannot deadlock.
        worlds.sort_unstable_by_key(|w| w.id);
        let ids: Vec<i32> = worlds.iter().map(|w| w.id).collect();
        let numbers: Vec<i32> = worlds.iter().map(|w| w.random_number).collect();
        match &self.0 {
            Link::Pipelined(conn) => {
                conn.bounded(conn.client.execute(&conn.statements.update, &[&ids, &numbers]))
                    .await?
            }
            Link::Blocking { target, offload } => {
                blocking(target, *offload, move |client, s| {
                    client.execute(&s.update, &[&ids, &numbers])
                })
                .await?
            }
        };
        Ok(())
    }
}
