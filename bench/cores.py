#!/usr/bin/env python3
"""What spreading over two cores costs each backend, in interleaved rounds: every backend once on CPU 0 and
once on CPUs 0-1 (as many workers) per round, wrk on CPU 1, CPU-µs per request from /proc. The bench's cores
scenario measures the same sequentially; interleaving keeps a drifting machine's drift off the ratios.

Usage: bench/cores.py BACKEND[,BACKEND...] [CONNECTIONS] [SECONDS] [ROUNDS]   (defaults 256, 6, 3)
Uses ../shared/anchors/measure.py (beside this checkout) and target/release/serve.
"""
import json, os, sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "shared", "anchors"))
import measure  # noqa: E402

SERVE = os.path.join(HERE, "..", "target", "release", "serve")

if __name__ == "__main__":
    backends = sys.argv[1].split(",")
    args = [int(a) for a in sys.argv[2:]]
    conns, dur, rounds = (args + [256, 6, 3][len(args):])[:3]
    for backend in backends:
        measure.SERVERS[f"{backend}@1"] = [SERVE, "--backend", backend, "--addr"]
        # measure.py starts every server under `taskset -c 0`; this inner taskset widens it to CPUs 0-1.
        measure.SERVERS[f"{backend}@2"] = ["taskset", "-c", "0,1", SERVE, "--backend", backend, "--addr"]
    names = [f"{b}@{n}" for n in (1, 2) for b in backends]
    rows = {n: [] for n in names}
    for _ in range(rounds):
        for n in names:
            rows[n] += measure.measure(n, "wrk", "/plaintext", conns, dur, 1)
    cpu = {n: sorted(r["cpu_us_per_req"] for r in rows[n])[len(rows[n]) // 2] for n in names}
    for b in backends:
        one, two = cpu[f"{b}@1"], cpu[f"{b}@2"]
        print(json.dumps(dict(backend=b, conns=conns, cpu_us_1=round(one, 2), cpu_us_2=round(two, 2),
                              ratio=round(two / one, 3))))
