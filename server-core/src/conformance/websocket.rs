//! The WebSocket cases: the upgrade hands the connection over on every backend, the echo session
//! answers, and every kind of bad input gets its answer or its close code and costs nothing lasting.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::{Client, Config, Request, Router, ServerHandle, connections_after, exclusive, get, test_config};
use crate::ws;

type Start<'a> = &'a dyn Fn(Config) -> ServerHandle;

const LIMITS: ws::Limits = ws::Limits {
    max_message_bytes: 64 * 1024,
    max_frame_bytes: 64 * 1024,
};

/// The WebSocket routes, with 64 KiB message limits: `/ws/echo` sends every message back;
/// `/ws/broadcast` is a room whose members queue 256 messages each.
pub(super) fn routes(router: Router) -> Router {
    let room = ws::Room::new(256);
    router
        .get("/ws/echo", |req: Request| ws::accept(req, LIMITS, ws::echo))
        .get("/ws/broadcast", move |req: Request| {
            let room = room.clone();
            ws::accept(req, LIMITS, move |socket| room.join(socket))
        })
}

const KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";

fn upgrade_request(version: &str, key: Option<&str>) -> Vec<u8> {
    upgrade_to("/ws/echo", version, key)
}

fn upgrade_to(path: &str, version: &str, key: Option<&str>) -> Vec<u8> {
    let key = key.map_or(String::new(), |k| format!("Sec-WebSocket-Key: {k}\r\n"));
    format!(
        "GET {path} HTTP/1.1\r\nHost: t\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\
         Sec-WebSocket-Version: {version}\r\n{key}\r\n"
    )
    .into_bytes()
}

/// A client frame: FIN and `opcode`, masked (as a client must) unless `masked` is false.
fn frame(opcode: u8, payload: &[u8], fin: bool, masked: bool) -> Vec<u8> {
    let mut out = vec![opcode | if fin { 0x80 } else { 0 }];
    let mask_bit = if masked { 0x80 } else { 0 };
    match payload.len() {
        n if n < 126 => out.push(mask_bit | n as u8),
        n if n < 65536 => {
            out.push(mask_bit | 126);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            out.push(mask_bit | 127);
            out.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    if masked {
        let mask = [0x12, 0x34, 0x56, 0x78];
        out.extend_from_slice(&mask);
        out.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
    } else {
        out.extend_from_slice(payload);
    }
    out
}

/// Reads one server frame: (opcode, payload).
fn read_frame(stream: &mut TcpStream) -> (u8, Vec<u8>) {
    let mut head = [0; 2];
    stream.read_exact(&mut head).expect("a frame from the server");
    assert_eq!(head[1] & 0x80, 0, "a server frame is not masked");
    let len = match head[1] & 0x7f {
        126 => {
            let mut n = [0; 2];
            stream.read_exact(&mut n).unwrap();
            u16::from_be_bytes(n) as usize
        }
        127 => {
            let mut n = [0; 8];
            stream.read_exact(&mut n).unwrap();
            u64::from_be_bytes(n) as usize
        }
        n => n as usize,
    };
    let mut payload = vec![0; len];
    stream.read_exact(&mut payload).unwrap();
    (head[0] & 0x0f, payload)
}

/// Upgrades a connection to `/ws/echo`, leaving the stream at the first WebSocket byte.
fn open(server: &ServerHandle) -> TcpStream {
    open_on("/ws/echo", Client::connect(server.local_addr()))
}

/// Upgrades `c` to `path`, leaving the stream at the first WebSocket byte.
fn open_on(path: &str, mut c: Client) -> TcpStream {
    c.send(&upgrade_to(path, "13", Some(KEY)));
    let head = c.head();
    assert_eq!(head.status, 101);
    assert_eq!(
        head.header("sec-websocket-accept"),
        Some("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="),
        "RFC 6455's example key"
    );
    assert!(
        head.header("upgrade")
            .is_some_and(|u| u.eq_ignore_ascii_case("websocket"))
    );
    assert!(head.header("content-length").is_none() && head.header("transfer-encoding").is_none());
    assert_eq!(
        c.take_buffered(),
        0,
        "nothing after the 101 before the client speaks"
    );
    c.stream
}

/// Text, binary, a fragmented message and a ping come back; a close is answered with a close,
/// and the connection is released.
pub fn websocket_echo(start: Start) {
    let server = start(test_config());
    let mut s = open(&server);
    s.write_all(&frame(0x1, b"hello", true, true)).unwrap();
    assert_eq!(read_frame(&mut s), (0x1, b"hello".to_vec()));
    s.write_all(&frame(0x2, &[0, 1, 2, 255], true, true)).unwrap();
    assert_eq!(read_frame(&mut s), (0x2, vec![0, 1, 2, 255]));
    let big = vec![b'b'; 40_000];
    s.write_all(&frame(0x2, &big, true, true)).unwrap();
    assert_eq!(read_frame(&mut s), (0x2, big));
    s.write_all(&frame(0x1, b"frag", false, true)).unwrap();
    s.write_all(&frame(0x9, b"p", true, true)).unwrap(); // a ping between fragments
    s.write_all(&frame(0x0, b"mented", true, true)).unwrap();
    assert_eq!(read_frame(&mut s), (0xA, b"p".to_vec()), "the ping's pong");
    assert_eq!(read_frame(&mut s), (0x1, b"fragmented".to_vec()));
    s.write_all(&frame(0x8, &1000u16.to_be_bytes(), true, true))
        .unwrap();
    let (opcode, payload) = read_frame(&mut s);
    assert_eq!((opcode, &payload[..2]), (0x8, &1000u16.to_be_bytes()[..]));
    let mut rest = Vec::new();
    let _ = s.read_to_end(&mut rest);
    assert!(rest.is_empty(), "nothing after the close");
    assert_eq!(connections_after(&server, 0, Duration::from_secs(10)), 0);
    assert!(server.shutdown());
}

/// Graceful shutdown says goodbye to a session it cannot wait out: close 1001 (going away) to a
/// client that sits in an open session, and once the client answers, shutdown completes well within
/// its grace.
pub fn websocket_shutdown_says_going_away(start: Start) {
    let server = start(Config {
        shutdown_grace: Duration::from_secs(10),
        idle_timeout: Duration::from_secs(10), // the goodbye must not wait for a read to time out
        ..test_config()
    });
    let mut s = open(&server);
    s.write_all(&frame(0x1, b"here", true, true)).unwrap();
    assert_eq!(read_frame(&mut s), (0x1, b"here".to_vec()));
    let began = Instant::now();
    let shutdown = std::thread::spawn(move || server.shutdown());
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let (opcode, payload) = read_frame(&mut s);
    assert_eq!(
        (opcode, &payload[..2]),
        (0x8, &1001u16.to_be_bytes()[..]),
        "close 1001"
    );
    s.write_all(&frame(0x8, &1001u16.to_be_bytes(), true, true))
        .unwrap();
    assert!(
        shutdown.join().unwrap(),
        "every connection finished within the grace"
    );
    assert!(
        began.elapsed() < Duration::from_secs(2),
        "took {:?}",
        began.elapsed()
    );
}

/// Bad handshakes get their HTTP answer: 426 naming version 13, 400 for a missing key; a plain
/// GET of the route is not switched, and the connection goes on serving HTTP.
pub fn websocket_bad_handshakes(start: Start) {
    let server = start(test_config());
    let mut c = Client::connect(server.local_addr());
    let r = c.request(&upgrade_request("8", Some(KEY)));
    assert_eq!(r.status, 426);
    assert_eq!(r.header("sec-websocket-version"), Some("13"));
    let r = c.request(&upgrade_request("13", None));
    assert_eq!(r.status, 400);
    let r = c.request(&upgrade_request("13", Some("short")));
    assert_eq!(r.status, 400);
    let r = c.request(&get("/ws/echo"));
    assert_eq!(r.status, 400);
    assert_eq!(
        c.request(&get("/hello")).status,
        200,
        "still HTTP after refused upgrades"
    );
    assert!(server.shutdown());
}

/// Protocol errors close with their code (RFC 6455 §7.4.1) and release the connection: an unmasked
/// frame and a fragmented control frame 1002, invalid UTF-8 1007, a frame past the limit (a 2 GiB
/// length, announced) 1009.
pub fn websocket_protocol_errors(start: Start) {
    let server = start(test_config());
    let too_long = {
        let mut f = vec![0x82, 0xff];
        f.extend_from_slice(&(2u64 << 30).to_be_bytes());
        f.extend_from_slice(&[1, 2, 3, 4]);
        f
    };
    let cases: [(&str, Vec<u8>, u16); 4] = [
        ("unmasked", frame(0x1, b"hi", true, false), 1002),
        ("fragmented ping", frame(0x9, b"p", false, true), 1002),
        ("invalid UTF-8", frame(0x1, &[0xff, 0xfe], true, true), 1007),
        ("2 GiB frame", too_long, 1009),
    ];
    for (what, bytes, code) in cases {
        let mut s = open(&server);
        s.write_all(&bytes).unwrap();
        let (opcode, payload) = read_frame(&mut s);
        assert_eq!(opcode, 0x8, "{what}: a close frame");
        assert_eq!(&payload[..2], &code.to_be_bytes()[..], "{what}: close code");
        drop(s);
    }
    assert_eq!(
        connections_after(&server, 0, Duration::from_secs(3)),
        0,
        "connections kept after protocol errors"
    );
    assert!(server.shutdown());
}

/// A broadcast room: each member's message reaches every member, the sender included. Beside a
/// member that never reads (dropped from the room once its queue is full), the others get all of
/// 8 MB of messages, in order: the room never waits for it. Every connection is released after.
pub fn websocket_broadcast(start: Start) {
    let _alone = exclusive();
    let server = start(Config {
        min_write_rate: 64 * 1024, // the sleeper is cut within 3 s plus one 64 KiB slice's second
        ..test_config()
    });
    let join = || open_on("/ws/broadcast", Client::connect(server.local_addr()));
    let mut members: Vec<TcpStream> = (0..3).map(|_| join()).collect();
    // Every member has joined once its own message comes back to it.
    for (i, member) in members.iter_mut().enumerate() {
        let hello = format!("joined {i}");
        member
            .write_all(&frame(0x1, hello.as_bytes(), true, true))
            .unwrap();
        while read_frame(member).1 != hello.as_bytes() {}
    }
    members[0].write_all(&frame(0x1, b"to all", true, true)).unwrap();
    for member in &mut members {
        while read_frame(member).1 != b"to all" {} // after the later members' hellos
    }

    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    socket.connect(&server.local_addr().into()).unwrap();
    let mut sleeper = open_on("/ws/broadcast", Client::from_stream(TcpStream::from(socket)));
    sleeper.write_all(&frame(0x1, b"sleeper", true, true)).unwrap();
    for member in &mut members {
        while read_frame(member).1 != b"sleeper" {}
    }
    // 2,000 messages of 4 KiB (8 MB, more than the sleeper's socket buffers take), in bursts of
    // 100 that every reading member takes before the next: below the room's queue of 256.
    let message = vec![b'm'; 4096];
    let received: Vec<Arc<AtomicUsize>> = (0..3).map(|_| Arc::default()).collect();
    let readers: Vec<_> = members
        .iter()
        .zip(&received)
        .map(|(member, count)| {
            let (mut member, count) = (member.try_clone().unwrap(), Arc::clone(count));
            let message = message.clone();
            std::thread::spawn(move || {
                for n in 0..2000 {
                    assert_eq!(read_frame(&mut member), (0x2, message.clone()), "message {n}");
                    count.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    let mut sender = members[0].try_clone().unwrap();
    for burst in 1..=20 {
        for _ in 0..100 {
            sender.write_all(&frame(0x2, &message, true, true)).unwrap();
        }
        let until = Instant::now() + Duration::from_secs(10);
        while received.iter().any(|n| n.load(Ordering::Relaxed) < burst * 100) && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(1));
        }
    }
    for reader in readers {
        reader
            .join()
            .expect("a member that reads gets every message, in order");
    }
    drop(sleeper);
    drop((sender, members)); // every handle to the members' sockets: the clients leave
    assert_eq!(connections_after(&server, 0, Duration::from_secs(10)), 0);
    assert!(server.shutdown());
}
