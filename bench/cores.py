#!/usr/bin/env python3
"""What spreading over two cores costs each backend, in interleaved rounds: every backend once on CPU 0 and
once on CPUs 0-1 (as many workers) per round, wrk on CPU 1, CPU-µs per request from /proc. The bench's cores
scenario measures the same sequentially; interleaving keeps a drifting machine's drift off the ratios.

Usage: bench/cores.py BACKEND[,BACKEND...] [CONNECTIONS] [SECONDS] [ROUNDS]   (defaults 256, 6, 3)
Uses bench/interleaved.py (../shared/anchors/measure.py beside this checkout) and target/release/serve.
"""
import json, sys

import interleaved

if __name__ == "__main__":
    backends = sys.argv[1].split(",")
    args = [int(a) for a in sys.argv[2:]]
    conns, dur, rounds = (args + [256, 6, 3][len(args):])[:3]
    serve = interleaved.SERVE
    servers = {f"{b}@1": [serve, "--backend", b, "--addr"] for b in backends}
    # measure.py starts every server under `taskset -c 0`; this inner taskset widens it to CPUs 0-1.
    servers.update({f"{b}@2": ["taskset", "-c", "0,1", serve, "--backend", b, "--addr"] for b in backends})
    rows = interleaved.run(servers, "wrk", "/plaintext", conns, dur, rounds)
    cpu = {n: interleaved.median_cpu(runs) for n, runs in rows.items()}
    for b in backends:
        one, two = cpu[f"{b}@1"], cpu[f"{b}@2"]
        print(json.dumps(dict(backend=b, conns=conns, cpu_us_1=round(one, 2), cpu_us_2=round(two, 2),
                              ratio=round(two / one, 3))))
