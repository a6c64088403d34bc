// Reference server: Node's http module, one event loop, serving the route contract of
// shared/DESIGN.md with the limits of server_core::Config::default(), and TechEmpower's database
// routes when DATABASE_URL is set (db.js), and the WebSocket routes (ws.js). Usage: node server.js [HOST:PORT]
'use strict';
const http = require('http');
const os = require('os');
const { Worker, isMainThread, parentPort } = require('worker_threads');

// The workload's LCG loop, the same computation as bench::burn_cpu (BigInt for 64-bit wrapping).
function burnCpu(us) {
  const end = process.hrtime.bigint() + BigInt(us) * 1000n;
  const mask = (1n << 64n) - 1n;
  let x = 1n;
  while (process.hrtime.bigint() < end) {
    for (let i = 0; i < 100; i++) x = (x * 6364136223846793005n + 1442695040888963407n) & mask;
  }
  return x.toString();
}

if (!isMainThread) {
  parentPort.on('message', ({ id, us }) => parentPort.postMessage({ id, result: burnCpu(us) }));
  return;
}

// Node's offload: worker threads, one per CPU this process may use, jobs handed out in turn.
// Started on the first offloaded job, so that the other scenarios measure a plain event loop.
let workers = null;
const pending = new Map();
let nextJob = 0;
function startWorkers() {
  workers = Array.from({ length: os.availableParallelism() }, () => new Worker(__filename));
  for (const worker of workers) {
    worker.on('message', ({ id, result }) => {
      pending.get(id)(result);
      pending.delete(id);
    });
    worker.unref();
  }
}
function offload(us) {
  if (!workers) startWorkers();
  const id = nextJob++;
  return new Promise((resolve) => {
    pending.set(id, resolve);
    workers[id % workers.length].postMessage({ id, us });
  });
}

const MAX_BODY = 1024 * 1024;
const MAX_UPLOAD = 1024 * 1024 * 1024;

function send(res, status, type, body, extra = {}) {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), ...extra });
  res.end(body);
}

const routes = {
  '/plaintext': { method: 'GET', run: (_q, res) => send(res, 200, 'text/plain', 'Hello, World!') },
  '/json': {
    method: 'GET',
    run: (_q, res) => send(res, 200, 'application/json', JSON.stringify({ message: 'Hello, World!' })),
  },
  '/wait': {
    method: 'GET',
    run: (q, res) => setTimeout(() => send(res, 200, 'text/plain', 'ok'), Number(q.get('ms')) || 0),
  },
  '/cpu': { method: 'GET', run: (q, res) => send(res, 200, 'text/plain', burnCpu(Number(q.get('us')) || 0)) },
  '/cpu-offload': {
    method: 'GET',
    run: (q, res) => offload(Number(q.get('us')) || 0).then((r) => send(res, 200, 'text/plain', r)),
  },
  '/echo': {
    method: 'POST',
    run: (_q, res, req) => {
      const chunks = [];
      let size = 0;
      req.on('data', (chunk) => {
        size += chunk.length;
        if (size > MAX_BODY) {
          send(res, 413, 'text/plain', 'payload too large', { Connection: 'close' });
          req.destroy();
        } else chunks.push(chunk);
      });
      req.on('end', () => send(res, 200, 'application/octet-stream', Buffer.concat(chunks)));
    },
  },
  '/upload': {
    method: 'POST',
    run: (_q, res, req) => {
      let size = 0;
      req.on('data', (chunk) => {
        size += chunk.length;
        if (size > MAX_UPLOAD) {
          send(res, 413, 'text/plain', 'payload too large', { Connection: 'close' });
          req.destroy();
        }
      });
      req.on('end', () => send(res, 200, 'text/plain', String(size)));
    },
  },
  '/download': {
    method: 'GET',
    run: (q, res) => {
      const total = Number(q.get('bytes')) || 0;
      const chunk = Math.max(1, Math.min(Number(q.get('chunk')) || 1, total));
      const piece = Buffer.alloc(chunk, 'x');
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': total });
      let left = total;
      // Backpressure: stop writing when the socket's buffer is full, go on at 'drain'.
      const more = () => {
        while (left > 0) {
          const n = Math.min(chunk, left);
          left -= n;
          if (!res.write(n === chunk ? piece : piece.subarray(0, n))) return res.once('drain', more);
        }
        res.end();
      };
      more();
    },
  },
  '/sse': {
    method: 'GET',
    run: (q, res) => {
      const events = Number(q.get('events')) || 0;
      const every = Number(q.get('every_ms')) || 0;
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      let i = 0;
      let timer = null;
      const tick = () => {
        if (i === events) return res.end();
        res.write(`data: ${i++}\n\n`);
        timer = setTimeout(tick, every);
      };
      res.on('close', () => clearTimeout(timer)); // a subscriber that leaves stops its producer
      tick();
    },
  },
};

if (process.env.DATABASE_URL) {
  // Only then is pg needed (installed by the bench into target/reference/node, found by NODE_PATH).
  Object.assign(routes, require('./db').databaseRoutes(process.env.DATABASE_URL, send));
}

const server = http.createServer({ maxHeaderSize: 32 * 1024 }, (req, res) => {
  const url = new URL(req.url, 'http://reference');
  const route = routes[url.pathname];
  if (!route) return send(res, 404, 'text/plain', 'not found');
  if (req.method !== route.method) return send(res, 405, 'text/plain', 'method not allowed', { Allow: route.method });
  route.run(url.searchParams, res, req);
});
// `ws` is installed by the bench beside pg (target/reference/node, found by NODE_PATH).
const webSockets = require('./ws').webSocketRoutes();
server.on('upgrade', webSockets.upgrade);
server.headersTimeout = 10_000;
server.requestTimeout = 30_000;
server.keepAliveTimeout = 60_000;
server.maxHeadersCount = 100;

const [host, port] = (process.argv[2] || '127.0.0.1:8080').split(/:(?=[^:]*$)/);
server.listen(Number(port), host, () => {
  const { address, port: bound } = server.address();
  process.stdout.write(`listening on ${address}:${bound}\n`);
});

function shutdown() {
  webSockets.goingAway();
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  setTimeout(() => process.exit(1), 10_000).unref();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
