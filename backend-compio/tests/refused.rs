//! A kernel that refuses io_uring gets one clear error at start, not a panic in a worker.

use server_core::backend::Backend;
use server_core::{Config, Response};

/// Makes `io_uring_setup` fail with `EPERM` for this thread and the threads it starts from now on,
/// as a seccomp profile that blocks io_uring (Docker's default one does) would.
fn refuse_io_uring_here() {
    const NR_OFFSET: u32 = 0; // offset of `nr` in `struct seccomp_data`
    let filter = [
        libc::sock_filter {
            code: (libc::BPF_LD | libc::BPF_W | libc::BPF_ABS) as u16,
            jt: 0,
            jf: 0,
            k: NR_OFFSET,
        },
        libc::sock_filter {
            code: (libc::BPF_JMP | libc::BPF_JEQ | libc::BPF_K) as u16,
            jt: 0,
            jf: 1,
            k: libc::SYS_io_uring_setup as u32,
        },
        libc::sock_filter {
            code: (libc::BPF_RET | libc::BPF_K) as u16,
            jt: 0,
            jf: 0,
            k: libc::SECCOMP_RET_ERRNO | libc::EPERM as u32,
        },
        libc::sock_filter {
            code: (libc::BPF_RET | libc::BPF_K) as u16,
            jt: 0,
            jf: 0,
            k: libc::SECCOMP_RET_ALLOW,
        },
    ];
    let prog = libc::sock_fprog {
        len: filter.len() as u16,
        filter: filter.as_ptr().cast_mut(),
    };
    // SAFETY: prctl with a valid filter program that outlives the call; it affects only this thread
    // (and threads it creates later), which belongs to this test alone.
    unsafe {
        assert_eq!(libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), 0);
        assert_eq!(
            libc::prctl(libc::PR_SET_SECCOMP, libc::SECCOMP_MODE_FILTER, &prog),
            0
        );
    }
}

#[test]
fn a_kernel_without_io_uring_gets_a_clear_error_at_start() {
    refuse_io_uring_here();
    let config = Config {
        addr: "127.0.0.1:0".parse().unwrap(),
        workers: 2,
        ..Config::default()
    };
    let err = match backend_compio::Compio::bind(config, |_req| Response::text("unreachable")) {
        Ok(_) => panic!("started although io_uring_setup is refused"),
        Err(err) => err.to_string(),
    };
    assert!(
        err.starts_with("compio worker ") && err.contains(" could not start: "),
        "{err}"
    );
    assert!(err.contains("io_uring is unavailable"), "{err}");
    assert_eq!(
        backend_compio::io_uring_available(),
        Err(err.split_once(": ").unwrap().1.to_string())
    );
}
