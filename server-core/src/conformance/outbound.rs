//! The outbound cases: a handler opens TCP connections with [`connect`](crate::connect) and drives
//! one from a task of its own with [`spawn`](crate::spawn), the shape of a database client (a
//! `Client` handle, a `Connection` task that owns the socket), against an echo server on loopback.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures_lite::{AsyncReadExt, AsyncWriteExt};
use http::StatusCode;

use super::{Client, Config, Request, Response, Router, ServerHandle, get, query_u64, test_config};
use crate::Outbound;

type Start<'a> = &'a dyn Fn(Config) -> ServerHandle;

/// The outbound routes of the conformance app: `n` round trips of 16 bytes to the echo server on
/// `port`, made from the handler itself (`/outbound`) or through a spawned task that owns the
/// connection (`/outbound-spawned`); the answer is the echoed bytes, or 503 with the error.
pub(super) fn routes(router: Router) -> Router {
    router
        .get("/outbound", |req: Request| async move {
            let (port, n) = target(&req);
            let answer = async {
                let mut conn = crate::connect(port).await?;
                let mut echoed = Vec::new();
                for i in 0..n {
                    echoed.extend(round_trip(&mut conn, i).await?);
                }
                Ok(echoed)
            };
            answer_with(answer.await)
        })
        .get("/outbound-spawned", |req: Request| async move {
            let (port, n) = target(&req);
            let answer = async {
                let conn = crate::connect(port).await?;
                let (ask, asked) = async_channel::bounded::<(u64, async_channel::Sender<_>)>(1);
                // The driver ends when the handler drops its end of the channel, closing the socket.
                crate::spawn(async move {
                    let mut conn = conn;
                    while let Ok((i, reply)) = asked.recv().await {
                        let _ = reply.send(round_trip(&mut conn, i).await).await;
                    }
                });
                let mut echoed = Vec::new();
                for i in 0..n {
                    let (reply, replied) = async_channel::bounded(1);
                    let sent = ask.send((i, reply)).await;
                    sent.map_err(|_| std::io::Error::other("the driver task is gone"))?;
                    let piece = replied.recv().await;
                    echoed.extend(piece.map_err(|_| std::io::Error::other("no reply from the driver"))??);
                }
                Ok(echoed)
            };
            answer_with(answer.await)
        })
}

fn target(req: &Request) -> (SocketAddr, u64) {
    let port = query_u64(req, "port").unwrap_or(0) as u16;
    (
        SocketAddr::from(([127, 0, 0, 1], port)),
        query_u64(req, "n").unwrap_or(1),
    )
}

fn answer_with(echoed: std::io::Result<Vec<u8>>) -> Response {
    match echoed {
        Ok(echoed) => Response::bytes(echoed),
        Err(e) => Response::text(e.to_string()).with_status(StatusCode::SERVICE_UNAVAILABLE),
    }
}

async fn round_trip(conn: &mut Outbound, i: u64) -> std::io::Result<Vec<u8>> {
    let message = message(i);
    conn.write_all(&message).await?;
    conn.flush().await?;
    let mut echoed = vec![0; message.len()];
    conn.read_exact(&mut echoed).await?;
    Ok(echoed)
}

fn message(i: u64) -> Vec<u8> {
    format!("message {i:>8}\n").into_bytes()
}

fn expected(n: u64) -> Vec<u8> {
    (0..n).flat_map(message).collect()
}

/// An echo server on loopback, a thread per connection, counting the connections still open.
struct Echo {
    port: u16,
    open: Arc<AtomicUsize>,
}

impl Echo {
    fn start() -> Echo {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let open = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&open);
        std::thread::spawn(move || {
            for mut stream in listener.incoming().flatten() {
                let open = Arc::clone(&counted);
                open.fetch_add(1, Ordering::SeqCst);
                std::thread::spawn(move || {
                    let mut buf = [0; 4096];
                    while let Ok(n @ 1..) = stream.read(&mut buf) {
                        if stream.write_all(&buf[..n]).is_err() {
                            break;
                        }
                    }
                    open.fetch_sub(1, Ordering::SeqCst);
                });
            }
        });
        Echo { port, open }
    }

    /// Waits up to `within` for every connection to the echo server to be closed.
    fn all_closed(&self, within: Duration) -> bool {
        let end = Instant::now() + within;
        while self.open.load(Ordering::SeqCst) > 0 && Instant::now() < end {
            std::thread::sleep(Duration::from_millis(10));
        }
        self.open.load(Ordering::SeqCst) == 0
    }
}

/// A handler talks to another server over a connection its backend drives, from the handler itself
/// and through a spawned task that owns the connection, on many connections at once; every outbound
/// connection is closed once its request is answered.
pub fn outbound_connections(start: Start) {
    const CLIENTS: usize = 16;
    const EACH: u64 = 3;
    const ROUND_TRIPS: u64 = 20;
    let echo = Echo::start();
    let server = start(test_config());
    let addr = server.local_addr();
    let port = echo.port;
    let clients: Vec<_> = (0..CLIENTS)
        .map(|i| {
            std::thread::spawn(move || {
                let route = if i % 2 == 0 {
                    "outbound"
                } else {
                    "outbound-spawned"
                };
                let mut c = Client::connect(addr);
                (0..EACH)
                    .map(|_| c.request(&get(&format!("/{route}?port={port}&n={ROUND_TRIPS}"))))
                    .filter(|r| (r.status, &r.body) != (200, &expected(ROUND_TRIPS)))
                    .map(|r| format!("{route}: {} {}", r.status, String::from_utf8_lossy(&r.body)))
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let failed: Vec<String> = clients.into_iter().flat_map(|c| c.join().unwrap()).collect();
    assert!(
        failed.is_empty(),
        "{} requests went wrong: {failed:?}",
        failed.len()
    );
    assert!(
        echo.all_closed(Duration::from_secs(3)),
        "{} outbound connections outlived their requests",
        echo.open.load(Ordering::SeqCst)
    );
    assert!(server.shutdown());
}

/// A connection refused is an error the handler gets at once (here a 503), not a hang.
pub fn outbound_refused_fails_fast(start: Start) {
    let port = {
        let closed = TcpListener::bind("127.0.0.1:0").unwrap();
        closed.local_addr().unwrap().port()
    };
    let server = start(test_config());
    let mut c = Client::connect(server.local_addr());
    for route in ["outbound", "outbound-spawned"] {
        let began = Instant::now();
        let reply = c.request(&get(&format!("/{route}?port={port}&n=1")));
        assert_eq!(
            reply.status,
            503,
            "{route}: {}",
            String::from_utf8_lossy(&reply.body)
        );
        assert!(
            began.elapsed() < Duration::from_secs(1),
            "{route}: refused after {:?}",
            began.elapsed()
        );
    }
    assert!(server.shutdown());
}
