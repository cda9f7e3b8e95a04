package serve_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/mlstack/mlstack/pkg/serve"
)

// FuzzInvocations feeds the handler arbitrary JSON and CSV bodies: none
// may panic (a panic would be a 500) or get another answer than 200,
// 400 or 415.
func FuzzInvocations(f *testing.F) {
	for _, b := range bodies(f, `{"output": "proba"}`) {
		f.Add(b[0] == "text/csv", b[1])
	}
	for _, s := range []string{`{"dataframe_split": {"columns": ["a"], "data": [[1e400]]}}`, `{"inputs": {"a": [null], "b": ["1"], "c": [3.5], "e": [1]}}`,
		`{"instances": [{"a": "NA", "b": true, "c": false, "e": "yes"}]}`, `{"dataframe_records": [1, 2]}`, `[`, `{"params": {}}`} {
		f.Add(false, s)
	}
	f.Add(true, "a,b,c,e\n\"1\n")
	m, _ := models(f)
	s := serve.New(serve.Options{Logger: slog.New(slog.NewJSONHandler(io.Discard, nil)), MaxBodyBytes: 1 << 16})
	s.Swap(&serve.Loaded{Model: m, URI: "fuzz"})
	h := s.Handler()
	f.Fuzz(func(t *testing.T, csv bool, body string) {
		ct := "application/json"
		if csv {
			ct = "text/csv"
		}
		req := httptest.NewRequest("POST", "/invocations", strings.NewReader(body))
		req.Header.Set("Content-Type", ct)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK, http.StatusBadRequest, http.StatusRequestEntityTooLarge:
		default:
			t.Fatalf("%d: %s", rec.Code, rec.Body)
		}
	})
}
