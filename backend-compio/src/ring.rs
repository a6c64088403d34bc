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
use server_core::{Deadline, Transport};

use crate::CompioTimer;

type Fd = SharedFd<TcpStream>;

/// Size of each buffer in a worker's provided-buffer ring, and the largest read taken from it: a
/// request head usually fits; a body, for which the engine asks more, is received into a buffer
/// of the connection's own.
pub(crate) const POOLED_LEN: usize = 1024;
/// Buffers in a worker's ring: the receives that may complete before their tasks copy them out.
/// When the ring runs dry the kernel fails a receive with `ENOBUFS`, and that one read is redone into
/// an owned buffer.
pub(crate) const POOLED_BUFFERS: u16 = 256;

/// A receive the kernel may still be filling.
enum Receiving {
    /// Into a buffer the kernel takes from the worker's ring when bytes arrive, so that a connection
    /// waiting for its next request holds no buffer at all (what readiness I/O gets for free).
    Pooled(Submit<RecvManaged<Fd>>),
    /// Into the connection's own buffer: for large reads (bodies), or when the ring ran dry.
    Owned(Submit<Recv<Vec<u8>, Fd>>),
}

/// Bytes received and not yet handed to the engine: `bytes[taken..]`.
enum Received {
    Nothing,
    Pooled(BufferRef),
    Owned(Vec<u8>),
}

impl Received {
    fn bytes(&self) -> &[u8] {
        match self {
            Received::Nothing => &[],
            Received::Pooled(buf) => buf,
            Received::Owned(buf) => buf,
        }
    }
}

pub(crate) struct Ring {
    fd: Fd,
    /// Kept across reads, so that a read the loop gives up on (its timeout passed, or the handler
    /// finished first) loses nothing: the next read picks up where it stands.
    receiving: Option<Receiving>,
    received: Received,
    taken: usize,
    /// An owned receive buffer, kept for reuse.
    spare: Vec<u8>,
    /// The next receive goes to an owned buffer: the ring ran dry.
    ring_dry: bool,
    deadline: Deadline<CompioTimer>,
}

impl Ring {
    pub(crate) fn new(stream: TcpStream) -> Self {
        Ring {
            fd: SharedFd::new(stream),
            receiving: None,
            received: Received::Nothing,
            taken: 0,
            spare: Vec::new(),
            ring_dry: false,
            deadline: Deadline::default(),
        }
    }

    fn start_receive(&mut self, want: usize) -> Receiving {
        let pool = compio::runtime::Runtime::with_current(|rt| rt.buffer_pool());
        let pooled = match pool {
            Ok(pool) if want <= 4 * POOLED_LEN && !self.ring_dry => {
                RecvManaged::new(self.fd.clone(), &pool, POOLED_LEN, RecvFlags::empty()).ok()
            }
            _ => None,
        };
        self.ring_dry = false;
        match pooled {
            Some(mut op) => {
                // The loop reads once it has answered everything received, so the next bytes are
                // usually not there yet: arm the socket's poll at once rather than first try a
                // receive that would fail.
                op.poll_first();
                Receiving::Pooled(compio::runtime::submit(op))
            }
            None => {
                let mut into = std::mem::take(&mut self.spare);
                into.clear();
                into.reserve(want);
                let mut op = Recv::new(self.fd.clone(), into, RecvFlags::empty());
                op.poll_first();
                Receiving::Owned(compio::runtime::submit(op))
            }
        }
    }

    /// Waits for the pending receive; `Ok(false)` means the ring ran dry and the read must be redone.
    async fn receive(&mut self, timeout: Duration) -> io::Result<bool> {
        let Ring {
            receiving, deadline, ..
        } = self;
        let receiving = receiving.as_mut().expect("a receive is pending");
        let done = deadline
            .limit(
                timeout,
                poll_fn(|cx| {
                    Poll::Ready(Ok(match receiving {
                        Receiving::Pooled(op) => Done::Pooled(std::task::ready!(Pin::new(op).poll(cx))),
                        Receiving::Owned(op) => Done::Owned(std::task::ready!(Pin::new(op).poll(cx))),
                    }))
                }),
            )
            .await?;
        self.receiving = None;
        self.taken = 0;
        match done {
            Done::Pooled(result) => {
                // SAFETY: `take_buffer` sets the buffer's length to what the kernel reported writing.
                match unsafe { result.take_buffer() } {
                    Ok(Some(buf)) => self.received = Received::Pooled(buf),
                    Ok(None) => self.received = Received::Nothing, // end of stream
                    // compio's word for the kernel's `ENOBUFS` on a buffer-select receive.
                    Err(e) if e.kind() == io::ErrorKind::ResourceBusy => {
                        self.ring_dry = true;
                        return Ok(false);
                    }
                    Err(e) => return Err(e),
                }
            }
            Done::Owned(BufResult(n, op)) => {
                let mut into = op.into_inner();
                // SAFETY: the kernel wrote `n` bytes at the start of the buffer (none on an error).
                unsafe { into.set_len(*n.as_ref().unwrap_or(&0)) };
                self.received = Received::Owned(into);
                n?;
            }
        }
        Ok(true)
    }
}

enum Done {
    Pooled(BufResult<usize, RecvManaged<Fd>>),
    Owned(BufResult<usize, Recv<Vec<u8>, Fd>>),
}

impl Transport for Ring {
    async fn read(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize> {
        if self.taken == self.received.bytes().len() {
            if let Received::Owned(spent) = std::mem::replace(&mut self.received, Received::Nothing) {
                self.spare = spent;
            }
            loop {
                if self.receiving.is_none() {
                    self.receiving = Some(self.start_receive(buf.len()));
                }
                if self.receive(timeout).await? {
                    break;
                }
            }
        }
        let left = &self.received.bytes()[self.taken..];
        let n = buf.len().min(left.len());
        buf[..n].copy_from_slice(&left[..n]);
        self.taken += n;
        if self.taken == self.received.bytes().len() {
            // Give a pooled buffer back to the ring at once.
            if let Received::Pooled(_) = self.received {
                self.received = Received::Nothing;
                self.taken = 0;
            }
        }
        Ok(n)
    }

    async fn write_all(&mut self, buf: &[u8], timeout: Duration) -> io::Result<()> {
        // Allocated per write rather than kept: an idle connection then holds no send buffer.
        let mut out = buf.to_vec();
        while !out.is_empty() {
            let op = compio::runtime::submit(Send::new(self.fd.clone(), out, SendFlags::empty()));
            let BufResult(n, op) = self.deadline.limit(timeout, async { Ok(op.await) }).await?;
            out = op.into_inner();
            match n? {
                0 => return Err(io::ErrorKind::WriteZero.into()),
                n => drop(out.drain(..n)),
            }
        }
        Ok(())
    }

    fn shutdown_write(&mut self) {
        let _ = self.fd.shutdown(Shutdown::Write);
    }
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
                        let n = ring.read(&mut buf, Duration::from_secs(5)).await.unwrap();
                        assert_eq!(&buf[..n], format!("request {i}").as_bytes());
                        ring.spare.capacity() > 0 || matches!(ring.received, Received::Owned(_))
                    })
                })
                .collect();
            // Every receive is in flight before any byte arrives.
            compio::time::sleep(Duration::from_millis(50)).await;
            for (i, client) in clients.iter_mut().enumerate() {
                client.write_all(format!("request {i}").as_bytes()).unwrap();
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
