#!/usr/bin/env python3
"""The axum app (`serve --app axum`) on our backends beside `axum::serve` (`serve --axum-serve`) and the
native routes on the same backends, in interleaved rounds through ../shared/anchors/measure.py (server on
CPU 0, load on CPU 1): CPU-µs per request, median and all, then the issue's two ratios:
axum on tokio against axum::serve, and axum on each backend against that backend's native row plus the
Router's own cost as measured on tokio.

Usage: bench/axum.py BACKEND[,BACKEND...] TOOL PATH CONNECTIONS SECONDS ROUNDS
  e.g. bench/axum.py tokio,threads,coroutine wrk /plaintext 64 6 3
Needs target/release/serve (cargo build --release -p bench --bin serve).
"""
import json, os, resource, sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "shared", "anchors"))
import measure  # noqa: E402

if __name__ == "__main__":
    backends, tool, path = sys.argv[1].split(","), sys.argv[2], sys.argv[3]
    conns, dur, rounds = (int(a) for a in sys.argv[4:7])
    serve = os.path.join(HERE, "..", "target", "release", "serve")
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    measure.SERVERS["axum-serve"] = [serve, "--axum-serve", "--addr"]
    for b in backends:
        measure.SERVERS[f"axum-{b}"] = [serve, "--backend", b, "--app", "axum", "--addr"]
        measure.SERVERS[f"native-{b}"] = [serve, "--backend", b, "--addr"]
    names = ["axum-serve"] + [f"{app}-{b}" for b in backends for app in ("axum", "native")]
    rows = {n: [] for n in names}
    for _ in range(rounds):
        for n in names:
            rows[n] += measure.measure(n, tool, path, conns, dur, 1)
    med = {}
    for n in names:
        cpu = sorted(r["cpu_us_per_req"] for r in rows[n])
        med[n] = cpu[len(cpu) // 2]
        print(json.dumps(dict(server=n, tool=tool, path=path, conns=conns, cpu_us_med=round(med[n], 3),
                              cpu_us_all=[round(c, 3) for c in cpu], errors=sum(r["errors"] for r in rows[n]))))
    if "tokio" in backends:
        router = med["axum-tokio"] - med["native-tokio"]
        print(json.dumps(dict(ratio="axum on tokio / axum::serve", value=round(med["axum-tokio"] / med["axum-serve"], 3))))
        for b in backends:
            bound = med[f"native-{b}"] + router
            print(json.dumps(dict(ratio=f"axum on {b} / (native {b} + Router cost on tokio)",
                                  value=round(med[f"axum-{b}"] / bound, 3))))
