//! One server process per measured row (a `serve` backend or a reference server), pinned to the
//! server CPUs.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::BackendName;

use super::procfs;
use super::scenario::Scenario;

/// Connections the bench lets every server hold: above the largest scenario, so that the
/// comparison measures the scheduling model rather than the admission limit.
const MAX_CONNECTIONS: &str = "20000";

/// What a row measures and how to start it: `program args... 127.0.0.1:0`, after which the
/// server prints a line with its bound `IP:PORT` on stdout and serves until SIGTERM; or a server
/// already running at `running` (`--target`, possibly on another machine), which is not started,
/// stopped or read from `/proc`.
#[derive(Clone, Debug, Default)]
pub struct Subject {
    pub name: String,
    /// A reference server of `bench/reference/` rather than one of our backends.
    pub reference: bool,
    pub program: PathBuf,
    pub args: Vec<String>,
    pub running: Option<SocketAddr>,
    /// The scenarios and connection counts this row is measured in, where not all: a pool row
    /// only where there is a database, a runtime's floor only where its fixed answer is the route's.
    pub only_in: Option<fn(Scenario, usize) -> bool>,
    /// The row whose figure, round by round, this one's is also taken over (see `Run::pair`).
    pub pair: Option<String>,
    /// Set in the server's environment (a reference's `DATABASE_URL`).
    pub env: Vec<(String, String)>,
}

impl Subject {
    pub fn backend(serve: &std::path::Path, backend: BackendName) -> Subject {
        Subject {
            name: backend.as_str().into(),
            program: serve.to_owned(),
            args: [
                "--backend",
                backend.as_str(),
                "--max-connections",
                MAX_CONNECTIONS,
                "--addr",
            ]
            .map(String::from)
            .to_vec(),
            ..Subject::default()
        }
    }

    /// `runtime`'s floor (`bare --runtime <runtime>`, no HTTP engine: see bench/src/bin/bare.rs),
    /// row `bare-<runtime>`, measured only where its one fixed answer is the route's.
    pub fn floor(bare: &std::path::Path, runtime: &str) -> Subject {
        Subject {
            name: format!("bare-{runtime}"),
            program: bare.to_owned(),
            args: ["--runtime", runtime, "--addr"].map(String::from).to_vec(),
            only_in: Some(|scenario, _| scenario.plaintext_only()),
            ..Subject::default()
        }
    }

    /// The standard routes as an axum app on `backend` (`serve --app axum`): row `axum-<backend>`.
    pub fn axum_app(serve: &std::path::Path, backend: BackendName) -> Subject {
        let mut subject = Subject::backend(serve, backend);
        subject.name = format!("axum-{}", backend.as_str());
        subject.args.splice(0..0, ["--app", "axum"].map(String::from));
        subject
    }

    /// The same axum app on `axum::serve` (`serve --axum-serve`), the way axum runs today: the
    /// reference for the `axum-<backend>` rows.
    pub fn axum_serve(serve: &std::path::Path) -> Subject {
        Subject {
            name: "ref-axum-serve".into(),
            reference: true,
            program: serve.to_owned(),
            args: ["--axum-serve", "--addr"].map(String::from).to_vec(),
            ..Subject::default()
        }
    }

    /// One of the axum-app rows (`axum-<backend>`, `ref-axum-serve`).
    pub fn is_axum(&self) -> bool {
        self.name.starts_with("axum-") || self.name.starts_with("ref-axum-serve")
    }

    /// A server already running at `url` (`http://HOST:PORT`, the route contract at its root).
    pub fn running(url: &str) -> Result<Subject, String> {
        let authority = url
            .strip_prefix("http://")
            .ok_or_else(|| format!("--target {url}: only http:// URLs"))?
            .trim_end_matches('/');
        let addr = std::net::ToSocketAddrs::to_socket_addrs(authority)
            .ok()
            .and_then(|mut addrs| addrs.next())
            .ok_or_else(|| format!("--target {url}: cannot resolve {authority}"))?;
        Ok(Subject {
            name: authority.to_owned(),
            running: Some(addr),
            ..Subject::default()
        })
    }
}

pub struct ServerProcess {
    /// `None` for a `--target` server, which this driver neither started nor can read.
    child: Option<Child>,
    pub addr: SocketAddr,
    /// VmRSS right after start, before any request: the base of memory per connection.
    pub start_rss_kb: u64,
    /// The kernel's thread stacks (system-wide) at the same moment.
    pub start_kernel_stack_kb: u64,
}

impl ServerProcess {
    pub fn start(subject: &Subject, cpus: &[usize]) -> Result<Self, String> {
        if let Some(addr) = subject.running {
            if !answers(addr) {
                return Err(format!("{addr} did not answer GET /plaintext"));
            }
            return Ok(ServerProcess {
                child: None,
                addr,
                start_rss_kb: 0,
                start_kernel_stack_kb: 0,
            });
        }
        let mut command = Command::new(&subject.program);
        command
            .args(&subject.args)
            .arg("127.0.0.1:0")
            .envs(subject.env.iter().map(|(k, v)| (k, v)))
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        pin_child(&mut command, cpus);
        let child = command
            .spawn()
            .map_err(|e| format!("starting {}: {e}", subject.program.display()))?;
        // From here on, an error drops `server`, which stops the child.
        let mut server = ServerProcess {
            child: Some(child),
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            start_rss_kb: 0,
            start_kernel_stack_kb: 0,
        };
        let child = server.child.as_mut().expect("just started");
        let pid = child.id();
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("piped"))
            .read_line(&mut line)
            .map_err(|e| format!("reading {}'s first line: {e}", subject.name))?;
        server.addr = line
            .split_whitespace()
            .find_map(|word| word.parse().ok())
            .ok_or_else(|| format!("{} did not start: {line:?}", subject.name))?;
        // One request first, so that lazily created state (runtime pools, gunicorn's workers
        // booting) is the base that memory per connection is measured from, not part of it.
        let ready = Instant::now() + Duration::from_secs(10);
        while !answers(server.addr) {
            if Instant::now() > ready {
                return Err(format!("{} did not answer GET /plaintext", subject.name));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        std::thread::sleep(Duration::from_millis(300));
        server.start_rss_kb = procfs::tree_status_field(pid, "VmRSS:");
        server.start_kernel_stack_kb = procfs::kernel_stack_kb();
        Ok(server)
    }

    /// The server's pid, if it runs here under this driver.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// SIGTERM, then waits for the graceful shutdown; `false` if it had to be killed or failed.
    /// A `--target` server is left running (and reported as a clean exit: nothing was observed).
    pub fn stop(mut self) -> bool {
        self.terminate()
    }

    fn terminate(&mut self) -> bool {
        let Some(child) = &mut self.child else {
            return true;
        };
        // SAFETY: signalling our own child, which has not been reaped yet.
        unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = child.try_wait() {
                return status.success();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        let _ = child.wait();
        false
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        if let Some(Ok(None)) = self.child.as_mut().map(Child::try_wait) {
            self.terminate();
        }
    }
}

/// One `GET /plaintext` on a fresh connection, answered with 200 within 10 s.
pub fn answers(addr: SocketAddr) -> bool {
    let Ok(mut stream) = TcpStream::connect(addr) else {
        return false;
    };
    let mut buf = [0u8; 1024];
    stream.set_read_timeout(Some(Duration::from_secs(10))).is_ok()
        && stream.write_all(PLAINTEXT_REQUEST).is_ok()
        && matches!(stream.read(&mut buf), Ok(len) if buf[..len].starts_with(b"HTTP/1.1 200"))
}

pub const PLAINTEXT_REQUEST: &[u8] = b"GET /plaintext HTTP/1.1\r\nHost: bench\r\n\r\n";

/// Makes the child start on `cpus` only (what `taskset -c` does), so load and server never share a core.
pub fn pin_child(command: &mut Command, cpus: &[usize]) {
    let set = cpu_set(cpus);
    // SAFETY: sched_setaffinity is async-signal-safe; the set is built before fork.
    unsafe {
        command.pre_exec(move || {
            if libc::sched_setaffinity(0, size_of::<libc::cpu_set_t>(), &set) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

/// Pins a running process (its main thread, or the calling thread for 0; what it forks or spawns
/// afterwards inherits it) to `cpus`.
pub fn pin_pid(pid: u32, cpus: &[usize]) -> std::io::Result<()> {
    let set = cpu_set(cpus);
    // SAFETY: the set lives for the call.
    match unsafe { libc::sched_setaffinity(pid as libc::pid_t, size_of::<libc::cpu_set_t>(), &set) } {
        0 => Ok(()),
        _ => Err(std::io::Error::last_os_error()),
    }
}

/// Pins this process (the driver, and so the idle-connection client) to `cpus`.
pub fn pin_self(cpus: &[usize]) -> std::io::Result<()> {
    pin_pid(0, cpus)
}

fn cpu_set(cpus: &[usize]) -> libc::cpu_set_t {
    // SAFETY: a zeroed cpu_set_t is a valid empty set; CPU_SET ignores CPUs beyond its size.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        for &cpu in cpus {
            libc::CPU_SET(cpu, &mut set);
        }
        set
    }
}

/// Samples the server's memory and the kernel's thread stacks while a run is in progress.
pub struct Sampler {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: std::thread::JoinHandle<MemorySamples>,
}

#[derive(Default, Clone, Copy)]
pub struct MemorySamples {
    pub peak_rss_kb: u64,
    /// The median VmRSS over the second half of the run.
    pub steady_rss_kb: u64,
    pub peak_kernel_stack_kb: u64,
    pub peak_threads: u64,
    /// The least-squares slope of VmRSS over the second half of the run, in KB per minute.
    pub rss_slope_kb_per_min: Option<f64>,
}

impl Sampler {
    pub fn start(pid: u32) -> Sampler {
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            let started = Instant::now();
            let mut rss = Vec::new();
            let mut out = MemorySamples::default();
            while !flag.load(std::sync::atomic::Ordering::Relaxed) {
                let now = procfs::tree_status_field(pid, "VmRSS:");
                rss.push((started.elapsed().as_secs_f64() / 60.0, now));
                out.peak_rss_kb = out.peak_rss_kb.max(now);
                out.peak_kernel_stack_kb = out.peak_kernel_stack_kb.max(procfs::kernel_stack_kb());
                out.peak_threads = out.peak_threads.max(procfs::tree_status_field(pid, "Threads:"));
                std::thread::sleep(Duration::from_millis(100));
            }
            let second_half = rss.split_off(rss.len() / 2);
            out.rss_slope_kb_per_min = slope(&second_half);
            let mut values: Vec<u64> = second_half.iter().map(|&(_, kb)| kb).collect();
            values.sort_unstable();
            out.steady_rss_kb = values.get(values.len() / 2).copied().unwrap_or(0);
            out
        });
        Sampler { stop, thread }
    }

    pub fn finish(self) -> MemorySamples {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        self.thread.join().unwrap_or_default()
    }
}

/// The least-squares slope of `(x, y)` points; `None` for fewer than two distinct x.
fn slope(points: &[(f64, u64)]) -> Option<f64> {
    let n = points.len() as f64;
    let mean_x = points.iter().map(|p| p.0).sum::<f64>() / n;
    let mean_y = points.iter().map(|p| p.1 as f64).sum::<f64>() / n;
    let covariance: f64 = points
        .iter()
        .map(|p| (p.0 - mean_x) * (p.1 as f64 - mean_y))
        .sum();
    let variance: f64 = points.iter().map(|p| (p.0 - mean_x).powi(2)).sum();
    (variance > 0.0).then(|| covariance / variance)
}

#[cfg(test)]
mod tests {
    #[test]
    fn slope_of_a_line_and_of_noise_around_it() {
        let line: Vec<(f64, u64)> = (0..10).map(|i| (i as f64, 1000 + 3 * i)).collect();
        assert_eq!(super::slope(&line), Some(3.0));
        let flat: Vec<(f64, u64)> = (0..10).map(|i| (i as f64, 1000 + (i % 2) * 8)).collect();
        assert!(super::slope(&flat).unwrap().abs() < 1.0);
        assert_eq!(super::slope(&[(1.0, 5)]), None);
    }
}
