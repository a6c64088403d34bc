"""Interleaved rounds through ../shared/anchors/measure.py (server on CPU 0, load on CPU 1, CPU-µs per request
from /proc): every server once per round, so that a drifting machine's drift falls on all of them alike.
Shared by compare.py, cores.py and axum.py."""
import json, os, resource, sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "shared", "anchors"))
import measure  # noqa: E402

SERVE = os.path.join(HERE, "..", "target", "release", "serve")


def backend_args(row):
    """`serve`'s arguments for a bench row's name: `axum-<backend>` is the axum app on <backend>."""
    backend = row.removeprefix("axum-")
    return ["--backend", backend] if backend == row else ["--app", "axum", "--backend", backend]


def run(servers, tool, path, conns, dur, rounds):
    """Measures each of `servers` (name -> command that ends where measure.py appends the address) once per
    round for `rounds` rounds; returns name -> its runs in round order, in measure.py's form."""
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    measure.SERVERS.update(servers)
    rows = {name: [] for name in servers}
    for r in range(rounds):
        # Every other round in reverse, so that going first or last in a round favours no one.
        for name in list(servers)[:: 1 if r % 2 == 0 else -1]:
            rows[name] += measure.measure(name, tool, path, conns, dur, 1)
    return rows


def median_cpu(runs):
    cpu = sorted(r["cpu_us_per_req"] for r in runs)
    return cpu[len(cpu) // 2]


def print_rows(rows, tool, path, conns):
    """One JSON line per server: median CPU-µs per request, every run's, and the errors."""
    for name, runs in rows.items():
        cpu = sorted(r["cpu_us_per_req"] for r in runs)
        print(json.dumps(dict(server=name, tool=tool, path=path, conns=conns, cpu_us_med=round(median_cpu(runs), 3),
                              cpu_us_all=[round(c, 3) for c in cpu], errors=sum(r["errors"] for r in runs))))
