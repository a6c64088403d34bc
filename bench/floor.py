#!/usr/bin/env python3
"""Each runtime's floor beside the backends on it, in interleaved rounds (bench/interleaved.py): `bare` (a server
that counts request heads and writes fixed answers, no HTTP engine; see bench/src/bin/bare.rs) on tokio,
tokio-per-core, compio, smol and threads, the backends of `serve` on the same runtimes, and the may_minihttp
anchor. Per backend it prints its CPU-µs per request, its runtime's floor, and the difference: what the HTTP
engine, the `http` types and the handler cost on that runtime. The coroutine backend runs beside them on may,
whose floor is near may_minihttp's (which does parse).

With SERVER_CPUS (e.g. 0,1), each floor and backend runs instead on CPU 0 and on those CPUs (as many workers) in
the same rounds, as bench/cores.py does, and the line per runtime gives what spreading costs each: a cost its
floor shares is the machine's (the load generator's CPU shared, wake-ups across cores), not the engine's.

Usage: bench/floor.py TOOL PATH CONNECTIONS SECONDS ROUNDS [SERVER_CPUS]
  e.g. bench/floor.py wrk-pipeline /plaintext 64 6 3;  bench/floor.py wrk /plaintext 256 6 3 0,1
Needs target/release/{serve,bare} (cargo build --release -p bench) and the anchors built (../shared/anchors).
"""
import json, os, sys

import interleaved

RUNTIMES = ("tokio", "tokio-per-core", "compio", "smol", "threads")
BARE = os.path.join(os.path.dirname(interleaved.SERVE), "bare")


def pair(runtime):
    """(name, command) of the runtime's floor and of its backend, commands ending where the address goes."""
    return ((f"bare-{runtime}", [BARE, "--runtime", runtime, "--addr"]),
            (runtime, [interleaved.SERVE, *interleaved.backend_args(runtime), "--addr"]))


if __name__ == "__main__":
    tool, path = sys.argv[1], sys.argv[2]
    conns, dur, rounds = (int(a) for a in sys.argv[3:6])
    if len(sys.argv) > 6:
        wide = ["taskset", "-c", sys.argv[6]]  # inside measure.py's `taskset -c 0`, which this widens
        servers = {}
        for runtime in RUNTIMES:
            for name, cmd in pair(runtime):
                servers[f"{name}@1"], servers[f"{name}@n"] = cmd, wide + cmd
        rows = interleaved.run(servers, tool, path, conns, dur, rounds)
        interleaved.print_rows(rows, tool, path, conns)
        cpu = {name: interleaved.median_cpu(runs) for name, runs in rows.items()}
        for runtime in RUNTIMES:
            ratio = lambda name: round(cpu[f"{name}@n"] / cpu[f"{name}@1"], 3)
            print(json.dumps(dict(backend=runtime, tool=tool, path=path, conns=conns, server_cpus=sys.argv[6],
                                  backend_n_over_1=ratio(runtime), floor_n_over_1=ratio(f"bare-{runtime}"))))
        sys.exit()
    servers = {"minihttp": interleaved.measure.SERVERS["minihttp"],
               "coroutine": [interleaved.SERVE, "--backend", "coroutine", "--addr"]}
    for runtime in RUNTIMES:
        servers.update(pair(runtime))
    rows = interleaved.run(servers, tool, path, conns, dur, rounds)
    interleaved.print_rows(rows, tool, path, conns)
    cpu = {name: interleaved.median_cpu(runs) for name, runs in rows.items()}
    for runtime in RUNTIMES:
        backend, floor = cpu[runtime], cpu[f"bare-{runtime}"]
        print(json.dumps(dict(backend=runtime, tool=tool, path=path, conns=conns, cpu_us=round(backend, 3),
                              runtime_floor=round(floor, 3), above_floor=round(backend - floor, 3),
                              floor_over_minihttp=round(floor / cpu["minihttp"], 3),
                              floor_over_tokio_floor=round(floor / cpu["bare-tokio"], 3))))
