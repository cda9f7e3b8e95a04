package mlflow

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// fastOpts retry quickly so that transport tests run in milliseconds.
func fastOpts() *Options {
	return &Options{MaxRetries: 3, RetryBaseDelay: time.Millisecond, RetryMaxDelay: 5 * time.Millisecond, Timeout: 5 * time.Second}
}

func TestNewRejectsBadURIs(t *testing.T) {
	for _, uri := range []string{"", "ftp://host/x", "databricks", "file:///tmp/mlruns", "sqlite:///mlflow.db", "http://", "127.0.0.1:5000"} {
		_, err := New(uri, nil)
		if !errors.Is(err, ErrUnsupportedURI) {
			t.Errorf("New(%q) error = %v, want ErrUnsupportedURI", uri, err)
		}
	}
	for _, uri := range []string{"http://127.0.0.1:5000", "https://mlflow.example.com/prefix/"} {
		if _, err := New(uri, nil); err != nil {
			t.Errorf("New(%q): %v", uri, err)
		}
	}
}

// TestPageURLs: links to the UI start at Options.UIURL when it is set
// (MLFLOW_UI_URL: compose's jupyter reaches http://mlflow:5000, a browser
// on the host opens http://127.0.0.1:5000), else at the tracking URI;
// credentials never appear in them. A malformed UI URL is refused.
func TestPageURLs(t *testing.T) {
	const page = "/#/experiments/7/runs/r1?workflowType=machine_learning"
	for _, tc := range []struct{ tracking, ui, want string }{
		{"http://127.0.0.1:5000", "", "http://127.0.0.1:5000" + page},
		{"http://mlflow:5000", "http://127.0.0.1:15000", "http://127.0.0.1:15000" + page},
		{"http://mlflow:5000", "https://mlflow.example.com/team/", "https://mlflow.example.com/team" + page},
		{"http://alice:pw@mlflow:5000", "", "http://mlflow:5000" + page},
		{"http://mlflow:5000", "http://bob:pw@127.0.0.1:5000?x=1#y", "http://127.0.0.1:5000" + page},
	} {
		c, err := New(tc.tracking, &Options{UIURL: tc.ui})
		if err != nil {
			t.Errorf("New(%q, UIURL %q): %v", tc.tracking, tc.ui, err)
			continue
		}
		if got := c.RunPageURL("7", "r1"); got != tc.want {
			t.Errorf("tracking %q, UIURL %q: RunPageURL = %q, want %q", tc.tracking, tc.ui, got, tc.want)
		}
		if got, want := c.ModelPageURL("7", "m-1"), strings.Replace(tc.want, "/runs/r1", "/models/m-1", 1); got != want {
			t.Errorf("tracking %q, UIURL %q: ModelPageURL = %q, want %q", tc.tracking, tc.ui, got, want)
		}
	}
	for _, ui := range []string{"127.0.0.1:5000", "mlflow", "ftp://h/x", "http://"} {
		_, err := New("http://mlflow:5000", &Options{UIURL: ui})
		if !errors.Is(err, ErrInvalid) || !strings.Contains(fmt.Sprint(err), "MLFLOW_UI_URL") {
			t.Errorf("UIURL %q: error = %v, want ErrInvalid naming MLFLOW_UI_URL", ui, err)
		}
	}
	t.Setenv("MLFLOW_UI_URL", "http://127.0.0.1:15000")
	if o, err := OptionsFromEnv(); err != nil {
		t.Error(err)
	} else if o.UIURL != "http://127.0.0.1:15000" {
		t.Errorf("OptionsFromEnv with MLFLOW_UI_URL: UIURL = %q", o.UIURL)
	}
}

func TestRetries(t *testing.T) {
	tests := []struct {
		name      string
		statuses  []int // answers before success
		path      string
		wantCalls int32
		wantErr   bool
	}{
		{"503 then ok, idempotent", []int{503, 503}, "runs/log-batch", 3, false},
		{"429 then ok, idempotent", []int{429}, "runs/log-batch", 2, false},
		{"500 exhausts retries", []int{500, 500, 500, 500, 500}, "runs/log-batch", 4, true},
		{"400 not retried", []int{400}, "runs/log-batch", 1, true},
		{"503 not retried for create run", []int{503}, "runs/create", 1, true},
		{"429 retried for create run", []int{429}, "runs/create", 2, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var calls atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n := int(calls.Add(1)) - 1
				if n < len(tc.statuses) {
					w.WriteHeader(tc.statuses[n])
					io.WriteString(w, `{"error_code":"TEMPORARILY_UNAVAILABLE","message":"busy"}`)
					return
				}
				io.WriteString(w, `{"run":{"info":{"run_id":"abc"}}}`)
			}))
			defer srv.Close()
			c, _ := New(srv.URL, fastOpts())
			err := c.call(context.Background(), request{method: "POST", path: api + tc.path, body: map[string]any{},
				idempotent: tc.path != "runs/create"}, nil)
			if got := calls.Load(); got != tc.wantCalls {
				t.Errorf("calls = %d, want %d", got, tc.wantCalls)
			}
			if (err != nil) != tc.wantErr {
				t.Errorf("err = %v, wantErr %v", err, tc.wantErr)
			}
		})
	}
}

func TestRetryOnConnectionRefused(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // nothing listens any more
	c, _ := New(url, fastOpts())
	start := time.Now()
	_, err := c.GetExperiment(context.Background(), "1")
	if !IsUnavailable(err) {
		t.Fatalf("err = %v, want unavailable", err)
	}
	if time.Since(start) > 2*time.Second {
		t.Errorf("retries took %v", time.Since(start))
	}
}

func TestRetryStopsWithContext(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(503) }))
	defer srv.Close()
	c, _ := New(srv.URL, &Options{MaxRetries: 100, RetryBaseDelay: 50 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.GetExperiment(ctx, "1")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want deadline exceeded", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("took %v after the context ended", d)
	}
}

func TestErrorDecoding(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		ctype     string
		body      string
		wantCode  string
		wantIs    error
		wantInMsg string
	}{
		{"mlflow json", 404, "application/json", `{"error_code":"RESOURCE_DOES_NOT_EXIST","message":"Could not find experiment"}`, CodeResourceDoesNotExist, ErrNotFound, "Could not find experiment"},
		{"already exists", 400, "application/json", `{"error_code":"RESOURCE_ALREADY_EXISTS","message":"x"}`, CodeResourceAlreadyExists, ErrAlreadyExists, "x"},
		{"html 502", 400, "text/html", `<html><body>Bad gateway</body></html>`, "", nil, "not MLflow JSON"},
		{"basic auth 401", 401, "text/plain", `You are not authenticated.`, "", ErrUnauthorized, "MLFLOW_TRACKING_USERNAME"},
		{"host check 403", 403, "text/plain", `Invalid Host header - possible DNS rebinding attack detected`, "", ErrUnauthorized, "DNS rebinding"},
		{"empty 404", 404, "", ``, "", ErrNotFound, "endpoint unknown"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tc.ctype != "" {
					w.Header().Set("Content-Type", tc.ctype)
				}
				w.WriteHeader(tc.status)
				io.WriteString(w, tc.body)
			}))
			defer srv.Close()
			c, _ := New(srv.URL, fastOpts())
			_, err := c.GetExperiment(context.Background(), "1")
			var apiErr *APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("err = %v (%T), want *APIError", err, err)
			}
			if apiErr.Code != tc.wantCode || apiErr.StatusCode != tc.status {
				t.Errorf("code, status = %q, %d, want %q, %d", apiErr.Code, apiErr.StatusCode, tc.wantCode, tc.status)
			}
			if tc.wantIs != nil && !errors.Is(err, tc.wantIs) {
				t.Errorf("errors.Is(%v, %v) = false", err, tc.wantIs)
			}
			if !strings.Contains(err.Error(), tc.wantInMsg) {
				t.Errorf("error %q does not contain %q", err, tc.wantInMsg)
			}
		})
	}
}

func TestGarbage200(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "<html>login page</html>")
	}))
	defer srv.Close()
	c, _ := New(srv.URL, fastOpts())
	_, err := c.GetExperimentByName(context.Background(), "x")
	if !errors.Is(err, ErrBadResponse) || !strings.Contains(err.Error(), "login page") {
		t.Errorf("err = %v, want ErrBadResponse quoting the body", err)
	}
}

func TestAuthHeaders(t *testing.T) {
	tests := []struct {
		opts Options
		want string
	}{
		{Options{Username: "u", Password: "p"}, "Basic dTpw"},
		{Options{Token: "tok"}, "Bearer tok"},
		{Options{Username: "u", Password: "p", Token: "tok"}, "Basic dTpw"},
		{Options{}, ""},
	}
	for i, tc := range tests {
		var got string
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			got = r.Header.Get("Authorization")
			io.WriteString(w, `{}`)
		}))
		c, _ := New(srv.URL, &tc.opts)
		c.call(context.Background(), request{method: "GET", path: "/x"}, nil)
		srv.Close()
		if got != tc.want {
			t.Errorf("case %d: Authorization = %q, want %q", i, got, tc.want)
		}
	}
}

func TestOptionsFromEnv(t *testing.T) {
	t.Setenv("MLFLOW_TRACKING_USERNAME", "alice")
	t.Setenv("MLFLOW_TRACKING_PASSWORD", "secret")
	t.Setenv("MLFLOW_TRACKING_TOKEN", "tok")
	t.Setenv("MLFLOW_TRACKING_INSECURE_TLS", "true")
	t.Setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
	t.Setenv("MLFLOW_HTTP_REQUEST_TIMEOUT", "3")
	o, err := OptionsFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	if o.Username != "alice" || o.Password != "secret" || o.Token != "tok" || !o.InsecureTLS || o.MaxRetries != -1 || o.Timeout != 3*time.Second {
		t.Errorf("OptionsFromEnv = %+v", o)
	}
	t.Setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "many")
	if _, err := OptionsFromEnv(); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad MLFLOW_HTTP_REQUEST_MAX_RETRIES: err = %v", err)
	}
}

func TestMetricJSON(t *testing.T) {
	tests := []struct {
		v    float64
		want string
	}{
		{math.NaN(), `"NaN"`},
		{math.Inf(1), `"Infinity"`},
		{math.Inf(-1), `"-Infinity"`},
		{0.25, `0.25`},
		{1e300, `1e+300`},
	}
	for _, tc := range tests {
		b, err := json.Marshal(Metric{Key: "k", Value: tc.v, Timestamp: 1, Step: 2})
		if err != nil {
			t.Fatal(err)
		}
		want := `{"key":"k","value":` + tc.want + `,"timestamp":1,"step":2}`
		if string(b) != want {
			t.Errorf("Marshal(%v) = %s, want %s", tc.v, b, want)
		}
		var m Metric
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		if !(m.Value == tc.v || math.IsNaN(m.Value) && math.IsNaN(tc.v)) {
			t.Errorf("round trip of %v gave %v", tc.v, m.Value)
		}
	}
}

func TestValidateKey(t *testing.T) {
	tests := []struct {
		key string
		ok  bool
	}{
		{"auc", true},
		{"train/loss", true},
		{"a b:c-d.e_f", true},
		{"", false},
		{strings.Repeat("k", 250), true},
		{strings.Repeat("k", 251), false},
		{"bad!", false},
		{"über", true}, // Python's \w is Unicode
		{"../x", false},
		{"/abs", false},
		{"a//b", false},
		{"a/./b", false},
		{".", false},
	}
	for _, tc := range tests {
		err := ValidateKey("metric", tc.key)
		if (err == nil) != tc.ok {
			t.Errorf("ValidateKey(%q) = %v, want ok=%v", tc.key, err, tc.ok)
		}
		if err != nil && !errors.Is(err, ErrInvalid) {
			t.Errorf("ValidateKey(%q) error does not wrap ErrInvalid", tc.key)
		}
	}
}

func TestSplitBatch(t *testing.T) {
	var ms []Metric
	for i := range 2500 {
		ms = append(ms, Metric{Key: "m", Value: float64(i), Timestamp: 1, Step: int64(i)})
	}
	var ps []Param
	for i := range 250 {
		ps = append(ps, Param{Key: "p" + itoa(int64(i)), Value: strings.Repeat("v", 5000)})
	}
	var ts []Tag
	for i := range 150 {
		ts = append(ts, Tag{Key: "t" + itoa(int64(i)), Value: "x"})
	}
	bs := splitBatch("r", ms, ps, ts)
	var nm, np, nt int
	for i, b := range bs {
		body, _ := json.Marshal(b)
		if len(body) > MaxBatchBodyBytes || len(b.Metrics) > MaxBatchMetrics || len(b.Params) > MaxBatchParams ||
			len(b.Tags) > MaxBatchTags || len(b.Metrics)+len(b.Params)+len(b.Tags) > MaxBatchEntities {
			t.Errorf("batch %d over limits: %d bytes, %d metrics, %d params, %d tags", i, len(body), len(b.Metrics), len(b.Params), len(b.Tags))
		}
		nm, np, nt = nm+len(b.Metrics), np+len(b.Params), nt+len(b.Tags)
	}
	if nm != 2500 || np != 250 || nt != 150 {
		t.Errorf("split lost entities: %d metrics, %d params, %d tags", nm, np, nt)
	}
}

func TestLogBatchRefusesBadInput(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { calls.Add(1); io.WriteString(w, "{}") }))
	defer srv.Close()
	c, _ := New(srv.URL, fastOpts())
	ctx := context.Background()
	bad := []error{
		c.LogBatch(ctx, "r", []Metric{{Key: "ok"}, {Key: "bad key!"}}, nil, nil),
		c.LogBatch(ctx, "r", nil, []Param{{"p", "1"}, {"p", "2"}}, nil),
		c.LogBatch(ctx, "r", nil, []Param{{"p", strings.Repeat("x", MaxParamValueLength+1)}}, nil),
		c.LogBatch(ctx, "r", nil, nil, []Tag{{strings.Repeat("k", 251), "v"}}),
	}
	for i, err := range bad {
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("case %d: err = %v, want ErrInvalid", i, err)
		}
	}
	if calls.Load() != 0 {
		t.Errorf("%d requests were sent for invalid input", calls.Load())
	}
}

// TestMetricHistoryPaging: max_results is always sent (the SQL store
// returns an empty page without it) and page tokens are followed.
func TestMetricHistoryPaging(t *testing.T) {
	var queries []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		queries = append(queries, q.Encode())
		if q.Get("max_results") == "" {
			io.WriteString(w, `{"next_page_token":"t"}`)
			return
		}
		switch q.Get("page_token") {
		case "":
			io.WriteString(w, `{"metrics":[{"key":"m","value":1,"timestamp":1,"step":0}],"next_page_token":"p2"}`)
		case "p2":
			io.WriteString(w, `{"metrics":[{"key":"m","value":"NaN","timestamp":2,"step":1}]}`)
		}
	}))
	defer srv.Close()
	c, _ := New(srv.URL, fastOpts())
	h, err := c.GetMetricHistory(context.Background(), "r", "m")
	if err != nil || len(h) != 2 || !math.IsNaN(h[1].Value) {
		t.Fatalf("history = %+v, %v; queries %v", h, err, queries)
	}
	for _, q := range queries {
		if !strings.Contains(q, "max_results=25000") {
			t.Errorf("query without max_results: %s", q)
		}
	}
}

// TestRetryForBoundsAFailingServer: with RetryFor, a server that keeps
// failing costs a request about RetryFor, whatever MaxRetries and the
// backoff say; a hung server costs it RetryFor too, since attempts after
// the first are cut at the end of the window.
func TestRetryForBoundsAFailingServer(t *testing.T) {
	refused := httptest.NewServer(http.NotFoundHandler())
	refused.Close()
	release := make(chan struct{})
	hung := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer hung.Close()
	defer close(release)
	busy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(503) }))
	defer busy.Close()
	for _, tc := range []struct {
		name, url string
		within    time.Duration
	}{
		{"connection refused", refused.URL, 3 * time.Second},
		{"503", busy.URL, 3 * time.Second},
		{"no answer", hung.URL, 4 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := New(tc.url, &Options{MaxRetries: 7, RetryBaseDelay: time.Second, Timeout: time.Second, RetryFor: 2 * time.Second})
			start := time.Now()
			err := c.LogBatch(context.Background(), "r", []Metric{{Key: "m", Timestamp: 1}}, nil, nil)
			if !IsUnavailable(err) {
				t.Errorf("err = %v, want unavailable", err)
			}
			if d := time.Since(start); d > tc.within {
				t.Errorf("gave up after %v, want at most %v", d, tc.within)
			}
		})
	}
}

// TestStallTimeout: an artifact PUT to a server that stops reading is
// abandoned after StallTimeout without progress, while a slow but moving
// upload is not.
func TestStallTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "stalled") {
			select { // reads nothing, answers nothing
			case <-r.Context().Done():
			case <-release:
			}
			return
		}
		buf := make([]byte, 256<<10)
		for { // slow reader: 256 KiB every 20 ms
			if _, err := r.Body.Read(buf); err != nil {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		io.WriteString(w, "{}")
	}))
	defer srv.Close()
	defer close(release)
	c, _ := New(srv.URL, &Options{MaxRetries: -1, StallTimeout: 300 * time.Millisecond})
	st, err := c.ArtifactStore("mlflow-artifacts:/1/r/artifacts")
	if err != nil {
		t.Fatal(err)
	}
	data := make([]byte, 32<<20) // far more than the socket buffers hold
	start := time.Now()
	err = st.UploadBytes(context.Background(), "stalled.bin", data)
	if !IsUnavailable(err) || !strings.Contains(err.Error(), "no byte moved") || time.Since(start) > 3*time.Second {
		t.Errorf("stalled upload: %v after %v", err, time.Since(start))
	}
	// 24 MiB read in about 2 s, twice StallTimeout, never pausing long.
	c, _ = New(srv.URL, &Options{MaxRetries: -1, StallTimeout: time.Second})
	if st, err = c.ArtifactStore("mlflow-artifacts:/1/r/artifacts"); err != nil {
		t.Fatal(err)
	}
	if err := st.UploadBytes(context.Background(), "slow.bin", make([]byte, 24<<20)); err != nil {
		t.Errorf("slow but moving upload: %v", err)
	}
}
