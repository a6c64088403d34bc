//! The floor of each runtime: the least a `/plaintext` server on it can cost per request. Each
//! connection reads, counts the complete request heads read (up to each blank line), and writes one
//! fixed answer per head, all of a read's answers in one write: no parsing, no validation, no `http`
//! types, no handler, no timeouts. The answer is our backends' own, byte for byte, with a fixed date.
//!
//! Run beside the real backends, in the same interleaved rounds (`bench/floor.py`), it splits a
//! backend's CPU per request into what its runtime and the kernel cost (this) and what the HTTP engine
//! adds on top (the difference): a target that asks a backend for less than its runtime's floor plus
//! the engine's own floor (`cargo bench -p server-core --bench engine -- floor`) cannot be met by any
//! engine on that runtime.
//!
//! `bare --runtime tokio|tokio-per-core|compio --addr 127.0.0.1:8080`. Workers: the CPUs this process
//! may run on, as `Config::workers` defaults; `tokio` is one multi-thread runtime of that many workers,
//! the others one single-threaded runtime per worker, each accepting from the shared listener;
//! compio's ring is set up as the compio backend sets up its own.

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
}

#[derive(Parser)]
struct Args {
    #[arg(long, value_enum)]
    runtime: Runtime,
    #[arg(long)]
    addr: SocketAddr,
}

/// Heads completed in `buf[..len]` (a head ends at a blank line), the bytes of an incomplete one
/// moved to the front; returns (heads, bytes kept).
fn heads(buf: &mut [u8], len: usize) -> (usize, usize) {
    let (mut count, mut start) = (0, 0);
    while let Some(at) = buf[start..len].windows(4).position(|w| w == b"\r\n\r\n") {
        count += 1;
        start += at + 4;
    }
    buf.copy_within(start..len, 0);
    (count, len - start)
}

fn answers(out: &mut Vec<u8>, count: usize) {
    out.clear();
    for _ in 0..count {
        out.extend_from_slice(ANSWER);
    }
}

fn main() -> io::Result<()> {
    let args = Args::parse();
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
    let (mut buf, mut kept, mut out) = (vec![0; READ_LEN], 0, Vec::new());
    loop {
        let n = stream.read(&mut buf[kept..]).await?;
        if n == 0 {
            return Ok(());
        }
        let count;
        (count, kept) = heads(&mut buf, kept + n);
        answers(&mut out, count);
        stream.write_all(&out).await?;
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

    use super::{READ_LEN, answers, heads};

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
        let (mut pending, mut rx, mut out) = (Vec::new(), Vec::with_capacity(READ_LEN), Vec::new());
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
                out = send.into_inner();
                if sent? < out.len() {
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
            pending.extend_from_slice(&rx);
            rx.clear();
            let len = pending.len();
            let (count, kept) = heads(&mut pending, len);
            pending.truncate(kept);
            answers(&mut out, count);
            let send = compio::runtime::submit(Send::new(
                fd.clone(),
                std::mem::take(&mut out),
                SendFlags::empty(),
            ));
            sending = Some(send);
        }
    }
}
