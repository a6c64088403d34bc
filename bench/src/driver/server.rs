//! One server process per measured row (a `serve` backend or a reference server), pinned to the
//! server CPUs.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::BackendName;

use super::kind::RowKind;
use super::tools::clients::answers;
use super::tools::pin::pin_child;
use super::tools::procfs;

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
    pub kind: RowKind,
    pub program: PathBuf,
    pub args: Vec<String>,
    pub running: Option<SocketAddr>,
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
    /// row `bare-<runtime>`.
    pub fn floor(bare: &std::path::Path, runtime: &str) -> Subject {
        Subject {
            name: format!("bare-{runtime}"),
            kind: RowKind::Floor,
            program: bare.to_owned(),
            args: ["--runtime", runtime, "--addr"].map(String::from).to_vec(),
            ..Subject::default()
        }
    }

    /// The standard routes as an axum app on `backend` (`serve --app axum`): row `axum-<backend>`.
    pub fn axum_app(serve: &std::path::Path, backend: BackendName) -> Subject {
        let mut subject = Subject::backend(serve, backend);
        subject.name = format!("axum-{}", backend.as_str());
        subject.kind = RowKind::Axum;
        subject.args.splice(0..0, ["--app", "axum"].map(String::from));
        subject
    }

    /// The same axum app on `axum::serve` (`serve --axum-serve`), the way axum runs today: the
    /// reference for the `axum-<backend>` rows.
    pub fn axum_serve(serve: &std::path::Path) -> Subject {
        Subject {
            name: "ref-axum-serve".into(),
            kind: RowKind::AxumServe,
            program: serve.to_owned(),
            args: ["--axum-serve", "--addr"].map(String::from).to_vec(),
            ..Subject::default()
        }
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
            kind: RowKind::Target,
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
