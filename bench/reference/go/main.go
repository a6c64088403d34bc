// Reference server: Go's net/http, a goroutine per connection, serving the route contract of
// shared/DESIGN.md with the limits of server_core::Config::default(), and TechEmpower's database
// routes when DATABASE_URL is set (db.go), and the WebSocket routes (ws.go). Usage: main [HOST:PORT].
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"
)

// burnCPU is the workload's LCG loop, the same computation as bench::burn_cpu.
func burnCPU(work time.Duration) uint64 {
	end := time.Now().Add(work)
	x := uint64(1)
	for time.Now().Before(end) {
		for i := 0; i < 100; i++ {
			x = x*6364136223846793005 + 1442695040888963407
		}
	}
	return x
}

func query(r *http.Request, key string) int {
	n, _ := strconv.Atoi(r.URL.Query().Get(key))
	return n
}

func min(a, b int) int {
	if a < b {
		return a
	}
	return b
}

func text(w http.ResponseWriter, body string) {
	w.Header().Set("Content-Type", "text/plain")
	io.WriteString(w, body)
}

func main() {
	addr := "127.0.0.1:8080"
	if len(os.Args) > 1 {
		addr = os.Args[1]
	}
	mux := http.NewServeMux()
	get := func(path string, handler http.HandlerFunc) {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodGet {
				w.Header().Set("Allow", "GET")
				http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
				return
			}
			handler(w, r)
		})
	}
	get("/plaintext", func(w http.ResponseWriter, r *http.Request) { text(w, "Hello, World!") })
	get("/json", func(w http.ResponseWriter, r *http.Request) {
		body, _ := json.Marshal(struct {
			Message string `json:"message"`
		}{"Hello, World!"})
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	})
	get("/wait", func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(time.Duration(query(r, "ms")) * time.Millisecond)
		text(w, "ok")
	})
	get("/cpu", func(w http.ResponseWriter, r *http.Request) {
		text(w, strconv.FormatUint(burnCPU(time.Duration(query(r, "us"))*time.Microsecond), 10))
	})
	// Go has no separate offload: the runtime preempts a long-running goroutine (every 10 ms)
	// so that the others on the same GOMAXPROCS get their turn. That is Go's answer to /cpu-offload.
	get("/cpu-offload", func(w http.ResponseWriter, r *http.Request) {
		text(w, strconv.FormatUint(burnCPU(time.Duration(query(r, "us"))*time.Microsecond), 10))
	})
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", "POST")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		if err != nil {
			http.Error(w, "payload too large", http.StatusRequestEntityTooLarge)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Write(body)
	})
	mux.HandleFunc("/upload", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", "POST")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		// Streamed and counted, never held: up to 1 GiB, as serve's --max-upload-bytes.
		n, err := io.Copy(io.Discard, http.MaxBytesReader(w, r.Body, 1<<30))
		if err != nil {
			http.Error(w, "payload too large", http.StatusRequestEntityTooLarge)
			return
		}
		text(w, strconv.FormatInt(n, 10))
	})
	get("/download", func(w http.ResponseWriter, r *http.Request) {
		total, chunk := query(r, "bytes"), query(r, "chunk")
		if chunk < 1 {
			chunk = 1
		}
		if chunk > total {
			chunk = total
		}
		piece := bytes.Repeat([]byte{'x'}, chunk)
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Length", strconv.Itoa(total))
		for left := total; left > 0; left -= chunk {
			if _, err := w.Write(piece[:min(chunk, left)]); err != nil {
				return
			}
		}
	})
	// Each event is flushed as it is produced (http.Flusher); a client that leaves cancels the
	// request's context. (WriteTimeout bounds a whole response, streams included, at 30 s; Go 1.19
	// has no per-response override.)
	get("/sse", func(w http.ResponseWriter, r *http.Request) {
		flusher := w.(http.Flusher)
		w.Header().Set("Content-Type", "text/event-stream")
		events, every := query(r, "events"), time.Duration(query(r, "every_ms"))*time.Millisecond
		for i := 0; i < events; i++ {
			if i > 0 {
				select {
				case <-time.After(every):
				case <-r.Context().Done():
					return
				}
			}
			fmt.Fprintf(w, "data: %d\n\n", i)
			flusher.Flush()
		}
	})
	get("/ws/echo", wsEcho)
	get("/ws/broadcast", wsBroadcast)
	if err := databaseRoutes(get); err != nil {
		fmt.Fprintln(os.Stderr, "database:", err)
		os.Exit(1)
	}
	// "/" matches every path ServeMux has no pattern for.
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })

	server := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    32 << 10,
	}
	server.RegisterOnShutdown(goingAway)
	listener, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("listening on %s\n", listener.Addr())

	done := make(chan struct{})
	go func() {
		signals := make(chan os.Signal, 1)
		signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
		<-signals
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		server.Shutdown(ctx)
		close(done)
	}()
	if err := server.Serve(listener); err != http.ErrServerClosed {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	<-done
}
