// The route contract's WebSocket routes on gorilla/websocket (Debian's
// golang-github-gorilla-websocket-dev): GET /ws/echo sends every message back; GET /ws/broadcast is
// one room where each member's message goes to every member, the sender included. As the project's
// own room: a member's queue holds 1,024 messages; a member whose queue is full is dropped from the
// room with close 1008 (policy violation), and publishing never waits for it. Messages up to 1 MiB.
// At shutdown every session gets close 1001 (server.RegisterOnShutdown).
package main

import (
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

const maxMessage = 1 << 20

var upgrader = websocket.Upgrader{ReadBufferSize: 4096, WriteBufferSize: 4096}

// sessions are the open connections, for the goodbye at shutdown.
var sessions = struct {
	sync.Mutex
	conns map[*websocket.Conn]struct{}
}{conns: map[*websocket.Conn]struct{}{}}

func open(w http.ResponseWriter, r *http.Request) *websocket.Conn {
	conn, err := upgrader.Upgrade(w, r, nil) // answers the bad handshakes itself
	if err != nil {
		return nil
	}
	conn.SetReadLimit(maxMessage)
	sessions.Lock()
	sessions.conns[conn] = struct{}{}
	sessions.Unlock()
	return conn
}

func closeSession(conn *websocket.Conn) {
	sessions.Lock()
	delete(sessions.conns, conn)
	sessions.Unlock()
	conn.Close()
}

// goingAway says close 1001 to every session (registered with server.RegisterOnShutdown).
func goingAway() {
	sessions.Lock()
	defer sessions.Unlock()
	bye := websocket.FormatCloseMessage(websocket.CloseGoingAway, "server shutting down")
	for conn := range sessions.conns {
		conn.WriteControl(websocket.CloseMessage, bye, time.Now().Add(time.Second))
	}
}

func wsEcho(w http.ResponseWriter, r *http.Request) {
	conn := open(w, r)
	if conn == nil {
		return
	}
	defer closeSession(conn)
	for {
		kind, message, err := conn.ReadMessage()
		if err != nil {
			return
		}
		if conn.WriteMessage(kind, message) != nil {
			return
		}
	}
}

type member struct {
	queue chan []byte
	conn  *websocket.Conn
}

type room struct {
	sync.Mutex
	members map[*member]struct{}
}

var theRoom = room{members: map[*member]struct{}{}}

func (room *room) publish(message []byte) {
	room.Lock()
	defer room.Unlock()
	for m := range room.members {
		select {
		case m.queue <- message:
		default: // full: the member is dropped, never waited for
			delete(room.members, m)
			close(m.queue)
		}
	}
}

func wsBroadcast(w http.ResponseWriter, r *http.Request) {
	conn := open(w, r)
	if conn == nil {
		return
	}
	defer closeSession(conn)
	m := &member{queue: make(chan []byte, 1024), conn: conn}
	theRoom.Lock()
	theRoom.members[m] = struct{}{}
	theRoom.Unlock()
	go func() {
		for message := range m.queue {
			if conn.WriteMessage(websocket.BinaryMessage, message) != nil {
				break
			}
		}
		bye := websocket.FormatCloseMessage(websocket.ClosePolicyViolation, "too slow")
		conn.WriteControl(websocket.CloseMessage, bye, time.Now().Add(time.Second))
		conn.Close()
	}()
	for {
		_, message, err := conn.ReadMessage()
		if err != nil {
			break
		}
		theRoom.publish(message)
	}
	theRoom.Lock()
	if _, in := theRoom.members[m]; in {
		delete(theRoom.members, m)
		close(m.queue)
	}
	theRoom.Unlock()
}
