#!/usr/bin/env python3
"""How a per-core server's connections and work spread over its workers under a skewed load: a few heavy
keep-alive connections.

1. SO_REUSEPORT, the alternative to our acceptor: bind one listener per worker on the same port, connect a few
   clients, and count how the kernel's hash spreads them, over many trials.
2. Our acceptor (server_core::serve_per_core, least loaded worker first): run `serve` on two CPUs with two
   workers, drive it with a few heavy wrk connections, and read each worker thread's CPU time (core-0, core-1)
   from /proc: the work each worker did.

Usage: bench/skew.py [SERVE] [CONNECTIONS] [SECONDS]   (defaults: target/release/serve, 4, 8)
Needs wrk. The server runs on CPUs 0-1 and wrk on CPU 1, as in the cores scenario.
"""
import collections, os, socket, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
SERVE = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "target", "release", "serve")
CONNS = int(sys.argv[2]) if len(sys.argv) > 2 else 4
SECONDS = int(sys.argv[3]) if len(sys.argv) > 3 else 8
TRIALS = 1000
TICK = os.sysconf("SC_CLK_TCK")


def reuseport_splits(workers=2):
    """How CONNS fresh connections land on `workers` SO_REUSEPORT listeners, over TRIALS trials."""
    splits = collections.Counter()
    for _ in range(TRIALS):
        listeners = []
        port = 0
        for _ in range(workers):
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            s.bind(("127.0.0.1", port))
            port = s.getsockname()[1]
            s.listen(64)
            s.setblocking(False)
            listeners.append(s)
        clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(CONNS)]
        counts = [0] * workers
        deadline = time.time() + 2
        while sum(counts) < CONNS and time.time() < deadline:
            for i, s in enumerate(listeners):
                try:
                    s.accept()[0].close()
                    counts[i] += 1
                except BlockingIOError:
                    pass
        splits[tuple(sorted(counts, reverse=True))] += 1
        for c in clients + listeners:
            c.close()
    return splits


def thread_cpu(pid):
    """CPU seconds of each thread of `pid`, by thread name."""
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            name = open(f"/proc/{pid}/task/{tid}/comm").read().strip()
            fields = open(f"/proc/{pid}/task/{tid}/stat").read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[name] = out.get(name, 0) + (int(fields[11]) + int(fields[12])) / TICK
    return out


def acceptor_split(backend):
    srv = subprocess.Popen(["taskset", "-c", "0,1", SERVE, "--backend", backend, "--workers", "2",
                            "--addr", "127.0.0.1:0"], stdout=subprocess.PIPE, text=True)
    addr = next(w for w in srv.stdout.readline().split() if w.count(":") == 1 and w[0].isdigit())
    before = thread_cpu(srv.pid)
    subprocess.run(["taskset", "-c", "1", "wrk", "-t1", f"-c{CONNS}", f"-d{SECONDS}s",
                    f"http://{addr}/plaintext"], check=True, capture_output=True)
    after = thread_cpu(srv.pid)
    srv.terminate()
    srv.wait()
    used = {name: after[name] - before.get(name, 0) for name in after if name.startswith("core-")}
    total = sum(used.values()) or 1
    return {name: 100 * cpu / total for name, cpu in sorted(used.items())}


if __name__ == "__main__":
    splits = reuseport_splits()
    print(f"SO_REUSEPORT, {CONNS} connections over 2 listeners, {TRIALS} trials:")
    for split, n in sorted(splits.items(), key=lambda kv: -kv[1]):
        print(f"  {'/'.join(map(str, split))}: {100 * n / TRIALS:.1f}% of trials")
    for backend in ("tokio-per-core", "compio"):
        shares = acceptor_split(backend)
        print(f"{backend}, {CONNS} heavy connections, worker CPU shares: "
              + ", ".join(f"{name} {share:.0f}%" for name, share in shares.items()))
