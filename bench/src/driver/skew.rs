//! `bench skew`: how a per-core server's connections and work spread over its workers under a
//! skewed load, a few heavy keep-alive connections.
//!
//! 1. SO_REUSEPORT, the alternative to our acceptor: one listener per worker on the same port, a few
//!    clients connected, and how the kernel's hash spread them, over many trials.
//! 2. Our acceptor (`server_core::backend::serve_per_core`, least loaded worker first): `serve` on two CPUs
//!    with two workers, driven by a few heavy wrk connections (wrk on CPU 1, as in the cores
//!    scenario), and each worker thread's CPU time (`core-0`, `core-1`): the work each one did.

use std::collections::BTreeMap;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::fd::FromRawFd;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::server::{ServerProcess, Subject};
use super::tools::{apt_install, procfs, release_serve, which, workspace, wrk};
use crate::BackendName;

#[derive(clap::Args)]
pub struct Args {
    /// The `serve` build to drive. Default: target/release/serve.
    #[arg(long)]
    serve: Option<PathBuf>,
    /// The heavy keep-alive connections.
    #[arg(long, default_value_t = 4)]
    connections: usize,
    /// Seconds of load per backend.
    #[arg(long, default_value_t = 8)]
    seconds: u64,
    /// SO_REUSEPORT trials.
    #[arg(long, default_value_t = 1000)]
    trials: usize,
}

/// The per-core backends, whose workers are threads named `core-N`.
const PER_CORE: [BackendName; 2] = [BackendName::TokioPerCore, BackendName::Compio];

pub fn run(args: Args) -> Result<(), String> {
    let mut splits: BTreeMap<Vec<usize>, usize> = BTreeMap::new();
    for _ in 0..args.trials {
        *splits.entry(reuseport_split(args.connections, 2)?).or_default() += 1;
    }
    println!(
        "SO_REUSEPORT, {} connections over 2 listeners, {} trials:",
        args.connections, args.trials
    );
    let mut by_count: Vec<_> = splits.into_iter().collect();
    by_count.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    for (split, n) in by_count {
        let split: Vec<String> = split.iter().map(usize::to_string).collect();
        let share = 100.0 * n as f64 / args.trials as f64;
        println!("  {}: {share:.1}% of trials", split.join("/"));
    }

    let serve = args.serve.unwrap_or_else(|| release_serve(&workspace()));
    let wrk = which("wrk")
        .or_else(|| apt_install("wrk", "wrk", "for bench skew's heavy connections"))
        .ok_or("wrk not found, and apt-get could not install it")?;
    for backend in PER_CORE {
        let shares = acceptor_split(&serve, &wrk, backend, args.connections, args.seconds)?;
        let shares: Vec<String> = shares
            .iter()
            .map(|(name, share)| format!("{name} {share:.0}%"))
            .collect();
        println!(
            "{}, {} heavy connections, worker CPU shares: {}",
            backend.as_str(),
            args.connections,
            shares.join(", ")
        );
    }
    Ok(())
}

/// How `connections` fresh connections land on `listeners` SO_REUSEPORT listeners of one port:
/// the counts, largest first.
fn reuseport_split(connections: usize, listeners: usize) -> Result<Vec<usize>, String> {
    let mut port = 0;
    let mut bound = Vec::new();
    for _ in 0..listeners {
        let listener = reuseport_listener(port).map_err(|e| format!("SO_REUSEPORT listener: {e}"))?;
        port = listener.local_addr().map_err(|e| e.to_string())?.port();
        bound.push(listener);
    }
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let clients: Vec<TcpStream> = (0..connections)
        .map(|_| TcpStream::connect(addr))
        .collect::<Result<_, _>>()
        .map_err(|e| format!("connecting: {e}"))?;
    let mut counts = vec![0; listeners];
    let deadline = Instant::now() + Duration::from_secs(2);
    while counts.iter().sum::<usize>() < clients.len() && Instant::now() < deadline {
        for (count, listener) in counts.iter_mut().zip(&bound) {
            if listener.accept().is_ok() {
                *count += 1;
            }
        }
    }
    counts.sort_unstable_by(|a, b| b.cmp(a));
    Ok(counts)
}

/// A non-blocking listener on 127.0.0.1:`port` with SO_REUSEPORT set before it binds (std has no
/// way to set it).
fn reuseport_listener(port: u16) -> std::io::Result<TcpListener> {
    let check = |ret: libc::c_int| match ret {
        -1 => Err(std::io::Error::last_os_error()),
        ok => Ok(ok),
    };
    // SAFETY: a new socket, owned by the TcpListener from here on (also when a later call fails).
    let listener = unsafe {
        let fd = check(libc::socket(
            libc::AF_INET,
            libc::SOCK_STREAM | libc::SOCK_CLOEXEC,
            0,
        ))?;
        TcpListener::from_raw_fd(fd)
    };
    let fd = std::os::fd::AsRawFd::as_raw_fd(&listener);
    let on: libc::c_int = 1;
    let addr = libc::sockaddr_in {
        sin_family: libc::AF_INET as libc::sa_family_t,
        sin_port: port.to_be(),
        sin_addr: libc::in_addr {
            s_addr: u32::from(std::net::Ipv4Addr::LOCALHOST).to_be(),
        },
        sin_zero: [0; 8],
    };
    // SAFETY: plain calls on a socket we own, with pointers to locals of the right sizes.
    unsafe {
        let on_ptr = (&on as *const libc::c_int).cast();
        let on_len = size_of::<libc::c_int>() as libc::socklen_t;
        check(libc::setsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_REUSEPORT,
            on_ptr,
            on_len,
        ))?;
        let addr_ptr = (&addr as *const libc::sockaddr_in).cast();
        let addr_len = size_of::<libc::sockaddr_in>() as libc::socklen_t;
        check(libc::bind(fd, addr_ptr, addr_len))?;
        check(libc::listen(fd, 64))?;
    }
    listener.set_nonblocking(true)?;
    Ok(listener)
}

/// Each worker's share of the CPU `serve --backend <backend>` on CPUs 0–1 spent under `connections`
/// heavy wrk connections.
fn acceptor_split(
    serve: &Path,
    wrk: &Path,
    backend: BackendName,
    connections: usize,
    seconds: u64,
) -> Result<BTreeMap<String, f64>, String> {
    let mut subject = Subject::backend(serve, backend);
    subject.args.splice(0..0, ["--workers", "2"].map(String::from));
    let server = ServerProcess::start(&subject, &[0, 1])?;
    let pid = server.pid().expect("started here");
    let before = procfs::cpu_seconds_by_thread_name(pid);
    let url = format!("http://{}/plaintext", server.addr);
    let load = wrk::spawn(wrk, None, &url, connections, Duration::from_secs(seconds), &[1])?;
    wrk::finish(load)?;
    let after = procfs::cpu_seconds_by_thread_name(pid);
    server.stop();
    let used: BTreeMap<String, f64> = after
        .into_iter()
        .filter(|(name, _)| name.starts_with("core-"))
        .map(|(name, cpu)| {
            let spent = cpu - before.get(&name).copied().unwrap_or(0.0);
            (name, spent)
        })
        .collect();
    let total = used.values().sum::<f64>().max(f64::MIN_POSITIVE);
    Ok(used
        .into_iter()
        .map(|(name, cpu)| (name, 100.0 * cpu / total))
        .collect())
}
