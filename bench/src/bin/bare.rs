//! The floor of each runtime: the least a `/plaintext` server on it can cost per request. Each
//! connection reads, counts the complete request heads read (up to each blank line), and writes one
//! fixed answer per head, all of a read's answers in one write: no parsing, no validation, no `http`
//! types, no handler, no timeouts. The answer is our backends' own, byte for byte, with a fixed date.
//!
//! Run beside the real backends, in the same interleaved rounds (`bench --floors`), it splits a
//! backend's CPU per request into what its runtime and the kernel cost (this) and what the HTTP engine
//! adds on top (the difference): a target that asks a backend for less than its runtime's floor plus
//! the engine's own floor (`cargo bench -p server-core --bench engine -- floor`) cannot be met by any
//! engine on that runtime.
//!
//! `bare --runtime tokio|tokio-per-core|compio|smol|threads --addr 127.0.0.1:8080`. Workers: the CPUs
//! this process may run on, as `Config::workers` defaults; `tokio` is one multi-thread runtime of that
//! many workers, `smol` one executor run on that many threads, `threads` a thread per connection, the
//! others one single-threaded runtime per worker, each accepting from the shared listener; compio's
//! ring is set up as the compio backend sets up its own.

use std::io;
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;

use clap::{Parser, ValueEnum};

const ANSWER: &[u8] =
    b"HTTP/1.1 200 OK\r\ncontent-type: text/plain; charset=utf-8\r\nserver: server-core\r\n\
date: Wed, 02 Dec 2026 15:04:31 GMT\r\ncontent-length: 13\r\n\r\nHello, World!";
const READ_LEN: usize = 4096;

#[derive(Clone, Copy, ValueEnum)]
enum Runtime {
    /// tokio's multi-thread (work-stealing) runtime, on epoll.
    Tokio,
    /// A tokio current-thread runtime per worker, on epoll.
    TokioPerCore,
    /// A compio runtime per worker, on io_uring.
    Compio,
    /// smol's executor on N threads, on epoll through async-io.
    Smol,
    /// A blocking OS thread per connection.
    Threads,
}

#[derive(Parser)]
struct Args {
    #[arg(long, value_enum)]
    runtime: Runtime,
    #[arg(long)]
    addr: SocketAddr,
}

/// A connection's unanswered bytes and its next write.
struct Pending {
    buf: Vec<u8>,
    /// `buf[..kept]`: the start of a head not complete yet.
    kept: usize,
    out: Vec<u8>,
}

impl Pending {
    fn new() -> Self {
        Pending {
            buf: vec![0; 2 * READ_LEN],
            kept: 0,
            out: Vec::new(),
        }
    }

    /// Where the next read goes: at least `READ_LEN` bytes.
    fn room(&mut self) -> &mut [u8] {
        &mut self.buf[self.kept..]
    }

    /// Takes `n` bytes read into [`room`](Self::room): one answer per head they complete (a head
    /// ends at a blank line), all in `out`, which it returns.
    fn answer(&mut self, n: usize) -> &[u8] {
        let (len, mut start) = (self.kept + n, 0);
        self.out.clear();
        while let Some(at) = self.buf[start..len].windows(4).position(|w| w == b"\r\n\r\n") {
            self.out.extend_from_slice(ANSWER);
            start += at + 4;
        }
        self.buf.copy_within(start..len, 0);
        self.kept = len - start;
        assert!(
            self.kept <= READ_LEN,
            "a request head longer than {READ_LEN} bytes"
        );
        &self.out
    }
}

/// SIGTERM ends a floor at once, with status 0, as the bench stops every server.
extern "C" fn exit_now(_: libc::c_int) {
    // SAFETY: _exit is async-signal-safe.
    unsafe { libc::_exit(0) }
}

fn main() -> io::Result<()> {
    let args = Args::parse();
    // SAFETY: installs a handler that only calls an async-signal-safe function.
    unsafe { libc::signal(libc::SIGTERM, exit_now as *const () as libc::sighandler_t) };
    let listener = TcpListener::bind(args.addr)?;
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("listening on {}", listener.local_addr()?);
    match args.runtime {
        Runtime::Tokio => tokio::runtime::Builder::new_multi_thread()
            .worker_threads(workers)
            .enable_all()
            .build()?
            .block_on(tokio_accept(listener)),
        Runtime::TokioPerCore => per_worker(listener, workers, |listener| {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?
                .block_on(tokio_accept(listener))
        }),
        Runtime::Compio => per_worker(listener, workers, |listener| {
            backend_compio::runtime()?.block_on(compio_floor::accept(listener))
        }),
        Runtime::Smol => smol_accept(listener, workers),
        Runtime::Threads => loop {
            let (stream, _) = listener.accept()?;
            stream.set_nodelay(true)?;
            std::thread::spawn(move || thread_serve(stream));
        },
    }
}

/// Runs `serve` on `workers` threads, each with its own handle on the listener.
fn per_worker(
    listener: TcpListener,
    workers: usize,
    serve: impl Fn(TcpListener) -> io::Result<()> + Send + Sync + 'static,
) -> io::Result<()> {
    let serve = Arc::new(serve);
    let threads: Vec<_> = (0..workers)
        .map(|_| {
            let (listener, serve) = (listener.try_clone()?, Arc::clone(&serve));
            Ok(std::thread::spawn(move || serve(listener)))
        })
        .collect::<io::Result<_>>()?;
    for thread in threads {
        thread.join().expect("worker panicked")?;
    }
    Ok(())
}

async fn tokio_accept(listener: TcpListener) -> io::Result<()> {
    listener.set_nonblocking(true)?;
    let listener = tokio::net::TcpListener::from_std(listener)?;
    loop {
        let (stream, _) = listener.accept().await?;
        stream.set_nodelay(true)?;
        tokio::spawn(tokio_serve(stream));
    }
}

async fn tokio_serve(mut stream: tokio::net::TcpStream) -> io::Result<()> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut pending = Pending::new();
    loop {
        match stream.read(pending.room()).await? {
            0 => return Ok(()),
            n => stream.write_all(pending.answer(n)).await?,
        }
    }
}

fn smol_accept(listener: TcpListener, workers: usize) -> io::Result<()> {
    let executor = Arc::new(smol::Executor::new());
    for _ in 1..workers {
        let executor = Arc::clone(&executor);
        std::thread::spawn(move || smol::block_on(executor.run(std::future::pending::<()>())));
    }
    let listener = smol::Async::new(listener)?;
    smol::block_on(executor.run(async {
        loop {
            let (stream, _) = listener.accept().await?;
            stream.get_ref().set_nodelay(true)?;
            executor.spawn(smol_serve(stream)).detach();
        }
    }))
}

async fn smol_serve(mut stream: smol::Async<std::net::TcpStream>) -> io::Result<()> {
    use futures_lite::{AsyncReadExt, AsyncWriteExt};
    let mut pending = Pending::new();
    loop {
        match stream.read(pending.room()).await? {
            0 => return Ok(()),
            n => stream.write_all(pending.answer(n)).await?,
        }
    }
}

fn thread_serve(mut stream: std::net::TcpStream) -> io::Result<()> {
    use std::io::{Read, Write};
    let mut pending = Pending::new();
    loop {
        match stream.read(pending.room())? {
            0 => return Ok(()),
            n => stream.write_all(pending.answer(n))?,
        }
    }
}

mod compio_floor {
    use std::io;
    use std::net::{TcpListener, TcpStream};

    use compio::BufResult;
    use compio::buf::IntoInner;
    use compio::driver::op::{Accept, Recv, RecvFlags, Send, SendFlags};
    use compio::driver::{PollFirst, SharedFd};
    use compio::runtime::Submit;

    use super::{Pending, READ_LEN};

    pub async fn accept(listener: TcpListener) -> io::Result<()> {
        let listener = SharedFd::new(listener);
        loop {
            let BufResult(accepted, op) = compio::runtime::submit(Accept::new(listener.clone())).await;
            accepted?;
            let stream: TcpStream = op.into_inner().0.into();
            stream.set_nodelay(true)?;
            compio::runtime::spawn(serve(SharedFd::new(stream))).detach();
        }
    }

    /// Receives into an owned buffer, armed at once (the bytes are rarely there yet), and submits each
    /// receive together with the send before it, as the compio backend does: one `io_uring_enter`
    /// takes both.
    async fn serve(fd: SharedFd<TcpStream>) -> io::Result<()> {
        let (mut pending, mut rx) = (Pending::new(), Vec::with_capacity(READ_LEN));
        let mut sending: Option<Submit<Send<Vec<u8>, SharedFd<TcpStream>>>> = None;
        loop {
            let mut recv = Recv::new(fd.clone(), rx, RecvFlags::empty());
            recv.poll_first();
            let recv = compio::runtime::submit(recv);
            let (sent, BufResult(n, recv)) = match sending.take() {
                Some(send) => {
                    let (sent, received) = futures_lite::future::zip(send, recv).await;
                    (Some(sent), received)
                }
                None => (None, recv.await),
            };
            if let Some(BufResult(sent, send)) = sent {
                pending.out = send.into_inner();
                if sent? < pending.out.len() {
                    return Err(io::ErrorKind::WriteZero.into());
                }
            }
            rx = recv.into_inner();
            let n = n?;
            if n == 0 {
                return Ok(());
            }
            // SAFETY: the kernel wrote `n` bytes at the start of the buffer.
            unsafe { rx.set_len(n) };
            // The kernel owns a buffer while a receive is in flight, so the bytes are copied over to
            // the connection's, as the compio backend copies them into the engine's.
            pending.room()[..n].copy_from_slice(&rx);
            rx.clear();
            pending.answer(n);
            let out = std::mem::take(&mut pending.out);
            sending = Some(compio::runtime::submit(Send::new(
                fd.clone(),
                out,
                SendFlags::empty(),
            )));
        }
    }
}
