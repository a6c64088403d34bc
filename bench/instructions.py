#!/usr/bin/env python3
"""Instructions per request of a `serve` build, counted by valgrind's callgrind: a figure that does not drift with
the machine (this VM's wall-clock and CPU-time figures move by 10-30% between runs, and it has no hardware
counters), for before/after comparisons of the engine.

Each count runs `serve --backend B --workers 1` under callgrind and sends it N requests on one connection,
either one at a time (plaintext) or 16 per write (pipelined, as bench/pipeline.lua); it does so for N=FEW and
N=MANY, and takes (instructions(MANY) - instructions(FEW)) / (MANY - FEW), so that start-up and shutdown cancel.
Every serve build given is counted in the same way; the last line per build and shape is its figure.

Usage: bench/instructions.py SERVE[,SERVE...] [BACKEND] [FEW] [MANY]   (defaults tokio, 2000, 12000;
       BACKEND axum-<backend>: the axum app on <backend>)
Needs valgrind (apt-get install valgrind).
"""
import glob, os, re, socket, subprocess, sys, tempfile, time

from interleaved import backend_args

REQUEST = b"GET /plaintext HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
DEPTH = 16


def wait_addr(proc):
    line = proc.stdout.readline()
    m = re.search(r"listening on (\S+):(\d+)", line)
    if not m:
        raise RuntimeError(f"serve did not start: {line!r}")
    return m.group(1), int(m.group(2))


def drive(addr, n, depth):
    """Sends n requests, `depth` per write, reading every response before the next write."""
    s = socket.create_connection(addr)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sent = 0
    buf = b""
    while sent < n:
        k = min(depth, n - sent)
        s.sendall(REQUEST * k)
        sent += k
        while buf.count(b"Hello, World!") < k:
            chunk = s.recv(1 << 16)
            if not chunk:
                raise RuntimeError("server closed the connection")
            buf += chunk
        buf = b""
    s.close()


def instructions(serve, backend, n, depth):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "cg.out")
        proc = subprocess.Popen(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", serve,
                                 *backend_args(backend), "--workers", "1", "--addr", "127.0.0.1:0"],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            drive(wait_addr(proc), n, depth)
        finally:
            time.sleep(0.2)
            proc.terminate()
            proc.wait(timeout=120)
        # One file per process (serve starts none); its summary line holds the instructions executed.
        return sum(int(line.split()[1]) for path in glob.glob(out + "*") for line in open(path)
                   if line.startswith("summary:"))


def main():
    serves = sys.argv[1].split(",")
    backend = sys.argv[2] if len(sys.argv) > 2 else "tokio"
    few = int(sys.argv[3]) if len(sys.argv) > 3 else 2000
    many = int(sys.argv[4]) if len(sys.argv) > 4 else 12000
    for shape, depth in (("plaintext", 1), ("pipelined", DEPTH)):
        for serve in serves:
            lo = instructions(serve, backend, few, depth)
            hi = instructions(serve, backend, many, depth)
            print(f"{serve} {backend} {shape}: {(hi - lo) / (many - few):.0f} instructions per request "
                  f"({lo} for {few}, {hi} for {many})", flush=True)


if __name__ == "__main__":
    main()
