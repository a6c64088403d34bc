//! The bench's own clients: one request to see a server answer, and connections held open.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

pub const PLAINTEXT_REQUEST: &[u8] = b"GET /plaintext HTTP/1.1\r\nHost: bench\r\n\r\n";

/// One `GET /plaintext` on a fresh connection, answered with 200 within 10 s.
pub fn answers(addr: SocketAddr) -> bool {
    let Ok(mut stream) = TcpStream::connect(addr) else {
        return false;
    };
    stream.set_read_timeout(Some(Duration::from_secs(10))).is_ok()
        && stream.write_all(PLAINTEXT_REQUEST).is_ok()
        && answered(&mut stream)
}

/// Connections kept open after one answered request each, and the ones that failed.
pub struct Held {
    pub streams: Vec<TcpStream>,
    pub errors: u64,
}

/// Opens `n` keep-alive connections to `addr`, one `GET /plaintext` each, and keeps those answered.
/// Sends in batches and then reads, so the server sees many connections become active at once.
pub fn hold_keep_alive(addr: SocketAddr, n: usize) -> Held {
    let open = |addr: SocketAddr| -> std::io::Result<TcpStream> {
        let mut stream = TcpStream::connect(addr)?;
        stream.set_read_timeout(Some(Duration::from_secs(10)))?;
        stream.write_all(PLAINTEXT_REQUEST)?;
        Ok(stream)
    };
    let mut held = Held {
        streams: Vec::with_capacity(n),
        errors: 0,
    };
    for batch_start in (0..n).step_by(500) {
        let batch: Vec<TcpStream> = (batch_start..n.min(batch_start + 500))
            .filter_map(|_| open(addr).inspect_err(|_| held.errors += 1).ok())
            .collect();
        for mut stream in batch {
            if answered(&mut stream) {
                held.streams.push(stream);
            } else {
                held.errors += 1;
            }
        }
    }
    held
}

/// Whether the stream's next read starts a 200 answer.
fn answered(stream: &mut TcpStream) -> bool {
    let mut buf = [0u8; 1024];
    matches!(stream.read(&mut buf), Ok(len) if buf[..len].starts_with(b"HTTP/1.1 200"))
}
