// Package roboflowtest runs a local server that answers like Roboflow's
// dataset export API (see pkg/dataset.FetchDataset), for tests:
// GET /WORKSPACE/PROJECT/VERSION/FORMAT?api_key=KEY answers 401 for a
// missing or wrong key, 404 for an unknown version or format, 202 with
// {"progress": p} while the export is "being generated" (Pending times),
// then 200 with {"export": {"link": …}} pointing at a second host that
// serves the zip (no key needed, as Roboflow's signed links).
package roboflowtest

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
)

// Server is a fake Roboflow API plus a file host.
type Server struct {
	API   *httptest.Server // set ROBOFLOW_API_URL (or FetchOptions.RoboflowEndpoint) to API.URL
	Files *httptest.Server

	Key     string            // accepted api_key
	Exports map[string][]byte // "workspace/project/version/format" → zip bytes
	Pending int               // answer 202 this many times per export before 200

	mu      sync.Mutex
	Calls   int      // API calls seen
	Queries []string // raw queries seen (to check the key is only sent here)
	polls   map[string]int
}

// New starts a server; the caller calls Close.
func New() *Server {
	s := &Server{Key: "rf-key-789", Exports: map[string][]byte{}, polls: map[string]int{}}
	s.API = httptest.NewServer(http.HandlerFunc(s.api))
	s.Files = httptest.NewServer(http.HandlerFunc(s.files))
	return s
}

// Close stops both servers.
func (s *Server) Close() {
	s.API.CloseClientConnections()
	s.Files.CloseClientConnections()
	s.API.Close()
	s.Files.Close()
}

// jsonError writes Roboflow's error shape: {"error": {"message", "type", "hint"}}.
func jsonError(w http.ResponseWriter, code int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"message": msg, "type": typ, "hint": "see https://docs.roboflow.com/api-reference/authentication"}})
}

func (s *Server) api(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.Calls++
	s.Queries = append(s.Queries, r.URL.RawQuery)
	s.mu.Unlock()
	if r.Method != http.MethodGet {
		jsonError(w, http.StatusMethodNotAllowed, "MethodError", "use GET")
		return
	}
	key := r.URL.Query().Get("api_key")
	if key == "" || key != s.Key {
		jsonError(w, http.StatusUnauthorized, "OAuthException", "This API key does not exist (or has been revoked).")
		return
	}
	id := strings.Trim(r.URL.Path, "/")
	if strings.Count(id, "/") != 3 {
		jsonError(w, http.StatusNotFound, "GraphMethodException", fmt.Sprintf("Unsupported request. `GET /%s` does not exist or cannot be loaded due to missing permissions.", id))
		return
	}
	if _, ok := s.Exports[id]; !ok {
		jsonError(w, http.StatusNotFound, "GraphMethodException", fmt.Sprintf("Unsupported request. `GET /%s` does not exist or cannot be loaded due to missing permissions.", id))
		return
	}
	s.mu.Lock()
	n := s.polls[id]
	s.polls[id]++
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if n < s.Pending {
		w.WriteHeader(http.StatusAccepted)
		json.NewEncoder(w).Encode(map[string]any{"progress": float64(n+1) / float64(s.Pending+1)})
		return
	}
	parts := strings.Split(id, "/")
	json.NewEncoder(w).Encode(map[string]any{
		"export":  map[string]any{"link": s.Files.URL + "/ds/" + strings.ReplaceAll(id, "/", "_") + "?key=signed", "format": parts[3]},
		"version": map[string]any{"id": strings.Join(parts[:3], "/"), "generating": false},
	})
}

func (s *Server) files(w http.ResponseWriter, r *http.Request) {
	name, ok := strings.CutPrefix(r.URL.Path, "/ds/")
	if !ok || r.URL.Query().Get("key") != "signed" || r.URL.Query().Get("api_key") != "" {
		http.Error(w, "AccessDenied", http.StatusForbidden)
		return
	}
	for id, b := range s.Exports {
		if strings.ReplaceAll(id, "/", "_") == name {
			w.Header().Set("Content-Type", "application/zip")
			w.Header().Set("Content-Length", fmt.Sprint(len(b)))
			w.Write(b)
			return
		}
	}
	http.NotFound(w, r)
}

// Zip builds a zip archive of files (name → content).
func Zip(files map[string][]byte) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, b := range files {
		w, _ := zw.Create(name)
		w.Write(b)
	}
	zw.Close()
	return buf.Bytes()
}
