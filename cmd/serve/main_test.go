package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mlstack/mlstack/pkg/boost"
	"github.com/mlstack/mlstack/pkg/dataset"
	"github.com/mlstack/mlstack/pkg/frame"
	"github.com/mlstack/mlstack/pkg/model"
)

// syncBuffer is a bytes.Buffer safe for the server's log and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{nil, 2, "--model is required"},
		{[]string{"--model", "x", "extra"}, 2, `unexpected argument "extra"`},
		{[]string{"--model", "x", "--port", "70000"}, 2, "--port 70000"},
		{[]string{"--model", "x", "--log-level", "loud"}, 2, "--log-level"},
		{[]string{"--model", "x", "--poll", "-1s"}, 2, "--poll"},
		{[]string{"--model", "models:/m@a"}, 2, "MLFLOW_TRACKING_URI"},
		{[]string{"--model", filepath.Join(t.TempDir(), "none")}, 1, "mlstack.json"},
		{[]string{"ping", "http://127.0.0.1:1"}, 1, "serve ping"},
		{[]string{"-h"}, 0, "usage: serve"},
	} {
		t.Setenv("MLFLOW_TRACKING_URI", "")
		var stderr syncBuffer
		if code := run(context.Background(), tc.args, nil, &stderr); code != tc.code || !strings.Contains(stderr.String(), tc.msg) {
			t.Errorf("serve %v: exit %d, want %d with %q:\n%s", tc.args, code, tc.code, tc.msg, stderr.String())
		}
	}
}

// TestServeFolder serves a saved bundle: ping, a prediction, a reload on
// demand (SIGHUP), then a drain and exit 0 when the context ends (SIGTERM).
func TestServeFolder(t *testing.T) {
	ctx := context.Background()
	raw, err := dataset.Sample("diabetes")
	if err != nil {
		t.Fatal(err)
	}
	d, err := frame.ReadBytes(ctx, raw, nil)
	if err != nil {
		t.Fatal(err)
	}
	m, err := model.Fit(ctx, d, &model.Spec{Target: "Outcome", Params: boost.Params{Objective: boost.BinaryLogistic, NEstimators: 5, MaxDepth: 2}})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := m.Save(dir); err != nil {
		t.Fatal(err)
	}
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	reload := make(chan struct{})
	var stderr syncBuffer
	exit := make(chan int, 1)
	go func() { exit <- run(rctx, []string{"--model", dir, "--port", "0", "--drain", "5s"}, reload, &stderr) }()
	var addr string
	for deadline := time.Now().Add(10 * time.Second); addr == ""; {
		for _, line := range strings.Split(stderr.String(), "\n") {
			var rec struct{ Msg, Addr string }
			if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "serving" {
				addr = rec.Addr
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no serving line:\n%s", stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	url := "http://" + addr
	var pingErr syncBuffer
	if code := run(ctx, []string{"ping", url}, nil, &pingErr); code != 0 {
		t.Errorf("serve ping %s: exit %d: %s", url, code, pingErr.String())
	}
	body := `{"dataframe_records": [{"Pregnancies": 6, "Glucose": 148, "BloodPressure": 72, "SkinThickness": 35, "Insulin": 0, "BMI": 33.6, "DiabetesPedigreeFunction": 0.627, "Age": 50}]}`
	resp, err := http.Post(url+"/invocations", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(string(b), `{"predictions": [`) {
		t.Errorf("POST /invocations: %d %s", resp.StatusCode, b)
	}
	if resp.Header.Get("X-Request-Id") == "" {
		t.Error("no X-Request-Id in the answer")
	}
	reload <- struct{}{}
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(stderr.String(), `"msg":"model swapped"`); {
		if time.Now().After(deadline) {
			t.Fatalf("no swap after a reload:\n%s", stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	select {
	case code := <-exit:
		if code != 0 {
			t.Errorf("exit %d after the drain:\n%s", code, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop after its context ended")
	}
	for _, want := range []string{`"msg":"request"`, `"path":"/invocations"`, `"status":200`, `"msg":"drained"`} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("the log lacks %s:\n%s", want, stderr.String())
		}
	}
}
