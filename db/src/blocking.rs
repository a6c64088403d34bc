//! [`Strategy::Blocking`](crate::Strategy::Blocking): the sync `postgres` client, one connection
//! per thread that calls it, each call blocking that thread until the answer is in.
//!
//! It is what a thread-per-connection server would naturally use, and what goes wrong where it
//! should not be used: inline on a may worker it blocks the worker and every coroutine queued on
//! it; inline on a tokio worker it cannot run at all (the client blocks on a tokio runtime of its
//! own, and tokio refuses to start one inside another: the handler panics, a 500). Through
//! [`server_core::unblock`] it runs on the blocking pool instead, a connection per pool thread.
//!
//! Its bounds ([`Timeouts`](crate::Timeouts)) are the sync client's own, since nothing can cut a
//! blocked call short from outside: `connect_timeout` for the TCP connect, `tcp_user_timeout` for
//! data the peer never acknowledges (a database host gone), and PostgreSQL's `statement_timeout`
//! for a slow statement. A database that accepts and then says nothing (a hung postmaster, a
//! listener that never answers) holds the call until its socket closes: offloaded, the request is
//! answered when the connect and query bounds have passed, and the pool thread (one of the
//! offload queue's bounded places) is held meanwhile; inline, the handler's thread is.
//!
//! A thread's connection lives as long as the thread: a connection's thread on `threads`, a
//! runtime's worker or an offload pool thread until the process ends (blocking 1.7, the pool's
//! crate, keeps idle threads below its limit of 500), so a pool of at most that many connections. It is closed on a thread
//! of its own: closing blocks on the client's own tokio runtime, which a thread that is ending may
//! no longer reach.

use std::cell::RefCell;
use std::sync::mpsc::{Sender, channel};
use std::sync::{Mutex, OnceLock};

use postgres::{Client, Config, NoTls};

use crate::{Error, SQL_FORTUNES, SQL_UPDATE, SQL_WORLD, Statements};

/// A thread's open connection, with the statements prepared on it.
struct Prepared {
    /// The URL it was opened to: a thread may serve several databases.
    url: String,
    client: Client,
    statements: Statements,
}

/// A thread's connection, if it has one.
struct Slot(Option<Prepared>);

impl Drop for Slot {
    /// At thread exit the client cannot close itself: closing blocks on its own tokio runtime,
    /// which needs tokio's thread-locals, perhaps already gone (the process aborts). So it goes to
    /// a thread that closes each connection it is given.
    fn drop(&mut self) {
        static CLOSER: OnceLock<Mutex<Sender<Prepared>>> = OnceLock::new();
        let Some(conn) = self.0.take() else { return };
        let closer = CLOSER.get_or_init(|| {
            let (send, closing) = channel::<Prepared>();
            std::thread::Builder::new()
                .name("postgres-closer".into())
                .spawn(move || closing.into_iter().for_each(drop))
                .expect("spawning the closer thread");
            Mutex::new(send)
        });
        let _ = closer.lock().unwrap_or_else(|e| e.into_inner()).send(conn);
    }
}

thread_local! {
    static THIS_THREAD: RefCell<Slot> = const { RefCell::new(Slot(None)) };
}

/// Runs `query` on this thread's connection to `url` (configured by `config`), opened (again)
/// first where there is none or it broke; blocks the thread throughout.
#[inline(never)]
pub(crate) fn with_conn<T>(
    url: &str,
    config: &Config,
    query: impl FnOnce(&mut Client, &Statements) -> Result<T, postgres::Error>,
) -> Result<T, Error> {
    THIS_THREAD.with_borrow_mut(|Slot(this)| {
        if !this
            .as_ref()
            .is_some_and(|c| c.url == url && !c.client.is_closed())
        {
            // The broken one first, so that it is not open beside its replacement.
            *this = None;
            *this = Some(open(url, config)?);
        }
        let conn = this.as_mut().expect("just opened");
        Ok(query(&mut conn.client, &conn.statements)?)
    })
}

fn open(url: &str, config: &Config) -> Result<Prepared, Error> {
    let mut client = config.connect(NoTls)?;
    let statements = Statements {
        world: client.prepare(SQL_WORLD)?,
        fortunes: client.prepare(SQL_FORTUNES)?,
        update: client.prepare(SQL_UPDATE)?,
    };
    Ok(Prepared {
        url: url.to_owned(),
        client,
        statements,
    })
}
