//! Pinning: server, load generator and driver each on their own CPUs, so they never share a core.

use std::os::unix::process::CommandExt;
use std::process::Command;

/// Makes the child start on `cpus` only (what `taskset -c` does).
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
