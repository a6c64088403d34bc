//! The reference servers of `bench/reference/`: the route contract in Go, Node and Python WSGI,
//! measured as extra rows under the identical method. Each is built or installed from the
//! project's own files (the toolchain from Debian's packages when missing); where one cannot be
//! had, the report says which and why.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::server::Subject;
use super::tools::{apt_install, target_dir, which};

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

    /// Finds the toolchain (installing Debian's golang-go when missing) and builds the server
    /// (Go) or installs it into a local venv (gunicorn). `Err` says why its rows cannot be had.
    pub fn prepare(self, workspace: &Path) -> Result<Subject, String> {
        let sources = workspace.join("bench/reference");
        let out = target_dir(workspace).join("reference");
        let subject = |program: PathBuf, args: Vec<String>| Subject {
            name: self.row_name().into(),
            reference: true,
            program,
            args,
            running: None,
            database_only: false,
        };
        let path = |p: PathBuf| p.to_string_lossy().into_owned();
        match self {
            Reference::Go => {
                let Some(go) = which("go").or_else(|| apt_install("golang-go", "go", "for the Go reference"))
                else {
                    return Err("go not found, and apt-get could not install golang-go".into());
                };
                let binary = out.join("go-net-http");
                run(
                    Command::new(go)
                        .args(["build", "-o"])
                        .arg(&binary)
                        .arg(".")
                        .current_dir(sources.join("go")),
                    "go build",
                )?;
                Ok(subject(binary, vec![]))
            }
            Reference::Node => {
                let Some(node) =
                    which("node").or_else(|| apt_install("nodejs", "node", "for the Node reference"))
                else {
                    return Err("node not found, and apt-get could not install nodejs".into());
                };
                Ok(subject(node, vec![path(sources.join("node/server.js"))]))
            }
            Reference::Gunicorn => {
                let Some(python) = which("python3") else {
                    return Err("python3 not found".into());
                };
                let venv = out.join("venv");
                let gunicorn = venv.join("bin/gunicorn");
                if !gunicorn.exists() {
                    eprintln!("installing gunicorn into {} (pip, once)...", venv.display());
                    let make_venv = || {
                        run(
                            Command::new(&python).args(["-m", "venv"]).arg(&venv),
                            "python3 -m venv",
                        )
                    };
                    // Debian ships venv's pip bootstrap in a package of its own.
                    if make_venv().is_err() {
                        apt_install("python3-venv", "python3", "for gunicorn's venv");
                        make_venv()?;
                    }
                    run(
                        Command::new(venv.join("bin/pip"))
                            .args(["install", "--quiet", "-r"])
                            .arg(sources.join("wsgi/requirements.txt")),
                        "pip install",
                    )?;
                }
                let wsgi = sources.join("wsgi");
                let args = vec![
                    "--config".into(),
                    path(wsgi.join("gunicorn.conf.py")),
                    "--chdir".into(),
                    path(wsgi),
                    "app:application".into(),
                    "--bind".into(),
                ];
                Ok(subject(gunicorn, args))
            }
        }
    }
}

fn run(command: &mut Command, what: &str) -> Result<(), String> {
    let status = command.status().map_err(|e| format!("{what}: {e}"))?;
    status
        .success()
        .then_some(())
        .ok_or_else(|| format!("{what} failed: {status}"))
}
