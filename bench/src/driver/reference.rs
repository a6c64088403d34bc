//! The reference servers of `bench/reference/`: the route contract in Go, Node and Python WSGI,
//! and TechEmpower's database routes when given `DATABASE_URL`, measured as extra rows under the
//! identical method; and the leading Rust servers (actix-web, xitca-web on compio and on tokio,
//! ntex) from their TechEmpower entries, in a workspace of their own (bench/reference/rust-peers),
//! for the scenarios whose routes their entries serve. Each is built or installed from the
//! project's own files (the toolchain from Debian's packages when missing); where one cannot be
//! had, the report says which and why.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::kind::RowKind;
use super::scenarios::Scenario;
use super::server::Subject;
use super::tools::{
    apt_get_install, apt_install, installed, mark_installed, python_venv, run, target_dir, which,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Reference {
    /// Go's net/http: a goroutine per connection.
    Go,
    /// Node's http module: one event loop.
    Node,
    /// gunicorn (WSGI): worker processes with a pool of threads each.
    Gunicorn,
    /// actix-web: an actix system (a current-thread tokio runtime) per core.
    Actix,
    /// xitca-web on compio (io_uring), a runtime per core.
    XitcaCompio,
    /// xitca-web on tokio, a current-thread runtime per core.
    XitcaTokio,
    /// ntex on tokio, a runtime per core.
    Ntex,
}

/// The scenarios whose routes the Rust peers' TechEmpower entries serve (with the bench's /wait).
const PEER_SCENARIOS: [&str; 9] = [
    "plaintext",
    "json",
    "pipelined",
    "wait",
    "idle",
    "db",
    "queries",
    "fortunes",
    "updates",
];

impl Reference {
    pub const ALL: [Reference; 7] = [
        Reference::Go,
        Reference::Node,
        Reference::Gunicorn,
        Reference::Actix,
        Reference::XitcaCompio,
        Reference::XitcaTokio,
        Reference::Ntex,
    ];

    /// The references that serve the whole route contract (and the contract's answers to database
    /// errors); the Rust peers serve only their TechEmpower entries' routes.
    pub const CONTRACT: [Reference; 3] = [Reference::Go, Reference::Node, Reference::Gunicorn];

    /// The row's name in every table and chart (and the peers' binary names).
    pub fn row_name(self) -> &'static str {
        match self {
            Reference::Go => "ref-go",
            Reference::Node => "ref-node",
            Reference::Gunicorn => "ref-gunicorn",
            Reference::Actix => "ref-actix",
            Reference::XitcaCompio => "ref-xitca-compio",
            Reference::XitcaTokio => "ref-xitca-tokio",
            Reference::Ntex => "ref-ntex",
        }
    }

    /// The cells this reference is measured in, where not all: the peers serve only their
    /// entries' routes, gunicorn no WebSocket.
    pub fn only_in(self) -> Option<fn(&dyn Scenario, usize) -> bool> {
        match self {
            Reference::Go | Reference::Node => None,
            Reference::Gunicorn => Some(|scenario, _| !scenario.id().starts_with("ws-")),
            Reference::Actix | Reference::XitcaCompio | Reference::XitcaTokio | Reference::Ntex => {
                Some(|scenario, _| PEER_SCENARIOS.contains(&scenario.id()))
            }
        }
    }

    /// Finds the toolchain and libraries (installing Debian's packages when missing) and builds
    /// the server (Go), installs its one dependency (Node's pg) or a venv (gunicorn, psycopg).
    /// `Err` says why its rows cannot be had.
    pub fn prepare(self, workspace: &Path) -> Result<Subject, String> {
        let sources = workspace.join("bench/reference");
        let out = target_dir(workspace).join("reference");
        let subject = |program: PathBuf, args: Vec<String>, env: Vec<(String, String)>| Subject {
            name: self.row_name().into(),
            kind: RowKind::Reference,
            program,
            args,
            env,
            ..Subject::default()
        };
        let path = |p: PathBuf| p.to_string_lossy().into_owned();
        match self {
            Reference::Go => {
                let Some(go) = which("go").or_else(|| apt_install("golang-go", "go", "for the Go reference"))
                else {
                    return Err("go not found, and apt-get could not install golang-go".into());
                };
                // Built in GOPATH mode against Debian's Go sources: no module proxy is needed.
                let gopath = Path::new("/usr/share/gocode");
                for (dir, package, why) in [
                    (
                        "jackc/pgx/v4/pgxpool",
                        PGX_PACKAGE,
                        "for the Go reference's database routes",
                    ),
                    (
                        "gorilla/websocket",
                        GORILLA_PACKAGE,
                        "for the Go reference's WebSocket routes",
                    ),
                ] {
                    if !gopath.join("src/github.com").join(dir).is_dir() && !apt_get_install(package, why) {
                        return Err(format!(
                            "{dir} not found, and apt-get could not install {package}"
                        ));
                    }
                }
                let binary = out.join("go-net-http");
                run(
                    Command::new(go)
                        .args(["build", "-o"])
                        .arg(&binary)
                        .arg(".")
                        .env("GO111MODULE", "off")
                        .env("GOPATH", gopath)
                        .current_dir(sources.join("go")),
                    "go build",
                )?;
                Ok(subject(binary, vec![], vec![]))
            }
            Reference::Node => {
                let Some(node) =
                    which("node").or_else(|| apt_install("nodejs", "node", "for the Node reference"))
                else {
                    return Err("node not found, and apt-get could not install nodejs".into());
                };
                let modules = out.join("node");
                let manifest = sources.join("node/package.json");
                if !installed(&manifest, &modules)? {
                    let npm = which("npm")
                        .or_else(|| apt_install("npm", "npm", "for the Node reference's pg"))
                        .ok_or("npm not found, and apt-get could not install it")?;
                    eprintln!("installing pg into {} (npm, once)...", modules.display());
                    run(
                        Command::new(npm)
                            .args(["install", "--silent", "--no-audit", "--no-fund"])
                            .current_dir(&modules),
                        "npm install",
                    )?;
                    mark_installed(&manifest, &modules)?;
                }
                let env = vec![("NODE_PATH".into(), path(modules.join("node_modules")))];
                Ok(subject(node, vec![path(sources.join("node/server.js"))], env))
            }
            Reference::Gunicorn => {
                let venv = out.join("venv");
                python_venv(
                    &sources.join("wsgi/requirements.txt"),
                    &venv,
                    "gunicorn and psycopg",
                )?;
                let wsgi = sources.join("wsgi");
                let args = vec![
                    "--config".into(),
                    path(wsgi.join("gunicorn.conf.py")),
                    "--chdir".into(),
                    path(wsgi),
                    "app:application".into(),
                    "--bind".into(),
                ];
                Ok(subject(venv.join("bin/gunicorn"), args, vec![]))
            }
            Reference::Actix | Reference::XitcaCompio | Reference::XitcaTokio | Reference::Ntex => {
                let peers = out.join("peers");
                build_peers(&sources.join("rust-peers/Cargo.toml"), &peers)?;
                Ok(subject(
                    peers.join("release").join(self.row_name()),
                    vec![],
                    vec![],
                ))
            }
        }
    }
}

/// Builds the Rust peers' workspace in release, once per run (all four share it).
fn build_peers(manifest: &Path, target: &Path) -> Result<(), String> {
    static BUILT: std::sync::OnceLock<Result<(), String>> = std::sync::OnceLock::new();
    BUILT
        .get_or_init(|| {
            eprintln!(
                "building the Rust peers (actix-web, xitca-web, ntex; a few minutes the first time)..."
            );
            let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
            run(
                Command::new(cargo)
                    .args(["build", "--release", "--quiet", "--manifest-path"])
                    .arg(manifest)
                    .arg("--target-dir")
                    .arg(target),
                "building the Rust peers",
            )
        })
        .clone()
}

/// Debian's pgx v4 (pgx v5 is not packaged for bookworm), with pgxpool.
const PGX_PACKAGE: &str = "golang-github-jackc-pgx-v4-dev";
/// Debian's gorilla/websocket.
const GORILLA_PACKAGE: &str = "golang-github-gorilla-websocket-dev";
