// TechEmpower's database routes on pgx v4 (Debian's golang-github-jackc-pgx-v4-dev), by the same
// rules as bench/src/techempower.rs: counts clamped to 1..500, one SELECT per row, fortunes through
// html/template, updates written in one statement, and a 503 when the database fails. Served only
// when DATABASE_URL is set; DB_POOL sizes pgxpool (default 16, the shared pool of the bench's
// pool rows).
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"html/template"
	"math/rand"
	"net/http"
	"os"
	"sort"
	"strconv"
	"sync"

	"github.com/jackc/pgx/v4/pgxpool"
)

const worldRows = 10000

type world struct {
	ID           int32 `json:"id"`
	RandomNumber int32 `json:"randomNumber"`
}

type fortune struct {
	ID      int32
	Message string
}

var fortunesPage = template.Must(template.New("fortunes").Parse(
	`<!DOCTYPE html><html><head><title>Fortunes</title></head><body><table><tr><th>id</th><th>message</th></tr>` +
		`{{range .}}<tr><td>{{.ID}}</td><td>{{.Message}}</td></tr>{{end}}</table></body></html>`))

// count is TechEmpower's parameter: 1..500, and 1 where missing or not a number.
func count(r *http.Request, key string) int {
	n, err := strconv.Atoi(r.URL.Query().Get(key))
	if err != nil || n < 1 {
		return 1
	}
	if n > 500 {
		return 500
	}
	return n
}

func randomID() int32 { return rand.Int31n(worldRows) + 1 }

func unavailable(w http.ResponseWriter, err error) {
	http.Error(w, "database unavailable: "+err.Error(), http.StatusServiceUnavailable)
}

func writeJSON(w http.ResponseWriter, value interface{}) {
	body, _ := json.Marshal(value)
	page(w, "application/json", body)
}

// page writes a whole body with its length (net/http would chunk one over 2 KiB).
func page(w http.ResponseWriter, contentType string, body []byte) {
	w.Header().Set("Server", "go")
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Write(body)
}

// selectWorlds reads n random rows, one SELECT each, on one pooled connection.
func selectWorlds(ctx context.Context, pool *pgxpool.Pool, n int) ([]world, error) {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Release()
	worlds := make([]world, n)
	for i := range worlds {
		row := conn.QueryRow(ctx, "SELECT id, randomnumber FROM world WHERE id = $1", randomID())
		if err := row.Scan(&worlds[i].ID, &worlds[i].RandomNumber); err != nil {
			return nil, err
		}
	}
	return worlds, nil
}

// databaseRoutes adds the routes to mux through get, if DATABASE_URL names a database.
func databaseRoutes(get func(string, http.HandlerFunc)) error {
	url := os.Getenv("DATABASE_URL")
	if url == "" {
		return nil
	}
	config, err := pgxpool.ParseConfig(url)
	if err != nil {
		return err
	}
	// Started without the database as our backends are: its requests get 503s until it is there.
	config.LazyConnect = true
	config.MaxConns = 16
	if size, err := strconv.Atoi(os.Getenv("DB_POOL")); err == nil {
		config.MaxConns = int32(size)
	}
	pool, err := pgxpool.ConnectConfig(context.Background(), config)
	if err != nil {
		return err
	}
	get("/db", func(w http.ResponseWriter, r *http.Request) {
		worlds, err := selectWorlds(r.Context(), pool, 1)
		if err != nil {
			unavailable(w, err)
			return
		}
		writeJSON(w, worlds[0])
	})
	get("/queries", func(w http.ResponseWriter, r *http.Request) {
		worlds, err := selectWorlds(r.Context(), pool, count(r, "queries"))
		if err != nil {
			unavailable(w, err)
			return
		}
		writeJSON(w, worlds)
	})
	get("/fortunes", func(w http.ResponseWriter, r *http.Request) {
		rows, err := pool.Query(r.Context(), "SELECT id, message FROM fortune")
		if err != nil {
			unavailable(w, err)
			return
		}
		fortunes := []fortune{{0, "Additional fortune added at request time."}}
		for rows.Next() {
			var f fortune
			if err := rows.Scan(&f.ID, &f.Message); err != nil {
				rows.Close()
				unavailable(w, err)
				return
			}
			fortunes = append(fortunes, f)
		}
		if err := rows.Err(); err != nil {
			unavailable(w, err)
			return
		}
		sort.Slice(fortunes, func(i, j int) bool { return fortunes[i].Message < fortunes[j].Message })
		var body bytes.Buffer
		if err := fortunesPage.Execute(&body, fortunes); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		page(w, "text/html; charset=utf-8", body.Bytes())
	})
	get("/updates", func(w http.ResponseWriter, r *http.Request) {
		worlds, err := selectWorlds(r.Context(), pool, count(r, "queries"))
		if err != nil {
			unavailable(w, err)
			return
		}
		for i := range worlds {
			worlds[i].RandomNumber = randomID()
		}
		// In id order, so that concurrent updates of the same rows cannot deadlock.
		sorted := append([]world(nil), worlds...)
		sort.Slice(sorted, func(i, j int) bool { return sorted[i].ID < sorted[j].ID })
		ids, numbers := make([]int32, len(sorted)), make([]int32, len(sorted))
		for i, row := range sorted {
			ids[i], numbers[i] = row.ID, row.RandomNumber
		}
		_, err = pool.Exec(r.Context(), "UPDATE world SET randomnumber = new.randomnumber FROM "+
			"(SELECT unnest($1::int[]) AS id, unnest($2::int[]) AS randomnumber) AS new "+
			"WHERE world.id = new.id", ids, numbers)
		if err != nil {
			unavailable(w, err)
			return
		}
		writeJSON(w, worlds)
	})
	// Filled by the first request that finds it empty (again after a failure), in one SELECT.
	var cache []world
	var cacheLock sync.Mutex
	fill := func(ctx context.Context) ([]world, error) {
		cacheLock.Lock()
		defer cacheLock.Unlock()
		if cache != nil {
			return cache, nil
		}
		rows, err := pool.Query(ctx, "SELECT id, randomnumber FROM world ORDER BY id")
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		all := make([]world, 0, worldRows)
		for rows.Next() {
			var row world
			if err := rows.Scan(&row.ID, &row.RandomNumber); err != nil {
				return nil, err
			}
			all = append(all, row)
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
		cache = all
		return cache, nil
	}
	get("/cached-queries", func(w http.ResponseWriter, r *http.Request) {
		cache, err := fill(r.Context())
		if err != nil {
			unavailable(w, err)
			return
		}
		worlds := make([]world, count(r, "count"))
		for i := range worlds {
			worlds[i] = cache[randomID()-1]
		}
		writeJSON(w, worlds)
	})
	return nil
}
