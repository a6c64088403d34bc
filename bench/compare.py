#!/usr/bin/env python3
"""Two builds of `serve` (say, before and after a change to the engine) under the same load, in interleaved
rounds (bench/interleaved.py): CPU-µs per request, median and all; then, per backend, new/old of each round
(the two builds run back to back, so that a machine drifting between rounds moves both) and their median.

Usage: bench/compare.py OLD_SERVE BACKEND[,BACKEND...] TOOL PATH CONNECTIONS SECONDS ROUNDS
  e.g. bench/compare.py /tmp/base/target/release/serve tokio,coroutine wrk-pipeline /plaintext 64 6 3
A backend named axum-<backend> serves the axum app on <backend> (`serve --app axum`), as in the bench's rows.
The new build is target/release/serve of this checkout.
"""
import json
import sys

import interleaved

if __name__ == "__main__":
    old, backends, tool, path = sys.argv[1], sys.argv[2].split(","), sys.argv[3], sys.argv[4]
    conns, dur, rounds = (int(a) for a in sys.argv[5:8])
    servers = {f"{tag}-{backend}": [exe, *interleaved.backend_args(backend), "--addr"]
               for backend in backends for tag, exe in (("old", old), ("new", interleaved.SERVE))}
    rows = interleaved.run(servers, tool, path, conns, dur, rounds)
    interleaved.print_rows(rows, tool, path, conns)
    for backend in backends:
        old_runs, new_runs = rows[f"old-{backend}"], rows[f"new-{backend}"]
        ratios = sorted(n["cpu_us_per_req"] / o["cpu_us_per_req"] for o, n in zip(old_runs, new_runs))
        print(json.dumps(dict(backend=backend, tool=tool, path=path, conns=conns,
                              new_over_old_med=round(ratios[len(ratios) // 2], 3),
                              new_over_old_all=[round(r, 3) for r in ratios])))
