package serve_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/mlstack/mlstack/pkg/boost"
	"github.com/mlstack/mlstack/pkg/clean"
	"github.com/mlstack/mlstack/pkg/dataset"
	"github.com/mlstack/mlstack/pkg/frame"
	"github.com/mlstack/mlstack/pkg/model"
	"github.com/mlstack/mlstack/pkg/serve"
)

// mixedCSV returns n rows with a float column with missing values (a), a
// whole-number one (b), a category (c), a Yes/No column (e) and a
// three-class target named by strings (species).
func mixedCSV(n int, seed uint64) string {
	r := rand.New(rand.NewPCG(seed, 1))
	var b strings.Builder
	b.WriteString("a,b,c,e,species\n")
	for range n {
		a := fmt.Sprintf("%.2f", r.NormFloat64()*3+2)
		if r.Float64() < 0.05 {
			a = ""
		}
		bv := r.IntN(40)
		c := []string{"red", "green", "blue"}[r.IntN(3)]
		e := []string{"Yes", "No"}[r.IntN(2)]
		score := float64(bv)/20 + map[string]float64{"red": 1, "green": -0.5}[c]
		sp := "alpha"
		switch {
		case score+r.NormFloat64()*0.5 > 1.5:
			sp = "gamma"
		case score+r.NormFloat64()*0.5 > 0.3:
			sp = "beta"
		}
		fmt.Fprintf(&b, "%s,%d,%s,%s,%s\n", a, bv, c, e, sp)
	}
	return b.String()
}

var (
	fitOnce          sync.Once
	mixedM, diabetes *model.Model
	fitErr           error
)

// models fits, once per test binary, a three-class model on mixed raw
// columns and a binary one on the diabetes sample (numeric labels).
func models(t testing.TB) (mixed, diab *model.Model) {
	t.Helper()
	fitOnce.Do(func() {
		ctx := context.Background()
		f, err := frame.ReadCSV(ctx, strings.NewReader(mixedCSV(300, 1)), nil)
		if err != nil {
			fitErr = err
			return
		}
		pipe := clean.New(
			&clean.Impute{Strategy: clean.Median, Columns: []string{"a"}},
			&clean.Encode{Method: clean.OneHot, Unknown: clean.UnknownIgnore, Columns: []string{"c"}},
			&clean.Standardize{},
		)
		mixedM, fitErr = model.Fit(ctx, f, &model.Spec{Target: "species", Pipeline: pipe, Seed: 3,
			Params: boost.Params{Objective: boost.MultiSoftprob, NumClass: 3, NEstimators: 20, MaxDepth: 3}})
		if fitErr != nil {
			return
		}
		raw, err := dataset.Sample("diabetes")
		if err != nil {
			fitErr = err
			return
		}
		d, err := frame.ReadBytes(ctx, raw, nil)
		if err != nil {
			fitErr = err
			return
		}
		pipe = clean.New(&clean.ZeroAsMissing{Columns: []string{"Glucose", "BMI"}},
			&clean.Impute{Strategy: clean.Median, Columns: []string{"Glucose", "BMI"}})
		diabetes, fitErr = model.Fit(ctx, d, &model.Spec{Target: "Outcome", Pipeline: pipe, Seed: 1,
			Params: boost.Params{Objective: boost.BinaryLogistic, NEstimators: 20, MaxDepth: 3}})
	})
	if fitErr != nil {
		t.Fatal(fitErr)
	}
	return mixedM, diabetes
}

// start serves m with opts on a free loopback port until the test ends
// and returns its base URL.
func start(t testing.TB, m *model.Model, opts serve.Options) (*serve.Server, string) {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewJSONHandler(io.Discard, nil))
	}
	s := serve.New(opts)
	if m != nil {
		s.Swap(&serve.Loaded{Model: m, URI: "test"})
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	return s, "http://" + ln.Addr().String()
}

// post sends body and returns the status and the answer.
func post(t testing.TB, url, contentType, body string) (int, []byte) {
	t.Helper()
	resp, err := http.Post(url+"/invocations", contentType, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

// predictions decodes {"predictions": [...]}.
func predictions(t testing.TB, b []byte) []any {
	t.Helper()
	var out struct {
		Predictions []any `json:"predictions"`
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(&out); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return out.Predictions
}

// sameJSON reports whether a and b hold the same values, numbers within
// tol.
func sameJSON(a, b any, tol float64) bool {
	switch a := a.(type) {
	case json.Number:
		bn, ok := b.(json.Number)
		if !ok {
			return false
		}
		x, _ := a.Float64()
		y, _ := bn.Float64()
		return math.Abs(x-y) <= tol
	case []any:
		bl, ok := b.([]any)
		if !ok || len(a) != len(bl) {
			return false
		}
		for i := range a {
			if !sameJSON(a[i], bl[i], tol) {
				return false
			}
		}
		return true
	}
	return a == b
}
