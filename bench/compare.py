#!/usr/bin/env python3
"""Two builds of `serve` (say, before and after a change to the engine) under the same load, in interleaved
rounds through ../shared/anchors/measure.py (server on CPU 0, wrk on CPU 1): CPU-µs per request, median and all.

Usage: bench/compare.py OLD_SERVE BACKEND[,BACKEND...] TOOL PATH CONNECTIONS SECONDS ROUNDS
  e.g. bench/compare.py /tmp/base/target/release/serve tokio,coroutine wrk-pipeline /plaintext 64 6 3
The new build is target/release/serve of this checkout.
"""
import json, os, resource, sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "shared", "anchors"))
import measure  # noqa: E402

if __name__ == "__main__":
    old, backends, tool, path = sys.argv[1], sys.argv[2].split(","), sys.argv[3], sys.argv[4]
    conns, dur, rounds = (int(a) for a in sys.argv[5:8])
    new = os.path.join(HERE, "..", "target", "release", "serve")
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    names = []
    for backend in backends:
        for tag, exe in (("old", old), ("new", new)):
            measure.SERVERS[f"{tag}-{backend}"] = [exe, "--backend", backend, "--addr"]
            names.append(f"{tag}-{backend}")
    rows = {n: [] for n in names}
    for _ in range(rounds):
        for n in names:
            rows[n] += measure.measure(n, tool, path, conns, dur, 1)
    for n in names:
        cpu = sorted(r["cpu_us_per_req"] for r in rows[n])
        print(json.dumps(dict(server=n, tool=tool, path=path, conns=conns, cpu_us_med=round(cpu[len(cpu) // 2], 3),
                              cpu_us_all=[round(c, 3) for c in cpu], errors=sum(r["errors"] for r in rows[n]))))
