package dataset_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mlstack/mlstack/pkg/dataset"
)

// The ingest probes of issue 16, against a real HTTP server on loopback:
// each download fails with the error that names it, within its bounds,
// and leaves no file behind; no message holds a URL's secrets.
func TestFetchHostileServers(t *testing.T) {
	chunk := bytes.Repeat([]byte("1,2\n"), 1<<14) // 64 KiB
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fl := w.(http.Flusher)
		switch r.URL.Path {
		case "/endless.csv": // an endless fast body, no Content-Length
			w.Write([]byte("a,b\n"))
			for r.Context().Err() == nil {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		case "/declared.csv": // a Content-Length above the limit
			w.Header().Set("Content-Length", "1000000000")
			w.Write([]byte("a,b\n"))
		case "/trickle.csv": // a byte every 20 ms: never idle, never done
			w.Write([]byte("a,b\n"))
			fl.Flush()
			for r.Context().Err() == nil {
				w.Write([]byte("1"))
				fl.Flush()
				time.Sleep(20 * time.Millisecond)
			}
		case "/login.csv": // a login page with status 200
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write([]byte("<!DOCTYPE html>\n<html><head><title>Sign in · Example</title></head><body><form>…</form></body></html>"))
		case "/error.csv": // an API error as JSON with status 200
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"error": "quota exceeded"}`))
		case "/array.csv": // JSON data, not CSV
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`[{"a": 1}]`))
		case "/ok.csv":
			w.Write([]byte("a,b\n1,2\n"))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	secret := "?api_key=s3cr3t-key&rows=1"
	tests := []struct {
		name string
		url  string
		opts dataset.FetchOptions
		err  error
		want []string // in the message
	}{
		{"endless body", srv.URL + "/endless.csv" + secret, dataset.FetchOptions{Limits: &dataset.Limits{MaxBytes: 4 << 20, MaxEntries: 10, MaxRatio: 200}},
			dataset.ErrTooLarge, []string{"/endless.csv?api_key=[REDACTED]&rows=1", "more than 4194304 bytes downloaded"}},
		{"Content-Length above the limit", srv.URL + "/declared.csv", dataset.FetchOptions{Limits: &dataset.Limits{MaxBytes: 1 << 20, MaxEntries: 10, MaxRatio: 200}},
			dataset.ErrTooLarge, []string{"Content-Length 1000000000 bytes, more than the limit of 1048576"}},
		{"a byte at a time", srv.URL + "/trickle.csv" + secret, dataset.FetchOptions{IdleTimeout: 300 * time.Millisecond, MinRate: 1000, Retries: 1},
			dataset.ErrStalled, []string{"api_key=[REDACTED]", "bytes in 300ms, below the minimum rate of 1000 bytes/s"}},
		{"overall deadline", srv.URL + "/trickle.csv", dataset.FetchOptions{IdleTimeout: time.Hour, Timeout: 500 * time.Millisecond},
			dataset.ErrTimeout, []string{"/trickle.csv: fetch timed out (500ms)"}},
		{"login page", "http://alice:pw@" + host + "/login.csv" + secret, dataset.FetchOptions{},
			dataset.ErrNotData, []string{"http://alice:[REDACTED]@" + host + "/login.csv?api_key=[REDACTED]&rows=1: HTTP 200 OK: an HTML page, not data (a login or error page?): Sign in · Example"}},
		{"JSON error", srv.URL + "/error.csv", dataset.FetchOptions{},
			dataset.ErrNotData, []string{"HTTP 200 OK: JSON, not data (a login or error page?): quota exceeded"}},
		{"JSON array", srv.URL + "/array.csv", dataset.FetchOptions{}, dataset.ErrNotData, []string{"JSON, not data"}},
		{"404", srv.URL + "/missing.csv" + secret, dataset.FetchOptions{}, dataset.ErrNotFound, []string{"missing.csv?api_key=[REDACTED]&rows=1: HTTP 404"}},
		{"refused", "http://bob:pw@127.0.0.1:1/x.csv" + secret, dataset.FetchOptions{Retries: 1}, nil, []string{"bob:[REDACTED]@127.0.0.1:1/x.csv?api_key=[REDACTED]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			tt.opts.Dir = dir
			tt.opts.RetryWait = time.Millisecond
			src, err := dataset.ParseSource(tt.url)
			if err != nil {
				t.Fatal(err)
			}
			t0 := time.Now()
			_, err = dataset.Fetch(context.Background(), src, &tt.opts)
			if err == nil || tt.err != nil && !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if d := time.Since(t0); d > 10*time.Second {
				t.Errorf("took %v", d)
			}
			msg := err.Error()
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q\ndoes not say %q", msg, w)
				}
			}
			for _, leak := range []string{"s3cr3t", "pw@"} {
				if strings.Contains(msg, leak) || strings.Contains(src.String(), leak) {
					t.Errorf("%q leaks in %q (source %s)", leak, msg, src)
				}
			}
			if ents, _ := os.ReadDir(dir); len(ents) > 0 {
				t.Errorf("a failed download left %v", ents[0].Name())
			}
		})
	}
	// A CSV is still a CSV.
	src, _ := dataset.ParseSource(srv.URL + "/ok.csv")
	if _, err := dataset.Fetch(context.Background(), src, &dataset.FetchOptions{Dir: t.TempDir()}); err != nil {
		t.Errorf("ok.csv: %v", err)
	}
}

func TestParseSourceRedacts(t *testing.T) {
	_, err := dataset.ParseSource("gopher://u:pw@h/x?token=s3cr3t")
	if err == nil || strings.Contains(err.Error(), "s3cr3t") || strings.Contains(err.Error(), "pw") {
		t.Errorf("err = %v", err)
	}
}

// zipFile writes a zip of n entries of size bytes each (zeros when
// compressible, random bytes otherwise).
func zipFile(t *testing.T, n, size int, compressible bool) string {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	data := make([]byte, size)
	if !compressible {
		rng := rand.New(rand.NewPCG(1, 2))
		for i := range data {
			data[i] = byte(rng.Uint32())
		}
	}
	for i := range n {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: fmt.Sprintf("part%04d.csv", i), Method: zip.Deflate})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
	}
	zw.Close()
	p := filepath.Join(t.TempDir(), "a.zip")
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// Zip limits are checked on what the archive declares before anything is
// written: many small entries that are a bomb together (issue 16: 2000
// entries of 1 MiB in 3.3 MB extracted 2 GiB), and a total above MaxBytes.
func TestExtractDeclaredLimits(t *testing.T) {
	tests := []struct {
		name string
		zip  string
		lim  *dataset.Limits
		want string
	}{
		{"many small entries", zipFile(t, 300, 256<<10, true), nil, "78643200 bytes compressed into"},
		{"total above MaxBytes", zipFile(t, 2, 600<<10, false), &dataset.Limits{MaxBytes: 1 << 20, MaxEntries: 10, MaxRatio: 200},
			"the archive declares 1228800 bytes to extract, more than the limit of 1048576"},
		{"too many entries", zipFile(t, 11, 10, false), &dataset.Limits{MaxBytes: 1 << 20, MaxEntries: 10, MaxRatio: 200}, "11 entries (limit 10)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "out")
			_, err := dataset.Extract(context.Background(), tt.zip, dir, tt.lim)
			if !errors.Is(err, dataset.ErrTooLarge) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want ErrTooLarge saying %q", err, tt.want)
			}
			if _, err := os.Stat(dir); !os.IsNotExist(err) {
				t.Errorf("something was written before the check: %v", err)
			}
		})
	}
}

// FuzzExtract: no archive panics Extract or writes outside its folder.
func FuzzExtract(f *testing.F) {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, n := range []string{"a.csv", "d/b.csv", "n.txt"} {
		w, _ := zw.Create(n)
		w.Write([]byte("x,y\n1,2\n"))
	}
	zw.Close()
	f.Add(b.Bytes())
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, data []byte) {
		root := t.TempDir()
		p := filepath.Join(root, "in.zip")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		dir := filepath.Join(root, "out")
		files, err := dataset.Extract(context.Background(), p, dir, &dataset.Limits{MaxBytes: 1 << 20, MaxEntries: 64, MaxRatio: 200})
		if err != nil {
			return
		}
		for _, fl := range files {
			if rel, err := filepath.Rel(dir, fl.Path); err != nil || !filepath.IsLocal(rel) {
				t.Fatalf("%s extracted outside %s", fl.Path, dir)
			}
		}
	})
}
