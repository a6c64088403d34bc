"""TechEmpower's database routes on psycopg 3, by the same rules as bench/src/techempower.rs: counts
clamped to 1..500, one SELECT per row, fortunes HTML-escaped, updates written in one statement, and
a 503 when the database fails.

One connection per worker thread, opened on its first request and kept (as Django's persistent
connections are): a thread serves one request at a time, so it never waits for a connection.
Statements are prepared on a connection's first use of them.
"""
import html
import json
import os
import random
import threading
from urllib.parse import parse_qs

import psycopg

WORLD_ROWS = 10_000
SELECT_WORLD = "SELECT id, randomnumber FROM world WHERE id = %s"
UPDATE_WORLDS = (
    "UPDATE world SET randomnumber = new.randomnumber FROM "
    "(SELECT unnest(%s::int[]) AS id, unnest(%s::int[]) AS randomnumber) AS new WHERE world.id = new.id"
)
PAGE = (
    "<!DOCTYPE html><html><head><title>Fortunes</title></head><body><table>"
    "<tr><th>id</th><th>message</th></tr>{}</table></body></html>"
)

_local = threading.local()
_cache = []


def _conn():
    conn = getattr(_local, "conn", None)
    if conn is None or conn.closed:
        conn = psycopg.connect(os.environ["DATABASE_URL"], autocommit=True, prepare_threshold=0)
        _local.conn = conn
    return conn


def count(environ, key):
    """TechEmpower's parameter: 1..500, and 1 where missing or not a number."""
    try:
        n = int(parse_qs(environ.get("QUERY_STRING", "")).get(key, ["1"])[0])
    except ValueError:
        return 1
    return min(max(n, 1), 500)


def _worlds(cur, n):
    rows = []
    for _ in range(n):
        cur.execute(SELECT_WORLD, (random.randint(1, WORLD_ROWS),))
        id_, number = cur.fetchone()
        rows.append({"id": id_, "randomNumber": number})
    return rows


def _json(value):
    return "200 OK", "application/json", json.dumps(value, separators=(",", ":")).encode()


def _route(run):
    """A 503 on any database error; the thread's connection is dropped and opened anew next time."""

    def route(environ):
        try:
            with _conn().cursor() as cur:
                return run(cur, environ)
        except psycopg.Error as e:
            conn = getattr(_local, "conn", None)
            if conn is not None:
                conn.close()
            return "503 Service Unavailable", "text/plain", f"database unavailable: {e}".encode()

    return route


def _db(cur, environ):
    return _json(_worlds(cur, 1)[0])


def _queries(cur, environ):
    return _json(_worlds(cur, count(environ, "queries")))


def _fortunes(cur, environ):
    cur.execute("SELECT id, message FROM fortune")
    rows = cur.fetchall()
    rows.append((0, "Additional fortune added at request time."))
    rows.sort(key=lambda row: row[1])
    table = "".join(f"<tr><td>{id_}</td><td>{html.escape(message)}</td></tr>" for id_, message in rows)
    return "200 OK", "text/html; charset=utf-8", PAGE.format(table).encode()


def _updates(cur, environ):
    rows = _worlds(cur, count(environ, "queries"))
    for row in rows:
        row["randomNumber"] = random.randint(1, WORLD_ROWS)
    # In id order, so that concurrent updates of the same rows cannot deadlock.
    ordered = sorted(rows, key=lambda row: row["id"])
    cur.execute(UPDATE_WORLDS, ([r["id"] for r in ordered], [r["randomNumber"] for r in ordered]))
    return _json(rows)


def _cached_queries(cur, environ):
    if not _cache:
        cur.execute("SELECT id, randomnumber FROM world ORDER BY id")
        _cache[:] = [{"id": id_, "randomNumber": number} for id_, number in cur.fetchall()]
    return _json([_cache[random.randint(1, WORLD_ROWS) - 1] for _ in range(count(environ, "count"))])


ROUTES = {
    "/db": ("GET", _route(_db)),
    "/queries": ("GET", _route(_queries)),
    "/fortunes": ("GET", _route(_fortunes)),
    "/updates": ("GET", _route(_updates)),
    "/cached-queries": ("GET", _route(_cached_queries)),
}
