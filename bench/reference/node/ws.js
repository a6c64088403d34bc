// The route contract's WebSocket routes on the `ws` package: GET /ws/echo sends every message back;
// GET /ws/broadcast is one room where each member's message goes to every member, the sender
// included. As the project's own room: a member with more than 1,024 messages' worth of unsent
// output is dropped with close 1008 (policy violation), and publishing never waits for it.
// Messages up to 1 MiB. At shutdown every session gets close 1001.
'use strict';
const { WebSocketServer } = require('ws');

const QUEUE_MESSAGES = 1024;

function webSocketRoutes() {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 });
  const room = new Set();
  const echo = (socket) => {
    socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
  };
  const broadcast = (socket) => {
    room.add(socket);
    socket.on('close', () => room.delete(socket));
    socket.on('message', (data, isBinary) => {
      for (const member of room) {
        // bufferedAmount: bytes queued and not yet written to the socket.
        if (member.bufferedAmount > QUEUE_MESSAGES * Math.max(data.length, 1)) {
          room.delete(member);
          member.close(1008, 'too slow');
          continue;
        }
        member.send(data, { binary: isBinary });
      }
    });
  };
  const paths = { '/ws/echo': echo, '/ws/broadcast': broadcast };
  return {
    // http.Server's 'upgrade' event: a request with `Connection: upgrade`.
    upgrade(req, socket, head) {
      const session = paths[new URL(req.url, 'http://reference').pathname];
      if (!session || req.method !== 'GET') {
        socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
        return;
      }
      wss.handleUpgrade(req, socket, head, session); // answers bad handshakes itself
    },
    goingAway() {
      for (const client of wss.clients) client.close(1001, 'server shutting down');
    },
  };
}

module.exports = { webSocketRoutes };
