"""gunicorn settings for the WSGI reference: `gunicorn -c gunicorn.conf.py --bind HOST:PORT app:application`.

Workers follow gunicorn's own advice ((2 x cores) + 1 processes, cores being the CPUs the server is
pinned to); each runs a pool of threads (the gthread worker). Limits and timeouts follow
server_core::Config::default(). GUNICORN_CMD_ARGS overrides any of it.
"""
import os

_cores = len(os.sched_getaffinity(0))
workers = 2 * _cores + 1
worker_class = "gthread"
threads = 32
# Keep-alive connections each worker may hold (gunicorn's default is 1,000).
worker_connections = 10_000
backlog = 4096
keepalive = 60
timeout = 30
graceful_timeout = 10
limit_request_fields = 100
limit_request_field_size = 32 * 1024
accesslog = None
loglevel = "warning"


def when_ready(server):
    """Prints the bound address, as every server of the bench does, once the socket listens."""
    host, port = server.LISTENERS[0].sock.getsockname()[:2]
    print(f"listening on {host}:{port}", flush=True)
