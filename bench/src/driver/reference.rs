//! The reference servers of `bench/reference/`: the route contract in Go, Node and Python WSGI,
//! measured as extra rows under the identical method. Each is built or installed from the
//! project's own files when its toolchain is present, and skipped with one line when it is not.

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

    /// Finds the toolchain and builds the server (Go) or installs it into a local venv
    /// (gunicorn). `Ok(None)` when the toolchain is missing: the rows are skipped, said once.
    pub fn prepare(self, workspace: &Path) -> Result<Option<Subject>, String> {
        let sources = workspace.join("bench/reference");
        let out = target_dir(workspace).join("reference");
        let subject = |program: PathBuf, args: Vec<String>| Subject {
            name: self.row_name().into(),
            reference: true,
            program,
            args,
            running: None,
        };
        let path = |p: PathBuf| p.to_string_lossy().into_owned();
        match self {
            Reference::Go => {
                let Some(go) = which("go").or_else(|| apt_install("golang-go", "go", "for the Go reference"))
                else {
                    return skipped(self, "go");
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
                Ok(Some(subject(binary, vec![])))
            }
            Reference::Node => {
                let Some(node) = which("node") else {
                    return skipped(self, "node");
                };
                Ok(Some(subject(node, vec![path(sources.join("node/server.js"))])))
            }
            Reference::Gunicorn => {
                let Some(python) = which("python3") else {
                    return skipped(self, "python3");
                };
                let venv = out.join("venv");
                let gunicorn = venv.join("bin/gunicorn");
                if !gunicorn.exists() {
                    eprintln!("installing gunicorn into {} (pip, once)...", venv.display());
                    run(
                        Command::new(python).args(["-m", "venv"]).arg(&venv),
                        "python3 -m venv",
                    )?;
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
                Ok(Some(subject(gunicorn, args)))
            }
        }
    }
}

fn skipped(reference: Reference, toolchain: &str) -> Result<Option<Subject>, String> {
    eprintln!(
        "note: {toolchain} not found: the {} reference rows are skipped",
        reference.row_name()
    );
    Ok(None)
}

fn run(command: &mut Command, what: &str) -> Result<(), String> {
    let status = command.status().map_err(|e| format!("{what}: {e}"))?;
    status
        .success()
        .then_some(())
        .ok_or_else(|| format!("{what} failed: {status}"))
}
