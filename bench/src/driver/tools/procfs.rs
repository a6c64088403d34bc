//! What `/proc` tells about the server process and the kernel.

use std::fs;

/// Clock ticks per second, for `/proc/PID/stat` times.
pub fn ticks_per_second() -> f64 {
    // SAFETY: sysconf has no preconditions.
    (unsafe { libc::sysconf(libc::_SC_CLK_TCK) }) as f64
}

/// The fields of `/proc/PID/stat` after the command name (which is in parentheses and may
/// contain spaces): index 1 is the parent's pid, 11 and 12 utime and stime.
fn stat_fields(pid: u32) -> Vec<String> {
    fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| {
            Some(
                stat.rsplit_once(')')?
                    .1
                    .split_whitespace()
                    .map(String::from)
                    .collect(),
            )
        })
        .unwrap_or_default()
}

/// The process and all its descendants: a multi-process server (gunicorn's workers) counts whole.
pub fn tree(pid: u32) -> Vec<u32> {
    let mut parents: Vec<(u32, u32)> = Vec::new();
    if let Ok(entries) = fs::read_dir("/proc") {
        for entry in entries.flatten() {
            let Some(child) = entry.file_name().to_str().and_then(|n| n.parse().ok()) else {
                continue;
            };
            if let Some(parent) = stat_fields(child).get(1).and_then(|p| p.parse().ok()) {
                parents.push((child, parent));
            }
        }
    }
    let mut found = vec![pid];
    let mut next = 0;
    while next < found.len() {
        let parent = found[next];
        found.extend(parents.iter().filter(|(_, p)| *p == parent).map(|(c, _)| *c));
        next += 1;
    }
    found
}

/// User plus system CPU seconds the process and its descendants have used, all threads
/// included, and those of descendants that already exited (cutime, cstime).
pub fn cpu_seconds(pid: u32) -> f64 {
    let ticks: f64 = tree(pid)
        .into_iter()
        .map(|p| {
            let fields = stat_fields(p);
            let tick = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
            tick(11) + tick(12) + tick(13) + tick(14)
        })
        .sum();
    ticks / ticks_per_second()
}

/// The machine's steal time so far (the hypervisor ran another guest on our CPUs) and all its CPU
/// time, in ticks, from `/proc/stat`'s `cpu` line.
pub fn steal_and_total_ticks() -> (u64, u64) {
    let stat = fs::read_to_string("/proc/stat").unwrap_or_default();
    let fields: Vec<u64> = (stat.lines().next().unwrap_or_default().split_whitespace().skip(1))
        .filter_map(|f| f.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal guest guest_nice: guest time is in user's.
    let total = fields.iter().take(8).sum();
    (fields.get(7).copied().unwrap_or(0), total)
}

/// CPU seconds the live threads of the process and its descendants have run, to the nanosecond
/// (`/proc/P/task/T/schedstat`), where `cpu_seconds` counts 10 ms ticks: for a short window at low
/// load (sse: ~0.15 CPU-s in 2 s), where ticks would quantize the figure by several percent. A
/// thread that exits takes its time with it, so only for a window in which none does.
pub fn threads_cpu_seconds(pid: u32) -> f64 {
    let nanos: u64 = tree(pid)
        .into_iter()
        .flat_map(|p| std::fs::read_dir(format!("/proc/{p}/task")).into_iter().flatten())
        .filter_map(|task| {
            let stat = std::fs::read_to_string(task.ok()?.path().join("schedstat")).ok()?;
            stat.split_whitespace().next()?.parse::<u64>().ok()
        })
        .sum();
    nanos as f64 / 1e9
}

/// CPU seconds each live thread of the process has run, to the nanosecond, summed by thread name
/// (`core-0`, `core-1`, … for a per-core server's workers).
pub fn cpu_seconds_by_thread_name(pid: u32) -> std::collections::BTreeMap<String, f64> {
    let mut by_name = std::collections::BTreeMap::new();
    for task in std::fs::read_dir(format!("/proc/{pid}/task"))
        .into_iter()
        .flatten()
        .flatten()
    {
        let read = |file| std::fs::read_to_string(task.path().join(file)).ok();
        let (Some(name), Some(stat)) = (read("comm"), read("schedstat")) else {
            continue;
        };
        let nanos: u64 = stat
            .split_whitespace()
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        *by_name.entry(name.trim().to_owned()).or_insert(0.0) += nanos as f64 / 1e9;
    }
    by_name
}

/// A `kB` field of `/proc/PID/status` (VmRSS) or the `Threads` count, summed over the process
/// and its descendants (for RSS an upper bound: pages shared after fork count once per process).
pub fn tree_status_field(pid: u32, key: &str) -> u64 {
    tree(pid)
        .into_iter()
        .map(|p| field(&format!("/proc/{p}/status"), key))
        .sum()
}

/// Open file descriptors of the process and its descendants: sockets that outlive their
/// connections show up here.
pub fn open_fds(pid: u32) -> u64 {
    tree(pid)
        .into_iter()
        .filter_map(|p| fs::read_dir(format!("/proc/{p}/fd")).ok())
        .map(|entries| entries.count() as u64)
        .sum()
}

/// Kernel memory used for thread stacks, system-wide, in kB: what RSS does not show of a thread.
pub fn kernel_stack_kb() -> u64 {
    field("/proc/meminfo", "KernelStack:")
}

/// The kernel's thread stacks once they have stopped shrinking (threads of a load just ended are
/// still being torn down for a while), or after 5 s.
pub fn settled_kernel_stack_kb() -> u64 {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    let mut last = kernel_stack_kb();
    loop {
        std::thread::sleep(std::time::Duration::from_millis(200));
        let now = kernel_stack_kb();
        if now >= last || std::time::Instant::now() >= deadline {
            return now;
        }
        last = now;
    }
}

fn field(path: &str, key: &str) -> u64 {
    fs::read_to_string(path)
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// CPU seconds used by this process's reaped children (the load generators).
pub fn children_cpu_seconds() -> f64 {
    // SAFETY: getrusage writes into a local struct.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage);
        usage
    };
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    secs(usage.ru_utime) + secs(usage.ru_stime)
}

/// The machine: CPU model, core count, kernel.
pub fn machine() -> (String, usize, String) {
    let cpu = fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_default();
    // Not available_parallelism(): it counts only the CPUs this (pinned) process may use.
    // SAFETY: sysconf has no preconditions.
    let cores = unsafe { libc::sysconf(libc::_SC_NPROCESSORS_ONLN) }.max(1) as usize;
    let kernel = fs::read_to_string("/proc/sys/kernel/osrelease")
        .unwrap_or_default()
        .trim()
        .to_owned();
    (cpu, cores, kernel)
}
