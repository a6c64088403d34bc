#!/usr/bin/env python3
"""Stall check: the mixed-offload load of ../shared/anchors/mixed.sh, repeated long enough to catch a rare stall,
on every backend in interleaved rounds.

One run: `serve --backend B` on CPU 0; on CPU 1 oha sends cheap GET /plaintext at a fixed 2,000 req/s (8
connections, latency measured from each request's scheduled send time) beside GET /cpu-offload?us=10000 at
50 req/s (16 connections), for SECONDS. Each round runs every backend once, a fresh server each run, so that a
drifting machine's drift falls on all of them alike. oha writes every cheap request it completed to a SQLite
file (--db-url), from which the script takes each 1-second window's p99 by scheduled send time.

Per backend it reports the stalls (1-second windows whose p99 passed --stall-ms: a server that answers nothing for
0.3 s puts its window's p99 near 250 ms), the runs whose cheap p99 passed --max-p99-ms, the worst run's p99 and
p99.9, the worst window's p99, the heavy requests' rate and p99, and the time the hypervisor stole from CPUs 0
and 1 during the runs (/proc/stat): on a virtual machine whose host is busy, a vCPU woken from halt can wait
milliseconds, and no server then shows a sub-millisecond p99. Steal is also sampled every 100 ms, so that each
window can be judged on its own: a window is quiet when nothing was stolen in it or in the second before it,
and the summary gives the worst quiet window's p99. Verdict per backend: "stall" if any window stalled
(exit 1), "pass" if every run's p99 and every window's stayed within --max-p99-ms and --max-window-p99-ms, else
"tail" (no stall, a tail above those; read it beside the steal). tokio-blocking-pool is measured only when
named and never judged: its cheap requests hop to the pool behind the heavy ones by design.

Usage: bench/stalls.py [--backends B,B,...] [--runs 40] [--seconds 15] [--out FILE.jsonl]
Needs oha 1.16 (on PATH or in ~/.cargo/bin: `cargo run --release -p bench -- --quick` installs it) and
target/release/serve (`cargo build --release -p bench --bin serve`). 40 runs of 15 s take about 11 minutes a
backend.
"""
import argparse, json, os, re, resource, sqlite3, subprocess, sys, tempfile, threading, time

HERE = os.path.dirname(os.path.abspath(__file__))
SERVE = os.path.join(HERE, "..", "target", "release", "serve")
NOT_JUDGED = {"tokio-blocking-pool"}
DEADLINE_ABORT = "aborted due to deadline"  # oha's name for requests cut off by -z: not failures
MIN_WINDOW_SAMPLES = 500  # a window with fewer requests (the run's last, partial second) has no p99 worth quoting


def wait_addr(proc):
    """The address of serve's first line, `listening on HOST:PORT`."""
    line = proc.stdout.readline()
    m = re.search(r"listening on (\S+):(\d+)", line)
    if not m:
        raise RuntimeError(f"serve did not start: {line!r}")
    return m.group(1), int(m.group(2))


def oha_path():
    for candidate in [*(os.path.join(d, "oha") for d in os.environ.get("PATH", "").split(":")),
                      os.path.expanduser("~/.cargo/bin/oha")]:
        if os.access(candidate, os.X_OK):
            return candidate
    sys.exit("stalls.py: oha not found (`cargo run --release -p bench -- --quick` installs it)")


def all_backends(serve):
    """The backends `serve -h` lists, tokio-blocking-pool left out."""
    help_text = subprocess.run([serve, "-h"], capture_output=True, text=True, check=True).stdout
    names = re.search(r"--backend <BACKEND>[^\[]*\[possible values: ([^\]]+)\]", help_text)
    if not names:
        sys.exit("stalls.py: `serve -h` lists no backends")
    return [n.strip() for n in names.group(1).split(",") if n.strip() not in NOT_JUDGED]


def steal_ms(cpus=(0, 1)):
    """Time the hypervisor has stolen from each of `cpus` since boot, in ms (/proc/stat, USER_HZ ticks)."""
    tick_ms = 1000 / os.sysconf("SC_CLK_TCK")
    fields = {line.split()[0]: line.split() for line in open("/proc/stat") if line.startswith("cpu")}
    return [int(fields[f"cpu{c}"][8]) * tick_ms for c in cpus]


class StealSampler(threading.Thread):
    """Samples steal_ms() every 100 ms from its start until stopped."""

    def __init__(self):
        super().__init__(daemon=True)
        self.start_time = time.monotonic()
        self.samples = [(0.0, steal_ms())]
        self.done = threading.Event()

    def run(self):
        while not self.done.wait(0.1):
            self.samples.append((time.monotonic() - self.start_time, steal_ms()))

    def stolen(self, begin, end):
        """ms stolen from CPUs 0 and 1 together between `begin` and `end` seconds after the start."""
        at = lambda t: sum(next((v for ts, v in reversed(self.samples) if ts <= t), self.samples[0][1]))
        return at(end) - at(begin)


def percentile(sorted_values, q):
    """Nearest-rank percentile of an ascending list."""
    return sorted_values[max(0, -(-len(sorted_values) * q // 100) - 1)] if sorted_values else None


def oha(oha_bin, url, seconds, conns, rate, correct, db=None):
    cmd = ["taskset", "-c", "1", oha_bin, "-z", f"{seconds}s", "-c", str(conns), "-q", str(rate), "--no-tui",
           "--output-format", "json"]
    if correct:
        cmd.append("--latency-correction")
    if db:
        cmd += ["--db-url", db]
    return subprocess.Popen(cmd + [url], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def summary(proc):
    out, err = proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"oha failed: {err.strip()}")
    j = json.loads(out)
    p = j["latencyPercentiles"]
    ms = lambda k: p[k] * 1e3 if p.get(k) is not None else None
    return dict(rps=j["summary"]["requestsPerSec"], p50=ms("p50"), p99=ms("p99"), p999=ms("p99.9"),
                errors=sum(n for e, n in j.get("errorDistribution", {}).items() if e != DEADLINE_ABORT))


def window_p99s(db):
    """second -> the p99 (ms) of that full 1-second window of scheduled send times."""
    windows = {}
    with sqlite3.connect(db) as conn:
        for sent, latency in conn.execute("SELECT COALESCE(start_latency_correction, start), duration FROM oha"):
            windows.setdefault(int(sent), []).append(latency * 1e3)
    return {k: percentile(sorted(v), 99) for k, v in sorted(windows.items()) if len(v) >= MIN_WINDOW_SAMPLES}


def start_server(serve, backend):
    srv = subprocess.Popen(["taskset", "-c", "0", serve, "--backend", backend, "--addr", "127.0.0.1:0"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        host, port = wait_addr(srv)
    except RuntimeError as e:
        srv.kill()
        raise RuntimeError(f"{backend}: {e}") from None
    return srv, f"{host}:{port}"


def one_run(serve, oha_bin, backend, seconds):
    srv, addr = start_server(serve, backend)
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "cheap.db")
        sampler = StealSampler()
        sampler.start()
        try:
            heavy = oha(oha_bin, f"http://{addr}/cpu-offload?us=10000", seconds, 16, 50, False)
            cheap = oha(oha_bin, f"http://{addr}/plaintext", seconds, 8, 2000, True, db)
            c, h = summary(cheap), summary(heavy)
            stolen = [after - before for before, after in zip(sampler.samples[0][1], steal_ms())]
        finally:
            sampler.done.set()
            srv.terminate()
            srv.wait(timeout=30)
        by_second = window_p99s(db)
    # oha's clock starts as it is launched, within milliseconds of the sampler's.
    quiet = [p for k, p in by_second.items() if sampler.stolen(k - 1, k + 1) == 0]
    windows = list(by_second.values())
    return dict(backend=backend, seconds=seconds, cheap_rps=round(c["rps"], 1), p50_ms=c["p50"], p99_ms=c["p99"],
                p999_ms=c["p999"], errors=c["errors"] + h["errors"], windows=len(windows),
                worst_window_p99_ms=max(windows) if windows else None, heavy_rps=round(h["rps"], 1),
                heavy_p99_ms=h["p99"], steal_ms_cpu0=stolen[0], steal_ms_cpu1=stolen[1],
                window_p99s_ms=[round(w, 3) for w in windows], quiet_window_p99s_ms=[round(w, 3) for w in quiet])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--backends", help="comma-separated; default every backend serve lists but tokio-blocking-pool")
    ap.add_argument("--runs", type=int, default=40)
    ap.add_argument("--seconds", type=int, default=15)
    ap.add_argument("--serve", default=SERVE)
    ap.add_argument("--max-p99-ms", type=float, default=1.0)
    ap.add_argument("--max-window-p99-ms", type=float, default=5.0)
    ap.add_argument("--stall-ms", type=float, default=50.0)
    ap.add_argument("--out", help="append one JSON line per run and per backend summary to this file")
    args = ap.parse_args()
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    oha_bin = oha_path()
    backends = args.backends.split(",") if args.backends else all_backends(args.serve)
    out = open(args.out, "a") if args.out else None
    emit = lambda row: (print(json.dumps(row), flush=True), out and (out.write(json.dumps(row) + "\n"), out.flush()))

    runs = {b: [] for b in backends}
    began = time.time()
    total = args.runs * len(backends)
    for r in range(args.runs):
        for b in backends:
            row = one_run(args.serve, oha_bin, b, args.seconds)
            runs[b].append(row)
            done = sum(map(len, runs.values()))
            eta = (time.time() - began) / done * (total - done)
            listed = ("window_p99s_ms", "quiet_window_p99s_ms")
            emit(dict({k: v for k, v in row.items() if k not in listed}, quiet_windows=len(row["quiet_window_p99s_ms"]),
                      run=r + 1, eta_min=round(eta / 60, 1)))

    stalled = False
    for b, rows in runs.items():
        p99s = [x["p99_ms"] for x in rows]
        windows = sorted(w for x in rows for w in x["window_p99s_ms"])
        quiet_windows = sorted(w for x in rows for w in x["quiet_window_p99s_ms"])
        stalls = sum(w > args.stall_ms for w in windows)
        over = sum(p > args.max_p99_ms for p in p99s)
        within = over == 0 and bool(windows) and windows[-1] <= args.max_window_p99_ms
        judged = b not in NOT_JUDGED
        stalled |= judged and stalls > 0
        seconds = sum(x["seconds"] for x in rows)
        emit(dict(summary=b, runs=len(rows), windows=len(windows), stalls=stalls, stall_ms=args.stall_ms,
                  runs_over_max_p99=over, max_p99_ms=args.max_p99_ms, median_p99_ms=percentile(sorted(p99s), 50),
                  worst_p99_ms=max(p99s), worst_p999_ms=max(x["p999_ms"] for x in rows),
                  median_window_p99_ms=percentile(windows, 50), worst_window_p99_ms=windows[-1] if windows else None,
                  quiet_windows=len(quiet_windows),
                  worst_quiet_window_p99_ms=quiet_windows[-1] if quiet_windows else None,
                  errors=sum(x["errors"] for x in rows),
                  heavy_rps_median=percentile(sorted(x["heavy_rps"] for x in rows), 50),
                  heavy_p99_ms_median=percentile(sorted(x["heavy_p99_ms"] for x in rows), 50),
                  steal_pct_cpu0=round(sum(x["steal_ms_cpu0"] for x in rows) / seconds / 10, 2),
                  steal_pct_cpu1=round(sum(x["steal_ms_cpu1"] for x in rows) / seconds / 10, 2),
                  verdict="not judged" if not judged else ("stall" if stalls else ("pass" if within else "tail"))))
    sys.exit(1 if stalled else 0)


if __name__ == "__main__":
    main()
