//! Thread-per-core, written once: `Config::workers` threads, each running a single-threaded runtime
//! of its own, and an acceptor that hands every connection to one of them for good.
//!
//! A backend supplies the runtime ([`CoreRuntime`]: build it on its thread, serve what it is handed);
//! [`serve_per_core`] does the threads, the optional CPU pinning, the acceptor, start-up errors and
//! shutdown. After the handoff nothing is shared between workers: no work stealing, no cross-core
//! wake-ups on the request path, and a connection's future need not be `Send`.
//!
//! Why one acceptor rather than a `SO_REUSEPORT` listener per worker (what the fastest TechEmpower
//! entries use): the kernel spreads reuseport connections by a hash of their addresses, blind to load,
//! so a few heavy keep-alive connections can all land on one worker while another idles (see
//! docs/models.md for the measurement). The acceptor gives each connection to the worker with the
//! fewest open connections, in turn among equals. It costs one thread hop per accepted connection,
//! none per request; and the accept loop, `max_connections` and graceful shutdown are the same code
//! as every other backend's (a blocking accept on a thread of its own, as thread-per-connection does).

use std::io;
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

use crate::server::BlockingListener;
use crate::{Accepted, Config, Handler, Runtime, ServerHandle, Shared, ThreadPark, accept_loop, block_on};

/// A single-threaded runtime that one per-core worker runs.
pub trait CoreRuntime: Sized + 'static {
    /// The backend's name, for start-up errors. (Worker threads are named `core-<i>`, the acceptor
    /// `accept`.)
    const NAME: &'static str;

    /// Builds this worker's runtime, on the worker's own thread. An error here fails
    /// [`serve_per_core`], with the backend's name and the worker's index added.
    fn build() -> io::Result<Self>;

    /// Serves every connection `assigned` hands over, each until it closes; returns when `assigned`
    /// ends (at shutdown, once the connections have finished or been cut), dropping what remains.
    fn run<H: Handler>(self, assigned: Assigned, handler: Arc<H>);
}

/// The connections handed to one worker.
pub struct Assigned(async_channel::Receiver<Accepted<TcpStream>>);

impl Assigned {
    /// The next connection for this worker, or `None` at shutdown. The stream is blocking; the worker
    /// makes it non-blocking if its runtime needs that.
    pub async fn next(&self) -> Option<Accepted<TcpStream>> {
        self.0.recv().await.ok()
    }
}

/// Serves `handler` on `config.workers` per-core workers running `R`; see the module docs.
/// `runtime` serves [`sleep`](crate::sleep) for handlers; it is also what the acceptor backs off with.
pub fn serve_per_core<R: CoreRuntime, H: Handler>(
    listener: TcpListener,
    config: Config,
    runtime: &'static dyn Runtime,
    handler: H,
) -> io::Result<ServerHandle> {
    let addr = listener.local_addr()?;
    let workers = config.workers.max(1);
    let cpus = if config.pin_workers {
        allowed_cpus()?
    } else {
        Vec::new()
    };
    let shared = Shared::new(config, runtime);
    let handler = Arc::new(handler);

    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let mut senders = Vec::with_capacity(workers);
    let mut threads = Vec::with_capacity(workers);
    for index in 0..workers {
        let (tx, rx) = async_channel::unbounded();
        senders.push((tx, Arc::new(AtomicUsize::new(0))));
        let cpu = (!cpus.is_empty()).then(|| cpus[index % cpus.len()]);
        let (handler, ready) = (Arc::clone(&handler), ready_tx.clone());
        let worker = thread::Builder::new()
            .name(format!("core-{index}"))
            .spawn(move || {
                let built = cpu.map_or(Ok(()), pin_to).and_then(|()| R::build());
                match built {
                    Ok(rt) => {
                        let _ = ready.send(Ok(()));
                        rt.run(Assigned(rx), handler);
                    }
                    Err(e) => {
                        let _ = ready.send(Err(io::Error::new(
                            e.kind(),
                            format!("{} worker {index} could not start: {e}", R::NAME),
                        )));
                    }
                }
            });
        match worker {
            Ok(worker) => threads.push(worker),
            Err(e) => {
                drop(senders);
                join_all(threads);
                return Err(e);
            }
        }
    }
    drop(ready_tx);
    for _ in 0..workers {
        if let Err(e) = ready_rx
            .recv()
            .unwrap_or_else(|_| Err(io::Error::other("worker died")))
        {
            drop(senders);
            join_all(threads);
            return Err(e);
        }
    }

    let acceptor_shared = Arc::clone(&shared);
    let acceptor_senders = senders.clone();
    let acceptor = thread::Builder::new().name("accept".into()).spawn(move || {
        let mut next = 0;
        let spawn = |mut conn: Accepted<TcpStream>| {
            let (tx, load) = least_loaded(&acceptor_senders, &mut next);
            conn.guard.count_in(Arc::clone(load));
            let _ = tx.try_send(conn); // unbounded: fails only once the worker has gone
        };
        block_on::<ThreadPark, _>(accept_loop(BlockingListener(listener), acceptor_shared, spawn));
    })?;
    Ok(ServerHandle::new(addr, shared, move || {
        let _ = acceptor.join();
        drop(senders); // the last senders: each worker's `Assigned` ends, and its runtime with it
        join_all(threads);
    }))
}

type WorkerQueue = (async_channel::Sender<Accepted<TcpStream>>, Arc<AtomicUsize>);

/// The worker with the fewest open connections, the first at or after `next` among equals.
fn least_loaded<'a>(workers: &'a [WorkerQueue], next: &mut usize) -> &'a WorkerQueue {
    let n = workers.len();
    let start = *next % n;
    let best = (0..n)
        .map(|i| (start + i) % n)
        .min_by_key(|&i| workers[i].1.load(Ordering::Relaxed))
        .expect("at least one worker");
    *next = best + 1;
    &workers[best]
}

fn join_all(threads: Vec<thread::JoinHandle<()>>) {
    for t in threads {
        let _ = t.join();
    }
}

/// The CPUs this process may run on, in order (so that under `taskset` workers pin within its set).
fn allowed_cpus() -> io::Result<Vec<usize>> {
    // SAFETY: a zeroed cpu_set_t is a valid empty set; sched_getaffinity fills it for this thread.
    let set = unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        if libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set) != 0 {
            return Err(io::Error::last_os_error());
        }
        set
    };
    // SAFETY: CPU_ISSET reads a bit of a valid set; the index is below CPU_SETSIZE.
    Ok((0..libc::CPU_SETSIZE as usize)
        .filter(|&cpu| unsafe { libc::CPU_ISSET(cpu, &set) })
        .collect())
}

/// Pins the calling thread to `cpu`.
fn pin_to(cpu: usize) -> io::Result<()> {
    // SAFETY: builds a one-CPU set and applies it to the calling thread.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(cpu, &mut set);
        if libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set) != 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pinned_thread_runs_on_its_cpu_only() {
        let last = *allowed_cpus().unwrap().last().unwrap();
        let seen = std::thread::spawn(move || pin_to(last).and_then(|()| allowed_cpus()))
            .join()
            .unwrap()
            .unwrap();
        assert_eq!(seen, [last]);
    }

    #[test]
    fn connections_go_to_the_least_loaded_worker_in_turn_among_equals() {
        let workers: Vec<WorkerQueue> = (0..3)
            .map(|_| (async_channel::unbounded().0, Arc::new(AtomicUsize::new(0))))
            .collect();
        let mut next = 0;
        let pick = |next: &mut usize| {
            let chosen = least_loaded(&workers, next);
            chosen.1.fetch_add(1, Ordering::Relaxed);
            workers.iter().position(|w| Arc::ptr_eq(&w.1, &chosen.1)).unwrap()
        };
        assert_eq!([pick(&mut next), pick(&mut next), pick(&mut next)], [0, 1, 2]);
        workers[1].1.fetch_sub(1, Ordering::Relaxed); // a connection on worker 1 closes
        assert_eq!(pick(&mut next), 1);
        assert_eq!(
            pick(&mut next),
            2,
            "all equal again: the turn goes on from where it was"
        );
    }
}
