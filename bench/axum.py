#!/usr/bin/env python3
"""The axum app (`serve --app axum`) on our backends beside `axum::serve` (`serve --axum-serve`) and the
native routes on the same backends, in interleaved rounds (bench/interleaved.py): CPU-µs per request,
median and all, then the issue's two ratios: axum on tokio against axum::serve, and axum on each backend
against that backend's native row plus the Router's own cost as measured on tokio.

Usage: bench/axum.py BACKEND[,BACKEND...] TOOL PATH CONNECTIONS SECONDS ROUNDS
  e.g. bench/axum.py tokio,threads,coroutine wrk /plaintext 64 6 3
Needs target/release/serve (cargo build --release -p bench --bin serve).
"""
import json, sys

import interleaved

if __name__ == "__main__":
    backends, tool, path = sys.argv[1].split(","), sys.argv[2], sys.argv[3]
    conns, dur, rounds = (int(a) for a in sys.argv[4:7])
    serve = interleaved.SERVE
    servers = {"axum-serve": [serve, "--axum-serve", "--addr"]}
    for b in backends:
        servers[f"axum-{b}"] = [serve, *interleaved.backend_args(f"axum-{b}"), "--addr"]
        servers[f"native-{b}"] = [serve, *interleaved.backend_args(b), "--addr"]
    rows = interleaved.run(servers, tool, path, conns, dur, rounds)
    interleaved.print_rows(rows, tool, path, conns)
    med = {n: interleaved.median_cpu(runs) for n, runs in rows.items()}
    if "tokio" in backends:
        router = med["axum-tokio"] - med["native-tokio"]
        print(json.dumps(dict(ratio="axum on tokio / axum::serve", value=round(med["axum-tokio"] / med["axum-serve"], 3))))
        for b in backends:
            bound = med[f"native-{b}"] + router
            print(json.dumps(dict(ratio=f"axum on {b} / (native {b} + Router cost on tokio)",
                                  value=round(med[f"axum-{b}"] / bound, 3))))
