// TechEmpower's database routes on node-postgres (pg), by the same rules as
// bench/src/techempower.rs: counts clamped to 1..500, one SELECT per row, fortunes HTML-escaped,
// updates written in one statement, and a 503 when the database fails. A shared pool of DB_POOL
// connections (default 16, the shared pool of the bench's pool rows); named queries, so that each
// connection prepares a statement once.
'use strict';
const { Pool } = require('pg');

const WORLD_ROWS = 10000;
const SELECT_WORLD = { name: 'world', text: 'SELECT id, randomnumber FROM world WHERE id = $1' };
const SELECT_FORTUNES = { name: 'fortunes', text: 'SELECT id, message FROM fortune' };
const UPDATE_WORLDS = {
  name: 'update',
  text:
    'UPDATE world SET randomnumber = new.randomnumber FROM ' +
    '(SELECT unnest($1::int[]) AS id, unnest($2::int[]) AS randomnumber) AS new WHERE world.id = new.id',
};

// TechEmpower's parameter: 1..500, and 1 where missing or not a number.
function count(q, key) {
  const n = Number.parseInt(q.get(key), 10);
  return Number.isNaN(n) || n < 1 ? 1 : Math.min(n, 500);
}

const randomId = () => 1 + Math.floor(Math.random() * WORLD_ROWS);
const escapes = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escape = (s) => s.replace(/[&<>"']/g, (c) => escapes[c]);

function databaseRoutes(url, send) {
  const pool = new Pool({ connectionString: url, max: Number(process.env.DB_POOL) || 16 });
  // A connection the database drops is taken out of the pool; the error must not end the process.
  pool.on('error', () => {});
  const json = (res, value) => send(res, 200, 'application/json', JSON.stringify(value), { Server: 'node' });
  const unavailable = (res, e) => send(res, 503, 'text/plain', `database unavailable: ${e.message}`);
  const world = async (client) => {
    const { rows } = await client.query({ ...SELECT_WORLD, values: [randomId()] });
    return { id: rows[0].id, randomNumber: rows[0].randomnumber };
  };
  // n rows, one SELECT each, in turn on one pooled connection.
  const worlds = async (n) => {
    const client = await pool.connect();
    try {
      const rows = [];
      for (let i = 0; i < n; i++) rows.push(await world(client));
      return rows;
    } finally {
      client.release();
    }
  };
  const route = (run) => ({
    method: 'GET',
    run: (q, res) => run(q, res).catch((e) => unavailable(res, e)),
  });
  let cache = null;
  return {
    '/db': route(async (_q, res) => json(res, (await worlds(1))[0])),
    '/queries': route(async (q, res) => json(res, await worlds(count(q, 'queries')))),
    '/fortunes': route(async (_q, res) => {
      const { rows } = await pool.query(SELECT_FORTUNES);
      rows.push({ id: 0, message: 'Additional fortune added at request time.' });
      rows.sort((a, b) => (a.message < b.message ? -1 : a.message > b.message ? 1 : 0));
      const table = rows.map((f) => `<tr><td>${f.id}</td><td>${escape(f.message)}</td></tr>`).join('');
      send(
        res,
        200,
        'text/html; charset=utf-8',
        '<!DOCTYPE html><html><head><title>Fortunes</title></head><body><table><tr><th>id</th><th>message</th></tr>' +
          `${table}</table></body></html>`,
        { Server: 'node' },
      );
    }),
    '/updates': route(async (q, res) => {
      const rows = await worlds(count(q, 'queries'));
      for (const row of rows) row.randomNumber = randomId();
      // In id order, so that concurrent updates of the same rows cannot deadlock.
      const sorted = [...rows].sort((a, b) => a.id - b.id);
      await pool.query({ ...UPDATE_WORLDS, values: [sorted.map((r) => r.id), sorted.map((r) => r.randomNumber)] });
      json(res, rows);
    }),
    '/cached-queries': route(async (q, res) => {
      if (!cache) {
        const { rows } = await pool.query('SELECT id, randomnumber FROM world ORDER BY id');
        cache = rows.map((r) => ({ id: r.id, randomNumber: r.randomnumber }));
      }
      json(res, Array.from({ length: count(q, 'count') }, () => cache[randomId() - 1]));
    }),
  };
}

module.exports = { databaseRoutes };
