//! The bounds cases: every resource a client controls (output it does not read, descriptors, time,
//! handlers it leaves running) is bounded, whatever the client does.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use bytes::Bytes;

use super::streaming::{Live, MIB, fresh_id, peak_rss_growth};
use super::{
    Client, Config, Request, Response, Router, ServerHandle, exclusive, get, query_u64, test_config,
};

type Start<'a> = &'a dyn Fn(Config) -> ServerHandle;

/// The bounds cases' routes.
pub(super) fn routes(router: Router) -> Router {
    router
        // `n` bytes answered whole at once (a file read into memory), at most 16 MiB.
        .get("/bytes", |req: Request| {
            let n = query_u64(&req, "n").unwrap_or(0).min(16 << 20) as usize;
            Response::bytes(Bytes::from(vec![b'x'; n]))
        })
        // Holds a live count under `id` while it waits `ms`: a handler that is still running.
        .get("/hold", |req: Request| async move {
            let _live = Live::new(query_u64(&req, "id").unwrap_or(0));
            crate::sleep(Duration::from_millis(query_u64(&req, "ms").unwrap_or(0))).await;
            Response::text("held")
        })
}

/// Four clients pipeline 2,000 requests each for a 256 KiB answer and never read: the server stops
/// decoding while its output waits, so its memory grows by an answer or two per connection, not by
/// one per request.
pub fn pipelined_large_answers_are_bounded(start: Start) {
    let _alone = exclusive();
    let server = start(test_config());
    let addr = server.local_addr();
    let requests = get("/bytes?n=262144").repeat(2000);
    // Every worker's buffers (compio's receive ring) and the allocator's pools, warmed first.
    let mut warm: Vec<Client> = (0..4).map(|_| Client::connect(addr)).collect();
    for c in &mut warm {
        assert_eq!(c.request(&get("/bytes?n=262144")).body.len(), 262144);
    }
    drop(warm);
    let ((), grew) = peak_rss_growth(|| {
        let clients: Vec<TcpStream> = (0..4)
            .map(|_| {
                let mut s = TcpStream::connect(addr).unwrap();
                s.set_write_timeout(Some(Duration::from_millis(500))).unwrap();
                let _ = s.write_all(&requests); // the server may stop reading before the end
                s
            })
            .collect();
        std::thread::sleep(Duration::from_millis(1000));
        drop(clients);
    });
    // Unbounded, every answer to a read (a read holds about 90 of these requests) is copied into the
    // output; bounded, the server adds an answer or two per connection, and compio's receive rings
    // (4 MiB a worker), whose pages are touched as requests arrive.
    assert!(
        grew < 32 * MIB,
        "4 unread pipelines of 256 KiB answers grew RSS by {} MiB",
        grew / MIB
    );
    let mut c = Client::connect(addr);
    assert_eq!(c.request(&get("/hello")).status, 200);
    assert!(server.shutdown());
}

/// 160 clients ask for 16 MiB with `Connection: close` and never read, against `max_connections` 32:
/// the server never holds more than 32 of their descriptors, a last response still on its way
/// included, and lets every one go once the clients leave.
pub fn unread_last_responses_count_against_the_limit(start: Start) {
    let _alone = exclusive();
    let server = start(Config {
        max_connections: 32,
        min_write_rate: 64 * 1024, // a stuck client is cut within 3 s plus one 64 KiB slice's second
        ..test_config()
    });
    let addr = server.local_addr();
    let request = b"GET /bytes?n=16777216 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
    let clients: Vec<TcpStream> = (0..160)
        .map(|_| {
            let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
            socket.set_recv_buffer_size(4096).unwrap();
            socket.connect(&addr.into()).unwrap();
            let mut s = TcpStream::from(socket);
            s.write_all(request).unwrap();
            s
        })
        .collect();
    let ports: Vec<u16> = clients.iter().map(|c| c.local_addr().unwrap().port()).collect();
    let mut most = 0;
    for _ in 0..15 {
        std::thread::sleep(Duration::from_millis(100));
        most = most.max(server_descriptors(addr, &ports));
    }
    assert!(
        most <= 32,
        "the server held {most} connections' descriptors with max_connections 32"
    );
    drop(clients);
    let until = Instant::now() + Duration::from_secs(30);
    while server_descriptors(addr, &ports) > 0 && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(
        server_descriptors(addr, &ports),
        0,
        "descriptors still held 30 s after their clients left (write timeout 3 s; {} connections registered)",
        server.active_connections()
    );
    let mut c = Client::connect(addr);
    assert_eq!(c.request(&get("/hello")).status, 200);
    assert!(server.shutdown());
}

/// A body sent a byte every 2 s keeps every read under its 3 s timeout, but falls behind the minimum
/// body rate: it is answered `408` once it has used its grace, not served for ever.
pub fn trickled_body_is_cut_by_the_minimum_rate(start: Start) {
    let server = start(test_config());
    let mut s = TcpStream::connect(server.local_addr()).unwrap();
    s.write_all(b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n")
        .unwrap();
    let mut writer = s.try_clone().unwrap();
    let trickle = std::thread::spawn(move || {
        for _ in 0..100 {
            if writer.write_all(b"b").is_err() {
                return;
            }
            std::thread::sleep(Duration::from_secs(2));
        }
    });
    let started = Instant::now();
    let mut c = Client::from_stream(s);
    c.stream.set_read_timeout(Some(Duration::from_secs(9))).unwrap();
    let reply = c.reply();
    assert_eq!(reply.status, 408, "after {:?}", started.elapsed());
    assert!(started.elapsed() < Duration::from_secs(9));
    drop(c);
    trickle.join().unwrap();
    assert!(server.shutdown());
}

/// A client that takes 1 KiB of a 16 MiB answer every 2 s is cut once it has fallen its write
/// grace behind the minimum write rate: its connection is released.
pub fn slow_reader_is_cut_by_the_minimum_rate(start: Start) {
    let server = start(Config {
        min_write_rate: 64 * 1024,
        ..test_config()
    });
    let addr = server.local_addr();
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    socket.connect(&addr.into()).unwrap();
    let mut s = TcpStream::from(socket);
    s.write_all(&get("/bytes?n=16777216")).unwrap();
    let reading = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let reader = {
        let reading = std::sync::Arc::clone(&reading);
        std::thread::spawn(move || {
            let mut buf = [0; 1024];
            while reading.load(std::sync::atomic::Ordering::Relaxed) && matches!(s.read(&mut buf), Ok(1..)) {
                std::thread::sleep(Duration::from_secs(2));
            }
        })
    };
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(server.active_connections(), 1, "the reader was not served");
    // Cut within its 3 s grace plus one 64 KiB slice at the rate, once its buffers are full.
    let released = super::connections_after(&server, 0, Duration::from_secs(12));
    reading.store(false, std::sync::atomic::Ordering::Relaxed);
    assert_eq!(released, 0, "a 512 B/s reader was still served after 12 s");
    reader.join().unwrap();
    assert!(server.shutdown());
}

/// A client that leaves while its handler waits cancels the handler: what it held is dropped at
/// once, not when the handler would have finished.
pub fn a_client_that_leaves_cancels_its_handler(start: Start) {
    let server = start(test_config());
    let id = fresh_id();
    let mut c = Client::connect(server.local_addr());
    c.send(&get(&format!("/hold?id={id}&ms=10000")));
    let until = Instant::now() + Duration::from_secs(2);
    while Live::count(id) == 0 && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(Live::count(id), 1, "the handler did not start");
    drop(c);
    let until = Instant::now() + Duration::from_secs(2);
    while Live::count(id) > 0 && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(
        Live::count(id),
        0,
        "the handler of a client that left still ran 2 s later"
    );
    assert!(server.shutdown());
}

/// With `half_close`, a client that shuts down its sending side after its request still gets a
/// streamed answer whole.
pub fn half_closed_client_gets_its_stream(start: Start) {
    let server = start(Config {
        half_close: true,
        ..test_config()
    });
    let mut c = Client::connect(server.local_addr());
    c.send(&get("/sse?events=5&every_ms=50"));
    c.stream.shutdown(std::net::Shutdown::Write).unwrap();
    let head = c.head();
    assert_eq!(head.status, 200);
    let mut events = 0;
    while c.chunk().is_some() {
        events += 1;
    }
    assert_eq!(events, 5);
    assert!(server.shutdown());
}

/// Descriptors of this process that are the server's end of a connection from one of `clients`
/// (their local ports): TCP sockets whose local port is the server's and whose remote port is a
/// client's, so that another server that once had the same port does not count.
fn server_descriptors(addr: SocketAddr, clients: &[u16]) -> usize {
    let port_of = |field: &str| u16::from_str_radix(field.rsplit(':').next().unwrap_or(""), 16).ok();
    let mut inodes = std::collections::HashSet::new();
    let table = std::fs::read_to_string("/proc/net/tcp").unwrap_or_default();
    for line in table.lines().skip(1) {
        let fields: Vec<&str> = line.split_whitespace().collect();
        // local_address rem_address st ... inode (the tenth field).
        if fields.len() > 9
            && port_of(fields[1]) == Some(addr.port())
            && port_of(fields[2]).is_some_and(|port| clients.contains(&port))
        {
            inodes.insert(format!("socket:[{}]", fields[9]));
        }
    }
    std::fs::read_dir("/proc/self/fd")
        .map(|fds| {
            fds.filter_map(|fd| std::fs::read_link(fd.ok()?.path()).ok())
                .filter(|target| inodes.contains(target.to_string_lossy().as_ref()))
                .count()
        })
        .unwrap_or(0)
}
