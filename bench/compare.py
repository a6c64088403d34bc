#!/usr/bin/env python3
"""Two builds of `serve` (say, before and after a change to the engine) under the same load, in interleaved
rounds (bench/interleaved.py): CPU-µs per request, median and all.

Usage: bench/compare.py OLD_SERVE BACKEND[,BACKEND...] TOOL PATH CONNECTIONS SECONDS ROUNDS
  e.g. bench/compare.py /tmp/base/target/release/serve tokio,coroutine wrk-pipeline /plaintext 64 6 3
The new build is target/release/serve of this checkout.
"""
import sys

import interleaved

if __name__ == "__main__":
    old, backends, tool, path = sys.argv[1], sys.argv[2].split(","), sys.argv[3], sys.argv[4]
    conns, dur, rounds = (int(a) for a in sys.argv[5:8])
    servers = {f"{tag}-{backend}": [exe, "--backend", backend, "--addr"]
               for backend in backends for tag, exe in (("old", old), ("new", interleaved.SERVE))}
    interleaved.print_rows(interleaved.run(servers, tool, path, conns, dur, rounds), tool, path, conns)
