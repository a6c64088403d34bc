//! A PostgreSQL server of the project's own: `initdb` in a temporary directory (as `nobody` when run
//! as root, since PostgreSQL refuses root), listening on 127.0.0.1 at a free port, loaded with
//! TechEmpower's schema and data, with `pg_stat_statements`. Dropping it stops the server and removes
//! the directory; should this process end first, the server gets `SIGINT` from the kernel
//! (`PR_SET_PDEATHSIG`) and shuts down by itself, and the next start removes the directory.

use std::io;
use std::net::{SocketAddr, TcpListener};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The uid and gid PostgreSQL runs as when this process is root: Debian's `nobody`.
const NOBODY: u32 = 65534;
/// How long the server may take to accept connections after start.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// TechEmpower's schema and data: World, 10,000 rows of random numbers 1..10000; Fortune, the 12
/// standard rows (the `<script>` one and the Japanese one included).
const SCHEMA: &str = "
CREATE EXTENSION pg_stat_statements;
CREATE TABLE world (id integer PRIMARY KEY, randomnumber integer NOT NULL DEFAULT 0);
INSERT INTO world (id, randomnumber)
    SELECT id, 1 + floor(random() * 10000)::integer FROM generate_series(1, 10000) AS id;
CREATE TABLE fortune (id integer PRIMARY KEY, message varchar(2048) NOT NULL);
INSERT INTO fortune (id, message) VALUES
    (1, 'fortune: No such file or directory'),
    (2, 'A computer scientist is someone who fixes things that aren''t broken.'),
    (3, 'After enough decimal places, nobody gives a damn.'),
    (4, 'A bad random number generator: 1, 1, 1, 1, 1, 4.33e+67, 1, 1, 1'),
    (5, 'A computer program does what you tell it to do, not what you want it to do.'),
    (6, 'Emacs is a nice operating system, but I prefer UNIX. — Tom Christaensen'),
    (7, 'Any program that runs right is obsolete.'),
    (8, 'A list is only as strong as its weakest link. — Donald Knuth'),
    (9, 'Feature: A bug with seniority.'),
    (10, 'Computers make very fast, very accurate mistakes.'),
    (11, '<script>alert(\"This should not be displayed in a browser alert box.\");</script>'),
    (12, 'フレームワークのベンチマーク');
ANALYZE;
SELECT pg_stat_statements_reset();
";

/// A running PostgreSQL with TechEmpower's tables; see the module docs.
pub struct Postgres {
    addr: SocketAddr,
    pid: libc::pid_t,
    dir: PathBuf,
    bin: PathBuf,
    as_root: bool,
    /// Spawned the server and waits for it: `PR_SET_PDEATHSIG` follows the thread that forked.
    waiter: Option<JoinHandle<()>>,
}

impl Postgres {
    /// Starts a server; the error says what is missing when PostgreSQL is not installed.
    pub fn start() -> io::Result<Postgres> {
        let bin = bin_dir()?;
        remove_stale();
        let dir = std::env::temp_dir().join(format!("{PREFIX}{}-{}", std::process::id(), unique()));
        std::fs::create_dir_all(&dir)?;
        let as_root = unsafe { libc::geteuid() } == 0;
        if as_root {
            chown(&dir)?;
        }
        let data = dir.join("data");
        let mut initdb = command(&bin.join("initdb"), as_root);
        initdb.args(["-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "-D"]);
        run(initdb.arg(&data), "initdb")?;

        let port = free_port()?;
        let mut server = Postgres {
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
            pid: 0,
            dir,
            bin,
            as_root,
            waiter: None,
        };
        server.launch()?;
        server.psql("postgres", "CREATE DATABASE hello_world")?;
        server.psql("hello_world", SCHEMA)?;
        Ok(server)
    }

    /// Starts the postmaster on the data directory and waits until it accepts connections.
    fn launch(&mut self) -> io::Result<()> {
        let mut postgres = command(&self.bin.join("postgres"), self.as_root);
        postgres
            .arg("-D")
            .arg(self.dir.join("data"))
            .args(["-h", "127.0.0.1", "-p", &self.addr.port().to_string(), "-k"])
            .arg(&self.dir)
            // A scratch database: durability is not what is measured (docs/method.md).
            .args([
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
            ])
            .args(["-c", "max_connections=2000", "-c", "shared_buffers=128MB"])
            .args([
                "-c",
                "shared_preload_libraries=pg_stat_statements",
                "-c",
                "pg_stat_statements.track=all",
            ])
            .stdout(Stdio::null())
            .stderr(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(self.dir.join("log"))?,
            );
        // SAFETY: prctl is async-signal-safe; it runs in the forked child before exec, after the uid change.
        unsafe {
            postgres.pre_exec(|| match libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGINT) {
                0 => Ok(()),
                _ => Err(io::Error::last_os_error()),
            });
        }
        let (started, pid) = mpsc::channel();
        let waiter = std::thread::Builder::new()
            .name("postgres".into())
            .spawn(move || match postgres.spawn() {
                Ok(mut child) => {
                    let _ = started.send(Ok(child.id() as libc::pid_t));
                    let _ = child.wait();
                }
                Err(e) => drop(started.send(Err(e))),
            })?;
        self.pid = pid
            .recv()
            .map_err(|_| io::Error::other("the postgres thread died"))??;
        self.waiter = Some(waiter);
        self.wait_ready()
    }

    /// Stops the server (fast shutdown: its connections are cut) and waits until it has exited;
    /// [`Postgres::resume`] starts it again on the same port and data.
    pub fn stop(&mut self) {
        if let Some(waiter) = self.waiter.take() {
            // SAFETY: signalling our own child. SIGINT: PostgreSQL's fast shutdown.
            unsafe { libc::kill(self.pid, libc::SIGINT) };
            let _ = waiter.join();
        }
    }

    /// Starts a stopped server again.
    pub fn resume(&mut self) -> io::Result<()> {
        match self.running() {
            true => Ok(()),
            false => self.launch(),
        }
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// A URL for `tokio_postgres::Config` (and `--db-url`).
    pub fn url(&self) -> String {
        format!("postgres://postgres@{}/hello_world", self.addr)
    }

    /// Runs `sql` with `psql` in `database`, its output returned (unaligned, tuples only).
    pub fn query(&self, sql: &str) -> io::Result<String> {
        self.psql("hello_world", sql)
    }

    fn psql(&self, database: &str, sql: &str) -> io::Result<String> {
        let mut psql = Command::new(self.bin.join("psql"));
        psql.args([
            "-X",
            "-q",
            "-A",
            "-t",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
        ])
        .args(["-p", &self.addr.port().to_string(), "-d", database, "-c", sql]);
        run(&mut psql, "psql")
    }

    fn wait_ready(&self) -> io::Result<()> {
        let began = Instant::now();
        loop {
            match self.psql("postgres", "SELECT 1") {
                Ok(_) => return Ok(()),
                Err(_) if began.elapsed() < START_TIMEOUT && self.running() => {
                    std::thread::sleep(Duration::from_millis(50))
                }
                Err(e) => {
                    let log = std::fs::read_to_string(self.dir.join("log")).unwrap_or_default();
                    return Err(io::Error::other(format!(
                        "postgres did not start ({e}); its log:\n{log}"
                    )));
                }
            }
        }
    }

    fn running(&self) -> bool {
        self.waiter.as_ref().is_some_and(|w| !w.is_finished())
    }

    /// The postmaster's process id.
    pub fn pid(&self) -> libc::pid_t {
        self.pid
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A database URL at a local port nothing listens on: connecting to it is refused at once.
pub fn unreachable_url() -> io::Result<String> {
    Ok(format!("postgres://postgres@127.0.0.1:{}/x", free_port()?))
}

/// The temporary directories' names: this prefix, the pid of the process that made one, a count.
const PREFIX: &str = "server-backends-pg-";

/// Removes the directories of processes that ended without dropping their server (a test binary's
/// shared server in a `static`, a run stopped by a signal): their servers stopped with them.
fn remove_stale() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let pid = name
            .to_str()
            .and_then(|n| n.strip_prefix(PREFIX)?.split('-').next()?.parse().ok());
        // SAFETY: signal 0 only checks whether the process exists.
        let gone = |pid: libc::pid_t| unsafe { libc::kill(pid, 0) } != 0;
        if pid.is_some_and(gone) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// `PG_BIN`, else the newest of Debian's `/usr/lib/postgresql/*/bin`.
fn bin_dir() -> io::Result<PathBuf> {
    if let Some(bin) = std::env::var_os("PG_BIN") {
        return Ok(bin.into());
    }
    let versions = std::fs::read_dir("/usr/lib/postgresql").map_err(|e| {
        io::Error::new(
            e.kind(),
            "PostgreSQL is not installed (no /usr/lib/postgresql): `apt-get install postgresql \
             postgresql-contrib`, or set PG_BIN to the directory holding initdb and postgres",
        )
    })?;
    let newest = versions
        .flatten()
        .filter_map(|v| Some((v.file_name().to_str()?.parse::<u32>().ok()?, v.path())))
        .max_by_key(|(version, _)| *version);
    newest.map(|(_, path)| path.join("bin")).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::NotFound,
            "no PostgreSQL version under /usr/lib/postgresql",
        )
    })
}

fn command(program: &Path, as_root: bool) -> Command {
    let mut command = Command::new(program);
    if as_root {
        command.uid(NOBODY).gid(NOBODY);
    }
    command
}

fn run(command: &mut Command, what: &str) -> io::Result<String> {
    let out = command.stdin(Stdio::null()).output()?;
    match out.status.success() {
        true => Ok(String::from_utf8_lossy(&out.stdout).into_owned()),
        false => Err(io::Error::other(format!(
            "{what} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ))),
    }
}

fn chown(dir: &Path) -> io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let path = std::ffi::CString::new(dir.as_os_str().as_bytes()).map_err(io::Error::other)?;
    // SAFETY: a valid NUL-terminated path.
    match unsafe { libc::chown(path.as_ptr(), NOBODY, NOBODY) } {
        0 => Ok(()),
        _ => Err(io::Error::last_os_error()),
    }
}

fn free_port() -> io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn unique() -> usize {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}
