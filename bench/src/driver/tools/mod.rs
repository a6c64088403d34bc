//! The measuring tools: the programs a run needs (the `serve` binary, oha built once with `cargo
//! install`, wrk where a scenario wants it) found or installed here, and each tool's own module:
//! how it is started and what it reports.

pub mod clients;
pub mod load;
pub mod oha;
pub mod pin;
pub mod procfs;
pub mod sampler;
pub mod sse_load;
pub mod wrk;
pub mod ws_load;

use std::path::{Path, PathBuf};
use std::process::Command;

/// oha's version: the one the anchors were measured with. Only its default features build.
pub const OHA_VERSION: &str = "1.16.0";

pub struct Tools {
    /// `None` when only a running `--target` is measured.
    pub serve: Option<PathBuf>,
    /// The sse scenario's load generator, built beside `serve`.
    pub sse_load: Option<PathBuf>,
    /// The WebSocket scenarios' load generator, built beside `serve`.
    pub ws_load: Option<PathBuf>,
    /// The runtimes' floor server (`--floors`), built beside `serve`.
    pub bare: Option<PathBuf>,
    pub oha: PathBuf,
    pub wrk: Option<PathBuf>,
    pub oha_version: String,
    /// The postmaster of the database the bench started, whose processes' CPU the database
    /// scenarios read.
    pub database_pid: Option<u32>,
}

/// Finds or builds everything; says what it is doing when that takes a while. wrk is looked for
/// (and installed) only when a chosen scenario uses it: `wrk_why` says which.
pub fn prepare(
    workspace: &Path,
    serve: Option<PathBuf>,
    need_serve: bool,
    wrk_why: Option<&str>,
) -> Result<Tools, String> {
    let serve = match serve {
        Some(serve) => Some(serve),
        None if need_serve => Some(build_serve(workspace)?),
        None => None,
    };
    let oha = match find_oha() {
        Some(oha) => oha,
        None => install_oha()?,
    };
    let wrk = wrk_why.and_then(|why| which("wrk").or_else(|| apt_install("wrk", "wrk", why)));
    let oha_version = version(&oha)
        .map(|v| v.trim_start_matches("oha ").to_owned())
        .unwrap_or_default();
    let beside_serve = |name: &str| {
        serve
            .as_deref()
            .and_then(Path::parent)
            .map(|dir| dir.join(name))
            .filter(|p| p.exists())
    };
    let (sse_load, ws_load, bare) = (
        beside_serve("sse-load"),
        beside_serve("ws-load"),
        beside_serve("bare"),
    );
    Ok(Tools {
        serve,
        sse_load,
        ws_load,
        bare,
        oha,
        wrk,
        oha_version,
        database_pid: None,
    })
}

fn build_serve(workspace: &Path) -> Result<PathBuf, String> {
    eprintln!("building serve, sse-load, ws-load and bare (release)...");
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args([
            "build",
            "--release",
            "--quiet",
            "-p",
            "bench",
            "--bin",
            "serve",
            "--bin",
            "sse-load",
            "--bin",
            "ws-load",
            "--bin",
            "bare",
        ])
        .current_dir(workspace)
        .status()
        .map_err(|e| format!("running cargo: {e}"))?;
    if !status.success() {
        return Err("building serve failed".into());
    }
    let serve = release_serve(workspace);
    serve
        .exists()
        .then_some(serve)
        .ok_or_else(|| "serve was built but not found in target/release".into())
}

/// oha on PATH or in cargo's bin directory, if it is the pinned version.
pub fn find_oha() -> Option<PathBuf> {
    [which("oha"), cargo_bin().map(|bin| bin.join("oha"))]
        .into_iter()
        .flatten()
        .find(|oha| version(oha).is_some_and(|v| v.contains(OHA_VERSION)))
}

fn version(program: &Path) -> Option<String> {
    let out = Command::new(program).arg("--version").output().ok()?;
    Some(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

fn cargo_bin() -> Option<PathBuf> {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))?;
    Some(home.join("bin"))
}

fn install_oha() -> Result<PathBuf, String> {
    eprintln!(
        "installing oha {OHA_VERSION} with `cargo install` (a one-time build of about 7 minutes on two cores; \
         later runs reuse it)..."
    );
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["install", "oha", "--version", OHA_VERSION, "--locked"])
        .status()
        .map_err(|e| format!("running cargo install: {e}"))?;
    if !status.success() {
        return Err(format!("cargo install oha {OHA_VERSION} failed"));
    }
    find_oha().ok_or_else(|| "oha was installed but is not found on PATH or in cargo's bin directory".into())
}

/// `binary` from the distribution's `package`, when this is a Debian-like system and we may
/// install packages; says `why` it is installing.
pub fn apt_install(package: &str, binary: &str, why: &str) -> Option<PathBuf> {
    apt_get_install(package, why);
    which(binary)
}

/// `apt-get install package` (one, or several separated by spaces) when run as root; `false` if it
/// could not be tried or failed.
pub fn apt_get_install(package: &str, why: &str) -> bool {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 || which("apt-get").is_none() {
        return false;
    }
    eprintln!("installing {package} with apt-get ({why})...");
    let quiet = |args: &[&str]| {
        Command::new("apt-get")
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .stdout(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    let install: Vec<&str> = ["install", "-y", "-qq"]
        .into_iter()
        .chain(package.split_whitespace())
        .collect();
    quiet(&["update", "-qq"]) && quiet(&install)
}

/// The workspace this driver was built in.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("bench is in the workspace")
        .to_owned()
}

/// Where `cargo build --release` puts `serve`.
pub fn release_serve(workspace: &Path) -> PathBuf {
    target_dir(workspace).join("release/serve")
}

pub fn target_dir(workspace: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| workspace.join("target"), PathBuf::from)
}

pub fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|dir| Path::new(dir).join(name))
        .find(|p| p.is_file())
}

/// A Python venv at `venv` with `requirements` installed (pip, once: again only when the file
/// changes), made with Debian's `python3-venv` when the system's Python lacks venv's pip.
pub fn python_venv(requirements: &Path, venv: &Path, what: &str) -> Result<(), String> {
    let Some(python) = which("python3") else {
        return Err("python3 not found".into());
    };
    if installed(requirements, venv)? {
        return Ok(());
    }
    eprintln!("installing {what} into {} (pip, once)...", venv.display());
    let make_venv = || {
        run(
            Command::new(&python).args(["-m", "venv"]).arg(venv),
            "python3 -m venv",
        )
    };
    // Debian ships venv's pip bootstrap in a package of its own.
    if make_venv().is_err() {
        apt_install("python3-venv", "python3", "for a Python venv");
        make_venv()?;
    }
    run(
        Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet", "-r"])
            .arg(requirements),
        "pip install",
    )?;
    mark_installed(requirements, venv)
}

/// Whether `dir` holds what `manifest` lists: a copy of the manifest is left there after each
/// install, so an edited manifest installs again. (npm installs from the copy.)
pub(crate) fn installed(manifest: &Path, dir: &Path) -> Result<bool, String> {
    let wanted = std::fs::read(manifest).map_err(|e| format!("{}: {e}", manifest.display()))?;
    let copy = dir.join(manifest.file_name().expect("a file"));
    if std::fs::read(&copy).is_ok_and(|have| have == wanted) && dir.join(".installed").exists() {
        return Ok(true);
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let _ = std::fs::remove_file(dir.join(".installed"));
    std::fs::write(&copy, wanted).map_err(|e| format!("{}: {e}", copy.display()))?;
    Ok(false)
}

pub(crate) fn mark_installed(manifest: &Path, dir: &Path) -> Result<(), String> {
    let stamp = dir.join(".installed");
    std::fs::write(&stamp, manifest.to_string_lossy().as_bytes())
        .map_err(|e| format!("{}: {e}", stamp.display()))
}

pub(crate) fn run(command: &mut Command, what: &str) -> Result<(), String> {
    let status = command.status().map_err(|e| format!("{what}: {e}"))?;
    status
        .success()
        .then_some(())
        .ok_or_else(|| format!("{what} failed: {status}"))
}
