//! One `serve` process per measured backend, pinned to the server CPUs.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use bench::BackendName;

use super::procfs;

/// Connections the bench lets every server hold: above the largest scenario, so that the
/// comparison measures the scheduling model rather than the admission limit.
const MAX_CONNECTIONS: &str = "20000";

pub struct ServerProcess {
    child: Child,
    pub addr: SocketAddr,
    /// VmRSS right after start, before any request: the base of memory per connection.
    pub start_rss_kb: u64,
    /// The kernel's thread stacks (system-wide) at the same moment.
    pub start_kernel_stack_kb: u64,
}

impl ServerProcess {
    pub fn start(serve: &Path, backend: BackendName, cpus: &[usize]) -> Result<Self, String> {
        let mut command = Command::new(serve);
        command
            .args([
                "--backend",
                backend.as_str(),
                "--addr",
                "127.0.0.1:0",
                "--max-connections",
                MAX_CONNECTIONS,
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        pin_child(&mut command, cpus);
        let mut child = command
            .spawn()
            .map_err(|e| format!("starting {}: {e}", serve.display()))?;
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("piped"))
            .read_line(&mut line)
            .map_err(|e| format!("reading serve's first line: {e}"))?;
        let addr = line
            .split_whitespace()
            .find_map(|word| word.parse().ok())
            .ok_or_else(|| format!("serve --backend {} did not start: {line:?}", backend.as_str()))?;
        let start_rss_kb = procfs::status_field(child.id(), "VmRSS:");
        let start_kernel_stack_kb = procfs::kernel_stack_kb();
        Ok(ServerProcess {
            child,
            addr,
            start_rss_kb,
            start_kernel_stack_kb,
        })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGTERM, then waits for the graceful shutdown; `false` if it had to be killed or failed.
    pub fn stop(mut self) -> bool {
        self.terminate()
    }

    fn terminate(&mut self) -> bool {
        // SAFETY: signalling our own child, which has not been reaped yet.
        unsafe { libc::kill(self.child.id() as libc::pid_t, libc::SIGTERM) };
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.success();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        false
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.terminate();
        }
    }
}

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

/// Pins this process (the driver, and so the idle-connection client) to `cpus`.
pub fn pin_self(cpus: &[usize]) -> std::io::Result<()> {
    let set = cpu_set(cpus);
    // SAFETY: the set lives for the call.
    if unsafe { libc::sched_setaffinity(0, size_of::<libc::cpu_set_t>(), &set) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
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
}

impl Sampler {
    pub fn start(pid: u32) -> Sampler {
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut rss = Vec::new();
            let mut out = MemorySamples::default();
            while !flag.load(std::sync::atomic::Ordering::Relaxed) {
                let now = procfs::status_field(pid, "VmRSS:");
                rss.push(now);
                out.peak_rss_kb = out.peak_rss_kb.max(now);
                out.peak_kernel_stack_kb = out.peak_kernel_stack_kb.max(procfs::kernel_stack_kb());
                out.peak_threads = out.peak_threads.max(procfs::status_field(pid, "Threads:"));
                std::thread::sleep(Duration::from_millis(100));
            }
            let mut second_half = rss.split_off(rss.len() / 2);
            second_half.sort_unstable();
            out.steady_rss_kb = second_half.get(second_half.len() / 2).copied().unwrap_or(0);
            out
        });
        Sampler { stop, thread }
    }

    pub fn finish(self) -> MemorySamples {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        self.thread.join().unwrap_or_default()
    }
}
