"""Reference server: a plain WSGI application serving the route contract of shared/DESIGN.md.

Served by gunicorn with the settings in gunicorn.conf.py: a few worker processes, each with a pool
of threads, one request per thread at a time (the WSGI model). With DATABASE_URL set, it also serves
TechEmpower's database routes (db.py).
"""
import json
import os
import time
from urllib.parse import parse_qs

MAX_BODY = 1024 * 1024
MAX_UPLOAD = 1024 * 1024 * 1024
MASK = (1 << 64) - 1


def burn_cpu(us):
    """The workload's LCG loop, the same computation as bench::burn_cpu."""
    end = time.perf_counter() + us / 1e6
    x = 1
    while time.perf_counter() < end:
        for _ in range(100):
            x = (x * 6364136223846793005 + 1442695040888963407) & MASK
    return x


def query(environ, key):
    try:
        return int(parse_qs(environ.get("QUERY_STRING", "")).get(key, ["0"])[0])
    except ValueError:
        return 0


def plaintext(environ):
    return "200 OK", "text/plain", b"Hello, World!"


def json_message(environ):
    return "200 OK", "application/json", json.dumps({"message": "Hello, World!"}, separators=(",", ":")).encode()


def wait(environ):
    time.sleep(query(environ, "ms") / 1000)
    return "200 OK", "text/plain", b"ok"


def cpu(environ):
    return "200 OK", "text/plain", str(burn_cpu(query(environ, "us"))).encode()


def echo(environ):
    length = int(environ.get("CONTENT_LENGTH") or 0)
    if length > MAX_BODY:
        return "413 Payload Too Large", "text/plain", b"payload too large"
    return "200 OK", "application/octet-stream", environ["wsgi.input"].read(length)


def upload(environ):
    """Streamed and counted, never held, up to MAX_UPLOAD (gunicorn decodes a chunked body in wsgi.input)."""
    stream, total = environ["wsgi.input"], 0
    while True:
        chunk = stream.read(64 * 1024)
        if not chunk:
            return "200 OK", "text/plain", str(total).encode()
        total += len(chunk)
        if total > MAX_UPLOAD:
            return "413 Payload Too Large", "text/plain", b"payload too large"


def download(environ):
    total, chunk = query(environ, "bytes"), max(1, query(environ, "chunk"))
    piece = b"x" * min(chunk, total)

    def pieces():
        for start in range(0, total, chunk):
            yield piece[: min(chunk, total - start)]

    return "200 OK", "application/octet-stream", pieces(), total


def sse(environ):
    """An iterator the server writes as it yields: one event per `every_ms`, holding a thread."""
    events, every = query(environ, "events"), query(environ, "every_ms") / 1000

    def stream():
        for i in range(events):
            if i:
                time.sleep(every)
            yield f"data: {i}\n\n".encode()

    return "200 OK", "text/event-stream", stream(), None


# Python threads already take turns (the GIL switches every 5 ms), and a WSGI app has no other
# offload short of a task queue: /cpu-offload is /cpu here.
ROUTES = {
    "/plaintext": ("GET", plaintext),
    "/json": ("GET", json_message),
    "/wait": ("GET", wait),
    "/cpu": ("GET", cpu),
    "/cpu-offload": ("GET", cpu),
    "/echo": ("POST", echo),
    "/upload": ("POST", upload),
    "/download": ("GET", download),
    "/sse": ("GET", sse),
}
if os.environ.get("DATABASE_URL"):
    # Only then is psycopg needed (installed by the bench into its venv).
    import db

    ROUTES.update(db.ROUTES)


def application(environ, start_response):
    route = ROUTES.get(environ["PATH_INFO"])
    if route is None:
        status, content_type, body, extra = "404 Not Found", "text/plain", b"not found", []
    elif environ["REQUEST_METHOD"] != route[0]:
        status, content_type, body, extra = "405 Method Not Allowed", "text/plain", b"method not allowed", [
            ("Allow", route[0])
        ]
    else:
        status, content_type, body, *length = route[1](environ)
        if length:  # a streamed body: an iterator, with its length if known
            length = [("Content-Length", str(length[0]))] if length[0] is not None else []
            start_response(status, [("Content-Type", content_type)] + length)
            return body
        extra = []
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body)))] + extra)
    return [body]
