// Package kaggletest runs a local server that answers like Kaggle's dataset
// download API (kagglesdk RPC DownloadDataset and the legacy REST
// GET /api/v1/datasets/download/…, see docs of pkg/dataset), for tests:
// it checks credentials, answers 401/403/404 with Kaggle's JSON error
// bodies, redirects good requests to a second "GCS" host serving the bytes
// with Content-Length and X-Goog-Hash, and can inject 500s, truncated and
// slow bodies.
package kaggletest

import (
	"archive/zip"
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path"
	"slices"
	"strings"
	"sync"
	"time"
)

// Server is a fake Kaggle API plus a file host.
type Server struct {
	API   *httptest.Server // set KAGGLE_API_ENDPOINT to API.URL
	Files *httptest.Server // redirect target, addressed as localhost (another host)

	Token          string // accepted bearer token
	Username, Key  string // accepted Basic credentials
	Datasets       map[string]map[string][]byte
	Private        map[string]bool // owner/slug answered 403
	ZipSingle      bool            // serve a single file as <file>.zip
	mu             sync.Mutex
	Fail           int           // answer this many API calls with 500 first
	Truncate       bool          // send half the body, then close
	Slow           time.Duration // pause after the first bytes of a body
	Calls          int           // API calls seen
	AuthOnRedirect bool          // an Authorization header reached the file host
}

// New starts a server; the caller calls Close.
func New() *Server {
	s := &Server{Datasets: map[string]map[string][]byte{}, Private: map[string]bool{}, Token: "tok-123", Username: "alice", Key: "k-456"}
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

func jsonError(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]any{"code": code, "message": msg})
}

func (s *Server) api(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.Calls++
	fail := s.Fail > 0
	if fail {
		s.Fail--
	}
	s.mu.Unlock()
	var owner, slug, file string
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/v1/datasets.DatasetApiService/DownloadDataset":
		var req struct{ OwnerSlug, DatasetSlug, FileName string }
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || r.Header.Get("Content-Type") != "application/json" {
			jsonError(w, 400, "bad request body")
			return
		}
		owner, slug, file = req.OwnerSlug, req.DatasetSlug, req.FileName
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/api/v1/datasets/download/"):
		parts := strings.SplitN(strings.TrimPrefix(r.URL.Path, "/api/v1/datasets/download/"), "/", 3)
		if len(parts) < 2 {
			jsonError(w, 404, "Not found")
			return
		}
		owner, slug = parts[0], parts[1]
		if len(parts) == 3 {
			file = parts[2]
		}
	default:
		jsonError(w, 404, "Not found")
		return
	}
	auth := r.Header.Get("Authorization")
	u, k, basic := r.BasicAuth()
	if !(auth == "Bearer "+s.Token && s.Token != "") && !(basic && u == s.Username && k == s.Key) {
		jsonError(w, 401, "Unauthenticated")
		return
	}
	if fail {
		jsonError(w, 500, "Internal error")
		return
	}
	id := owner + "/" + slug
	if s.Private[id] {
		jsonError(w, 403, "Permission 'datasets.get' was denied")
		return
	}
	ds, ok := s.Datasets[id]
	if !ok || (file != "" && ds[file] == nil) {
		jsonError(w, 404, "Not found")
		return
	}
	name := slug + ".zip"
	if file != "" {
		name = file
		if s.ZipSingle {
			name += ".zip"
		}
	}
	loc := strings.Replace(s.Files.URL, "127.0.0.1", "localhost", 1) + "/kaggle-data-sets/" + id + "/" + name + "?X-Goog-Signature=abc"
	http.Redirect(w, r, loc, http.StatusFound)
}

func (s *Server) files(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "" {
		s.mu.Lock()
		s.AuthOnRedirect = true
		s.mu.Unlock()
	}
	p := strings.TrimPrefix(r.URL.Path, "/kaggle-data-sets/")
	parts := strings.SplitN(p, "/", 3)
	if len(parts) != 3 {
		http.NotFound(w, r)
		return
	}
	ds := s.Datasets[parts[0]+"/"+parts[1]]
	name := parts[2]
	var body []byte
	switch {
	case ds[name] != nil:
		body = ds[name]
	case name == parts[1]+".zip":
		names := make([]string, 0, len(ds))
		for n := range ds {
			names = append(names, n)
		}
		slices.Sort(names)
		body = Zip(names, ds)
	case strings.HasSuffix(name, ".zip") && ds[strings.TrimSuffix(name, ".zip")] != nil:
		n := strings.TrimSuffix(name, ".zip")
		body = Zip([]string{n}, ds)
	default:
		http.NotFound(w, r)
		return
	}
	sum := md5.Sum(body)
	w.Header().Set("X-Goog-Hash", "crc32c=AAAAAA==,md5="+base64.StdEncoding.EncodeToString(sum[:]))
	w.Header().Set("Accept-Ranges", "bytes")
	w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	if path.Ext(name) == ".zip" {
		w.Header().Set("Content-Type", "application/zip")
	} else {
		w.Header().Set("Content-Type", "text/csv")
	}
	s.mu.Lock()
	truncate, slow := s.Truncate, s.Slow
	s.mu.Unlock()
	w.WriteHeader(200)
	if truncate {
		w.Write(body[:len(body)/2])
		w.(http.Flusher).Flush()
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
		return
	}
	if slow > 0 {
		w.Write(body[:min(len(body), 16)])
		w.(http.Flusher).Flush()
		select {
		case <-time.After(slow):
		case <-r.Context().Done():
			return
		}
		body = body[min(len(body), 16):]
	}
	w.Write(body)
}

// Zip returns a zip archive holding files[names[i]] under names[i].
func Zip(names []string, files map[string][]byte) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, n := range names {
		w, _ := zw.Create(n)
		w.Write(files[n])
	}
	zw.Close()
	return b.Bytes()
}
