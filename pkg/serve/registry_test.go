package serve_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mlstack/mlstack/internal/testenv"
	"github.com/mlstack/mlstack/pkg/boost"
	"github.com/mlstack/mlstack/pkg/clean"
	"github.com/mlstack/mlstack/pkg/frame"
	"github.com/mlstack/mlstack/pkg/mlflow"
	"github.com/mlstack/mlstack/pkg/model"
	"github.com/mlstack/mlstack/pkg/serve"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// TestRegistry serves a registered model by alias against the real
// MLflow server: every input format gives the predictions of
// `mlflow models serve` on the same alias (within 1e-6); the alias moved
// while requests run swaps the new version in with no failed request; a
// registry that is gone leaves the model serving and /health saying so.
func TestRegistry(t *testing.T) {
	srv := testenv.NewMLflow(t)
	for _, kv := range srv.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	ctx := context.Background()
	m1, _ := models(t)
	f, err := frame.ReadCSV(ctx, strings.NewReader(mixedCSV(300, 2)), nil)
	if err != nil {
		t.Fatal(err)
	}
	m2, err := model.Fit(ctx, f, &model.Spec{Target: "species", Seed: 9,
		Pipeline: clean.New(&clean.Impute{Strategy: clean.Mean, Columns: []string{"a"}},
			&clean.Encode{Method: clean.OneHot, Unknown: clean.UnknownIgnore, Columns: []string{"c"}}),
		Params: boost.Params{Objective: boost.MultiSoftprob, NumClass: 3, NEstimators: 7, MaxDepth: 2}})
	if err != nil {
		t.Fatal(err)
	}
	reg := testenv.Name("serve")
	run, err := mlflow.Open(ctx, mlflow.Config{TrackingURI: srv.URL, ExperimentName: reg, RunName: "serve", SpoolDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range []*model.Model{m1, m2} {
		xm, err := m.MLflow()
		if err != nil {
			t.Fatal(err)
		}
		opts := mlflow.LogModelOptions{Name: []string{"model", "model2"}[i], RegisteredModelName: reg}
		if i == 0 {
			opts.Alias = "champion"
		}
		if _, err := run.LogModel(ctx, *xm, opts); err != nil {
			t.Fatal(err)
		}
	}
	if err := run.Close(); err != nil {
		t.Fatal(err)
	}
	c, err := mlflow.New(srv.URL, &mlflow.Options{MaxRetries: -1, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	uri := "models:/" + reg + "@champion"
	s, url := start(t, nil, serve.Options{})
	r, err := serve.NewRegistry(uri, c, s)
	if err != nil {
		t.Fatal(err)
	}
	if changed, err := r.Load(ctx); err != nil || !changed || s.Current().Version != "1" {
		t.Fatalf("first load: changed %v, %v, version %q", changed, err, s.Current().Version)
	}

	t.Run("parity with mlflow models serve", func(t *testing.T) {
		base := testenv.ServeModel(t, uri, srv.Env()...)
		for _, params := range []string{"", `{"predict_method": "predict_proba"}`} {
			for name, b := range bodies(t, params) {
				if name == "csv" && params != "" {
					continue
				}
				code, want := post(t, base, b[0], b[1])
				if code != 200 {
					t.Errorf("%s %s: mlflow models serve: %d %s", name, params, code, want)
					continue
				}
				code, got := post(t, url, b[0], b[1])
				if code != 200 {
					t.Errorf("%s %s: serve: %d %s", name, params, code, got)
					continue
				}
				if !sameJSON(predictions(t, want), predictions(t, got), 1e-6) {
					t.Errorf("%s %s: serve %s, mlflow %s", name, params, got, want)
				}
			}
		}
		// Bad and empty requests: the same status and error code as MLflow's.
		for _, tc := range []struct{ name, ct, body string }{
			{"malformed JSON", "application/json", `{"dataframe_split": {"columns": ["a",}`},
			{"a list", "application/json", `[1, 2]`},
			{"no format", "application/json", `{"data": []}`},
			{"two formats", "application/json", `{"inputs": {}, "instances": []}`},
			{"missing columns", "application/json", `{"dataframe_split": {"columns": ["a", "e"], "data": [[1, "Yes"]]}}`},
			{"wrong type", "application/json", `{"dataframe_split": {"columns": ["a", "b", "c", "e"], "data": [[1, 2, "red", "Yes"], ["lots", 2, "red", "Yes"]]}}`},
			{"CSV missing columns", "text/csv", "a,c\n1,red\n"},
			{"content type", "text/plain", `a`},
			{"charset", "application/json; charset=latin-1", `{}`},
			{"not UTF-8", "application/json", "{\"inputs\": {\"c\": [\"\xff\"]}}"},
			{"empty body", "application/json", ""},
		} {
			mc, mb := post(t, base, tc.ct, tc.body)
			sc, sb := post(t, url, tc.ct, tc.body)
			var me, se struct {
				Code string `json:"error_code"`
			}
			json.Unmarshal(mb, &me)
			json.Unmarshal(sb, &se)
			if mc != sc || me.Code != se.Code {
				t.Errorf("%s: serve %d %s %.200s; mlflow %d %s %.300s", tc.name, sc, se.Code, sb, mc, me.Code, mb)
			}
		}
		for _, tc := range []struct{ name, ct, body string }{
			{"empty split", "application/json", `{"dataframe_split": {"columns": ["a", "b", "c", "e"], "data": []}}`},
			{"empty CSV", "text/csv", "a,b,c,e\n"},
		} {
			mc, mb := post(t, base, tc.ct, tc.body)
			sc, sb := post(t, url, tc.ct, tc.body)
			if mc != sc || string(mb) != string(sb) {
				t.Errorf("%s: serve %d %s; mlflow %d %s", tc.name, sc, sb, mc, mb)
			}
		}
	})

	want2 := func() []any { // m2's labels for the split body
		rows, err := frame.ReadCSV(ctx, strings.NewReader(rawRows), m2.ReadOptions())
		if err != nil {
			t.Fatal(err)
		}
		p, err := m2.Predict(rows)
		if err != nil {
			t.Fatal(err)
		}
		var out []any
		for i := range rows.Len() {
			out = append(out, p.String(i))
		}
		return out
	}()

	t.Run("alias moved under load", func(t *testing.T) {
		wctx, cancel := context.WithCancel(ctx)
		defer cancel()
		go r.Watch(wctx, 50*time.Millisecond, nil)
		body := bodies(t, `{"output": "proba"}`)["dataframe_split"][1]
		var (
			ok, failed atomic.Int64
			firstErr   atomic.Value
			wg         sync.WaitGroup
			stop       = make(chan struct{})
		)
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					resp, err := http.Post(url+"/invocations", "application/json", strings.NewReader(body))
					if err != nil {
						failed.Add(1)
						firstErr.CompareAndSwap(nil, err.Error())
						continue
					}
					b, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 200 {
						failed.Add(1)
						firstErr.CompareAndSwap(nil, string(b))
						continue
					}
					ok.Add(1)
				}
			}()
		}
		time.Sleep(200 * time.Millisecond)
		if err := c.SetModelAlias(ctx, reg, "champion", "2"); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(30 * time.Second)
		for s.Current().Version != "2" && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		time.Sleep(200 * time.Millisecond)
		close(stop)
		wg.Wait()
		if v := s.Current().Version; v != "2" {
			t.Fatalf("still serving version %s after the alias moved", v)
		}
		if failed.Load() > 0 {
			t.Errorf("%d of %d requests failed during the swap; first: %v", failed.Load(), failed.Load()+ok.Load(), firstErr.Load())
		}
		t.Logf("%d requests during the swap, none failed", ok.Load())
		code, out := post(t, url, "application/json", bodies(t, "")["dataframe_split"][1])
		if got := predictions(t, out); code != 200 || !sameJSON(want2, got, 0) {
			t.Errorf("after the swap: %d %v, want version 2's %v", code, got, want2)
		}
		if !strings.Contains(metricsText(t, url), `version="2"} 1`) {
			t.Error("/metrics does not give version 2")
		}
	})

	t.Run("registry down", func(t *testing.T) {
		srv.Kill(t)
		if _, err := r.Load(ctx); err == nil {
			t.Fatal("Load with the registry down: no error")
		}
		resp, err := http.Get(url + "/health")
		if err != nil {
			t.Fatal(err)
		}
		var h struct {
			Status   string
			Model    struct{ Version string }
			Registry struct {
				Reachable bool
				Error     string
			}
		}
		err = json.NewDecoder(resp.Body).Decode(&h)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 || h.Registry.Reachable || h.Registry.Error == "" || h.Model.Version != "2" || !strings.Contains(h.Status, "unreachable") {
			t.Errorf("/health with the registry down: %d %+v %v", resp.StatusCode, h, err)
		}
		code, out := post(t, url, "application/json", bodies(t, "")["dataframe_split"][1])
		if got := predictions(t, out); code != 200 || !sameJSON(want2, got, 0) {
			t.Errorf("with the registry down: %d %s", code, out)
		}
		if !strings.Contains(metricsText(t, url), "mlstack_serve_registry_up 0") {
			t.Error("/metrics does not say the registry is down")
		}
	})
}
