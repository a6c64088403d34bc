//! The reference servers of `bench/reference/`: the route contract in Go, Node and Python WSGI,
//! and TechEmpower's database routes when given `DATABASE_URL`, measured as extra rows under the
//! identical method. Each is built or installed from the
//! project's own files (the toolchain from Debian's packages when missing); where one cannot be
//! had, the report says which and why.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::kind::RowKind;
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
}

impl Reference {
    pub const ALL: [Reference; 3] = [Reference::Go, Reference::Node, Reference::Gunicorn];

    /// The row's name in every table and chart.
    pub fn row_name(self) -> &'static str {
        match self {
            Reference::Go => "ref-go",
            Reference::Node => "ref-node",
            Reference::Gunicorn => "ref-gunicorn",
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
                if !gopath.join("src/github.com/jackc/pgx/v4/pgxpool").is_dir()
                    && !apt_get_install(PGX_PACKAGE, "for the Go reference's database routes")
                {
                    return Err(format!(
                        "pgx v4 not found, and apt-get could not install {PGX_PACKAGE}"
                    ));
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
        }
    }
}

/// Debian's pgx v4 (pgx v5 is not packaged for bookworm), with pgxpool.
const PGX_PACKAGE: &str = "golang-github-jackc-pgx-v4-dev";
