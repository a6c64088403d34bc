//! A connection's socket on its worker's io_uring: completion I/O behind server-core's [`Transport`].

use std::future::poll_fn;
use std::io;
use std::net::{Shutdown, TcpStream};
use std::pin::Pin;
use std::task::Poll;
use std::time::Duration;

use compio::BufResult;
use compio::buf::IntoInner;
use compio::driver::op::{Recv, RecvFlags, RecvManaged, ResultTakeBuffer, Send, SendFlags};
use compio::driver::{BufferRef, PollFirst, SharedFd};
use compio::runtime::Submit;
use server_core::backend::{Deadline, Transport};

use crate::CompioTimer;

type Fd = SharedFd<TcpStream>;

/// Size of each buffer in a worker's provided-buffer ring, and the largest read taken from it: a
/// request head usually fits; a body, for which the engine asks more, is received into a buffer
/// of the connection's own.
pub(crate) const POOLED_LEN: usize = 1024;
/// Buffers in a worker's ring (4 MiB of them, allocated at the worker's first receive): enough for
/// the receives that complete before their tasks run and copy them out, which at 10,000 connections
/// can be thousands. When the ring runs dry the kernel fails a receive with `ENOBUFS`, which is
/// retried (with 256 buffers, those retries cost 17.2 against 13.2 CPU-µs per request at 10,000
/// plaintext connections).
pub(crate) const POOLED_BUFFERS: u16 = 4096;

/// A receive the kernel may still be filling.
enum Receiving {
    /// Into a buffer the kernel takes from the worker's ring when bytes arrive, so that a connection
    /// waiting for its next request holds no buffer at all (what readiness I/O gets for free).
    Pooled(Submit<RecvManaged<Fd>>),
    /// Into the connection's own buffer: for large reads (bodies), or when the ring ran dry.
    Owned(Submit<Recv<Vec<u8>, Fd>>),
}

/// Where a connection's receiving stands. A receive is started only once every byte received
/// before has been handed to the engine, so the two never coexist.
enum Rx {
    /// Nothing received, nothing in flight.
    Empty,
    /// A receive in flight, kept across reads, so that a read the loop gives up on (its timeout
    /// passed, or the handler finished first) loses nothing: the next read picks up where it stands.
    Receiving(Receiving),
    /// Bytes received and not yet handed to the engine: `bytes[taken..]`.
    Received { bytes: Received, taken: usize },
}

enum Received {
    Pooled(BufferRef),
    Owned(Vec<u8>),
}

impl Received {
    fn bytes(&self) -> &[u8] {
        match self {
            Received::Pooled(buf) => buf,
            Received::Owned(buf) => buf,
        }
    }
}

pub(crate) struct Ring {
    fd: Fd,
    rx: Rx,
    /// A receive found the end of the stream.
    ended: bool,
    /// Receives in a row that found the ring dry. The first is retried from the ring (it ran dry
    /// because many receives completed in one batch, and their buffers are back by now); after the
    /// second, that read goes to an owned buffer.
    dry: u8,
    /// The last send, which the kernel may still be working on. A write returns once its send is
    /// submitted, so that the loop's next receive reaches the kernel in the same `io_uring_enter`
    /// (instead of a ring round trip and a task wake-up per response just to learn that a send to a
    /// socket with room in its buffer succeeded). The next write waits for it first (so sends stay
    /// in order, at most one in flight: backpressure), a read watches it, and the connection's end
    /// ([`Transport::finish`]) waits for it within the write deadline, while the connection still
    /// counts against `max_connections`; a send given up on is cancelled.
    sending: Option<Submit<Send<Vec<u8>, Fd>>>,
    /// `shutdown_write` was called while a send was in flight: shut down once it is done.
    shutdown_after_send: bool,
    deadline: Deadline<CompioTimer>,
}

impl Ring {
    pub(crate) fn new(stream: TcpStream) -> Self {
        Ring {
            fd: SharedFd::new(stream),
            rx: Rx::Empty,
            ended: false,
            dry: 0,
            sending: None,
            shutdown_after_send: false,
            deadline: Deadline::default(),
        }
    }

    fn start_receive(&mut self, want: usize) -> Receiving {
        let pool = compio::runtime::Runtime::with_current(|rt| rt.buffer_pool());
        let pooled = match pool {
            Ok(pool) if want <= 4 * POOLED_LEN && self.dry < 2 => {
                RecvManaged::new(self.fd.clone(), &pool, POOLED_LEN, RecvFlags::empty()).ok()
            }
            _ => None,
        };
        match pooled {
            Some(mut op) => {
                // The loop reads once it has answered everything received, so the next bytes are
                // usually not there yet: arm the socket's poll at once rather than first try a
                // receive that would fail.
                op.poll_first();
                Receiving::Pooled(compio::runtime::submit(op))
            }
            None => {
                let mut op = Recv::new(self.fd.clone(), Vec::with_capacity(want), RecvFlags::empty());
                op.poll_first();
                Receiving::Owned(compio::runtime::submit(op))
            }
        }
    }

    /// Waits until received bytes (or the end of the stream) are there to take, receiving into the
    /// ring if `want` is small.
    async fn wait_received(&mut self, want: usize, timeout: Duration) -> io::Result<()> {
        if self.can_take() {
            return Ok(());
        }
        loop {
            if matches!(self.rx, Rx::Empty) {
                self.rx = Rx::Receiving(self.start_receive(want));
            }
            if self.receive(timeout).await? {
                return Ok(());
            }
        }
    }

    /// Whether a read would return at once: received bytes not yet taken, or the end of the stream.
    fn can_take(&self) -> bool {
        self.ended || matches!(&self.rx, Rx::Received { bytes, taken } if *taken < bytes.bytes().len())
    }

    /// Copies received bytes into `buf`: how many (0 at the end of the stream).
    fn take(&mut self, buf: &mut [u8]) -> usize {
        let Rx::Received { bytes, taken } = &mut self.rx else {
            return 0; // the end of the stream
        };
        let left = &bytes.bytes()[*taken..];
        let n = buf.len().min(left.len());
        buf[..n].copy_from_slice(&left[..n]);
        *taken += n;
        if *taken == bytes.bytes().len() {
            // All handed over: a pooled buffer goes back to the ring now, not at the next receive,
            // which may be a handler's whole wait away (10,000 connections waiting in handlers
            // would otherwise hold the ring's 4,096 buffers and leave it dry for everyone).
            self.rx = Rx::Empty;
        }
        n
    }

    /// Waits for the pending receive; `Ok(false)` means the ring ran dry and the read must be redone.
    async fn receive(&mut self, timeout: Duration) -> io::Result<bool> {
        let Ring {
            fd,
            rx,
            sending,
            shutdown_after_send,
            deadline,
            ..
        } = self;
        let Rx::Receiving(receiving) = rx else {
            unreachable!("no receive is pending");
        };
        let done = deadline
            .limit(
                timeout,
                poll_fn(|cx| {
                    if let Poll::Ready(Err(e)) = drive_sends(fd, sending, shutdown_after_send, cx) {
                        return Poll::Ready(Err(e));
                    }
                    Poll::Ready(Ok(match receiving {
                        Receiving::Pooled(op) => Done::Pooled(std::task::ready!(Pin::new(op).poll(cx))),
                        Receiving::Owned(op) => Done::Owned(std::task::ready!(Pin::new(op).poll(cx))),
                    }))
                }),
            )
            .await?;
        self.rx = Rx::Empty;
        match done {
            Done::Pooled(result) => {
                // SAFETY: `take_buffer` sets the buffer's length to what the kernel reported writing.
                match unsafe { result.take_buffer() } {
                    Ok(Some(buf)) => {
                        self.rx = Rx::Received {
                            bytes: Received::Pooled(buf),
                            taken: 0,
                        }
                    }
                    Ok(None) => self.ended = true,
                    // compio's word for the kernel's `ENOBUFS` on a buffer-select receive.
                    Err(e) if e.kind() == io::ErrorKind::ResourceBusy => {
                        self.dry += 1;
                        return Ok(false);
                    }
                    Err(e) => return Err(e),
                }
            }
            Done::Owned(BufResult(n, op)) => {
                let mut into = op.into_inner();
                // SAFETY: the kernel wrote `n` bytes at the start of the buffer (none on an error).
                unsafe { into.set_len(*n.as_ref().unwrap_or(&0)) };
                self.ended = n? == 0;
                self.rx = Rx::Received {
                    bytes: Received::Owned(into),
                    taken: 0,
                };
            }
        }
        self.dry = 0;
        Ok(true)
    }
}

enum Done {
    Pooled(BufResult<usize, RecvManaged<Fd>>),
    Owned(BufResult<usize, Recv<Vec<u8>, Fd>>),
}

impl Transport for Ring {
    async fn read(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize> {
        self.wait_received(buf.len(), timeout).await?;
        Ok(self.take(buf))
    }

    /// A frame too large to batch: copied, since the kernel needs memory it owns.
    async fn write_all(&mut self, buf: &[u8], timeout: Duration) -> io::Result<()> {
        self.send(buf.to_vec(), timeout).await
    }

    /// The engine's output buffer is taken, not copied, and comes back to the engine's spare once
    /// sent.
    async fn write_output(&mut self, buf: &mut Vec<u8>, timeout: Duration) -> io::Result<()> {
        self.send(std::mem::take(buf), timeout).await
    }

    /// The last response was only submitted: it is sent whole within `timeout`, or cancelled.
    async fn finish(&mut self, timeout: Duration) {
        if !timeout.is_zero() {
            let _ = self.settle_send(timeout).await;
        }
        self.sending = None;
    }

    fn shutdown_write(&mut self) {
        if self.sending.is_some() {
            self.shutdown_after_send = true;
        } else {
            let _ = self.fd.shutdown(Shutdown::Write);
        }
    }

    /// The wait between requests lends the kernel no buffer of the connection's: the receive takes
    /// one from the worker's ring when bytes arrive.
    const READINESS: bool = true;

    async fn readable(&mut self, timeout: Duration) -> io::Result<()> {
        self.wait_received(POOLED_LEN, timeout).await
    }

    fn try_read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if !self.can_take() {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        Ok(self.take(buf))
    }
}

impl Ring {
    /// Submits `out` as the next send, once the last one is done.
    async fn send(&mut self, out: Vec<u8>, timeout: Duration) -> io::Result<()> {
        self.settle_send(timeout).await?;
        self.sending = Some(compio::runtime::submit(Send::new(
            self.fd.clone(),
            out,
            SendFlags::empty(),
        )));
        // compio pushes an operation to the ring when it is first polled: do that now, so the send
        // goes out with the next submission whatever the loop waits for next.
        poll_fn(
            |cx| match drive_sends(&self.fd, &mut self.sending, &mut self.shutdown_after_send, cx) {
                Poll::Pending => Poll::Ready(Ok(())),
                done => done,
            },
        )
        .await
    }

    /// Waits until the last send is done, resending what the kernel did not take, each send for at
    /// most `timeout`. A send that does not complete in time is cancelled (dropping it does that).
    async fn settle_send(&mut self, timeout: Duration) -> io::Result<()> {
        while let Some(op) = &mut self.sending {
            let sent = match self.deadline.limit(timeout, async { Ok(op.await) }).await {
                Ok(sent) => sent,
                Err(e) => {
                    self.sending = None;
                    return Err(e);
                }
            };
            self.sending = None;
            after_send(&self.fd, &mut self.sending, sent, &mut self.shutdown_after_send)?;
        }
        Ok(())
    }
}

/// Polls the send in flight, and each remainder it leaves, until one is pending (`Pending`) or none
/// is left.
fn drive_sends(
    fd: &Fd,
    sending: &mut Option<Submit<Send<Vec<u8>, Fd>>>,
    shutdown_after_send: &mut bool,
    cx: &mut std::task::Context<'_>,
) -> Poll<io::Result<()>> {
    while let Some(op) = sending {
        let sent = std::task::ready!(Pin::new(op).poll(cx));
        *sending = None;
        after_send(fd, sending, sent, shutdown_after_send)?;
    }
    Poll::Ready(Ok(()))
}

/// Handles a finished send: an error, the remainder of a partial send (submitted as the next
/// send), or a shutdown that waited for it.
fn after_send(
    fd: &Fd,
    sending: &mut Option<Submit<Send<Vec<u8>, Fd>>>,
    BufResult(n, op): BufResult<usize, Send<Vec<u8>, Fd>>,
    shutdown_after_send: &mut bool,
) -> io::Result<()> {
    let mut out = op.into_inner();
    match n? {
        0 if !out.is_empty() => return Err(io::ErrorKind::WriteZero.into()),
        n if n < out.len() => {
            out.drain(..n);
            *sending = Some(compio::runtime::submit(Send::new(
                fd.clone(),
                out,
                SendFlags::empty(),
            )));
        }
        _ => {
            server_core::backend::engine::recycle_output(out);
            if std::mem::take(shutdown_after_send) {
                let _ = fd.shutdown(Shutdown::Write);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::net::TcpListener;

    use super::*;

    /// More connections receive at once than the ring has buffers: the kernel fails the extra
    /// receives with `ENOBUFS`, and each is redone into an owned buffer, losing nothing.
    #[test]
    fn a_dry_ring_loses_no_bytes() {
        let mut proactor = compio::driver::ProactorBuilder::new();
        proactor
            .buffer_pool_size(std::num::NonZero::new(1).unwrap())
            .buffer_pool_buffer_len(POOLED_LEN);
        let rt = compio::runtime::RuntimeBuilder::new()
            .with_proactor(proactor)
            .build()
            .unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let pairs: Vec<(TcpStream, TcpStream)> = (0..8)
            .map(|_| {
                let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
                (client, listener.accept().unwrap().0)
            })
            .collect();
        let (mut clients, servers): (Vec<_>, Vec<_>) = pairs.into_iter().unzip();
        let dry = rt.block_on(async move {
            let reads: Vec<_> = servers
                .into_iter()
                .enumerate()
                .map(|(i, stream)| {
                    compio::runtime::spawn(async move {
                        let mut ring = Ring::new(stream);
                        let mut buf = [0; POOLED_LEN];
                        ring.wait_received(POOLED_LEN, Duration::from_secs(5))
                            .await
                            .unwrap();
                        let went_owned = matches!(
                            ring.rx,
                            Rx::Received {
                                bytes: Received::Owned(_),
                                ..
                            }
                        );
                        // Holding a buffer a while (as a connection whose bytes are not yet taken
                        // would) makes the others' retries find the ring dry again.
                        compio::time::sleep(Duration::from_millis(20)).await;
                        let n = ring.read(&mut buf, Duration::from_secs(5)).await.unwrap();
                        assert_eq!(&buf[..n], format!("request {i}").as_bytes());
                        assert!(
                            matches!(ring.rx, Rx::Empty),
                            "a buffer whose bytes are all taken is given back at once"
                        );
                        // A read given up on (its timeout passed) leaves its receive in flight, and
                        // the next read gets the bytes.
                        let gave_up = ring.read(&mut buf, Duration::from_millis(20)).await;
                        assert_eq!(gave_up.unwrap_err().kind(), io::ErrorKind::TimedOut);
                        let n = ring.read(&mut buf, Duration::from_secs(5)).await.unwrap();
                        assert_eq!(&buf[..n], format!("again {i}").as_bytes());
                        went_owned
                    })
                })
                .collect();
            // Every receive is in flight before any byte arrives.
            compio::time::sleep(Duration::from_millis(50)).await;
            for (i, client) in clients.iter_mut().enumerate() {
                client.write_all(format!("request {i}").as_bytes()).unwrap();
            }
            compio::time::sleep(Duration::from_millis(100)).await;
            for (i, client) in clients.iter_mut().enumerate() {
                client.write_all(format!("again {i}").as_bytes()).unwrap();
            }
            let mut dry = 0;
            for read in reads {
                dry += usize::from(read.await.unwrap());
            }
            dry
        });
        assert!(
            dry > 0,
            "no receive found the ring dry: the test did not test the fallback"
        );
    }
}
