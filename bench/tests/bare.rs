//! The `bare` floor servers answer as `serve` does, byte for byte but the date, one answer per head,
//! pipelined and split heads included: a floor that wrote less, or answered a head twice, would measure
//! something else.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use bench::BackendName;

const HEAD: &[u8] = b"GET /plaintext HTTP/1.1\r\nHost: t\r\n\r\n";

struct Bare(Child);

impl Drop for Bare {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn bare(runtime: &str) -> (Bare, SocketAddr) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_bare"))
        .args(["--runtime", runtime, "--addr", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("bare starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim()
        .strip_prefix("listening on ")
        .expect(&line)
        .parse()
        .unwrap();
    (Bare(child), addr)
}

/// Reads exactly `len` bytes.
fn read_exact(stream: &mut TcpStream, len: usize) -> Vec<u8> {
    let mut buf = vec![0; len];
    stream.read_exact(&mut buf).unwrap();
    buf
}

/// The answer with its date masked.
fn undated(answer: &[u8]) -> String {
    let text = String::from_utf8(answer.to_vec()).unwrap();
    let at = text.find("date: ").expect("a date field") + "date: ".len();
    format!("{}<date>{}", &text[..at], &text[at + 29..])
}

#[test]
fn bare_answers_each_head_as_serve_does() {
    let (_serve, addr) = common::serve(BackendName::Tokio, None);
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.write_all(HEAD).unwrap();
    let mut expected = vec![0; 4096];
    stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let n = stream.read(&mut expected).unwrap();
    expected.truncate(n);
    assert!(
        expected.ends_with(b"Hello, World!"),
        "{:?}",
        String::from_utf8_lossy(&expected)
    );

    let mut runtimes = vec!["tokio", "tokio-per-core", "smol", "threads"];
    match backend_compio::io_uring_available() {
        Ok(()) => runtimes.push("compio"),
        Err(why) => eprintln!("SKIPPED bare --runtime compio: {why}"),
    }
    for runtime in runtimes {
        let (_bare, addr) = bare(runtime);
        let mut stream = TcpStream::connect(addr).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        // Three whole heads and the start of a fourth, then its end.
        let mut batch = HEAD.repeat(3);
        batch.extend_from_slice(&HEAD[..20]);
        stream.write_all(&batch).unwrap();
        let answers = read_exact(&mut stream, 3 * expected.len());
        stream.write_all(&HEAD[20..]).unwrap();
        let last = read_exact(&mut stream, expected.len());
        for answer in answers.chunks(expected.len()).chain([last.as_slice()]) {
            assert_eq!(undated(answer), undated(&expected), "{runtime}");
        }
        // Nothing more: each head was answered once.
        stream.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
        let mut more = [0; 1];
        assert!(
            stream.read(&mut more).is_err(),
            "{runtime} answered more than it was asked"
        );
    }
}
