package main

import (
	"archive/zip"
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Issue 16's ingest probes through the command: the exit status, a
// message that names the problem, no secret of the URL in it, and nothing
// in the store.
func TestRunHostileSources(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/endless.csv":
			w.Write([]byte("a,b\n"))
			chunk := []byte(strings.Repeat("1,2\n", 1<<14))
			for r.Context().Err() == nil {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		case "/login.csv":
			w.Write([]byte("<html><head><title>Log in</title></head></html>"))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	bomb := filepath.Join(t.TempDir(), "bomb.zip")
	if err := os.WriteFile(bomb, manySmallEntries(t), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name     string
		args     []string
		code     int
		mentions []string
	}{
		{"endless body", []string{"--source", srv.URL + "/endless.csv?api_key=s3cr3t", "--max-bytes", "1000000"}, 1,
			[]string{"endless.csv?api_key=[REDACTED]", "data exceeds limit: more than 1000000 bytes downloaded"}},
		{"login page", []string{"--source", "http://u:s3cr3t@" + host + "/login.csv?token=s3cr3t"}, 1,
			[]string{"http://u:[REDACTED]@" + host + "/login.csv?token=[REDACTED]: HTTP 200 OK: an HTML page, not data (a login or error page?): Log in"}},
		{"404 with a key", []string{"--source", srv.URL + "/gone.csv?key=s3cr3t"}, 1, []string{"gone.csv?key=[REDACTED]: HTTP 404"}},
		{"bad scheme with a key", []string{"--source", "gopher://u:s3cr3t@h/x"}, 2, []string{`unknown source scheme "gopher"`}},
		{"zip of many small entries", []string{"--source", bomb}, 1, []string{"a ratio above 200 (zip bomb?)"}},
		{"timeout", []string{"--source", srv.URL + "/endless.csv", "--timeout", "300ms"}, 1, []string{"--timeout 300ms reached"}},
		{"zero timeout", []string{"--source", srv.URL + "/endless.csv", "--timeout", "0s"}, 2, []string{"--timeout must be positive"}},
		{"negative min rate", []string{"--source", srv.URL + "/endless.csv", "--min-rate", "-1"}, 2, []string{"--min-rate not negative"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root := t.TempDir()
			withEnv(t, map[string]string{"STORAGE_ROOT": root})
			code, stdout, stderr := run(t, append(c.args, "--work-dir", t.TempDir())...)
			if code != c.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, c.code, stderr)
			}
			for _, m := range c.mentions {
				if !strings.Contains(stderr, m) {
					t.Errorf("stderr does not mention %q:\n%s", m, stderr)
				}
			}
			if strings.Contains(stderr+stdout, "s3cr3t") {
				t.Errorf("a secret leaked:\n%s", stderr)
			}
			filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
				if err == nil && fi.Mode().IsRegular() {
					t.Errorf("failed run left %s", p)
				}
				return nil
			})
		})
	}
}

// manySmallEntries is a zip of 300 entries of 256 KiB of zeros: no entry
// reaches the per-entry ratio check (1 MiB), together they are a bomb.
func manySmallEntries(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	zeros := make([]byte, 256<<10)
	for i := range 300 {
		w, err := zw.Create(fmt.Sprintf("p%03d.csv", i))
		if err != nil {
			t.Fatal(err)
		}
		w.Write(zeros)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
