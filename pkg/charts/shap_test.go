package charts_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mlstack/mlstack/internal/testenv"
	"github.com/mlstack/mlstack/pkg/boost"
	"github.com/mlstack/mlstack/pkg/charts"
	"github.com/mlstack/mlstack/pkg/dataset"
	"github.com/mlstack/mlstack/pkg/frame"
)

// shapValues trains a model on breast_cancer (30 features, some values
// set missing) and returns its SHAP values, with interactions for the
// first 60 rows.
func shapValues(t testing.TB) *charts.SHAPValues {
	t.Helper()
	b, err := dataset.Sample("breast_cancer")
	if err != nil {
		t.Fatal(err)
	}
	f, err := frame.ReadBytes(context.Background(), b, nil)
	if err != nil {
		t.Fatal(err)
	}
	x, y, schema, err := f.XY("diagnosis", &frame.ExportOptions{Positive: "M"})
	if err != nil {
		t.Fatal(err)
	}
	r, c := x.Dims()
	for i := 0; i < r; i += 7 {
		x.Set(i, i%c, math.NaN())
	}
	m, err := boost.Train(context.Background(), x, y, nil, &boost.Params{NEstimators: 30, MaxDepth: 4})
	if err != nil {
		t.Fatal(err)
	}
	cs, err := m.Contributions(x)
	if err != nil {
		t.Fatal(err)
	}
	iv, err := m.Interactions(x.Slice(0, 60, 0, c))
	if err != nil {
		t.Fatal(err)
	}
	names := make([]string, len(schema.Features))
	for i, ft := range schema.Features {
		names[i] = ft.Name
	}
	return &charts.SHAPValues{Features: names, Values: cs[0], X: x, Output: "log-odds of M", Interactions: iv[0]}
}

func shapCharts(t testing.TB, v *charts.SHAPValues) []*charts.Chart {
	t.Helper()
	cs, err := charts.SHAPCharts(v, 0)
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// TestSHAPCharts: the four SHAP charts build, their options say what they
// draw, and their PNGs are drawn on.
func TestSHAPCharts(t *testing.T) {
	v := shapValues(t)
	cs := shapCharts(t, v)
	want := []string{"shap_summary", "shap_importance", "shap_dependence_perimeter_worst", "shap_waterfall"}
	dir := outDir(t)
	for i, c := range cs {
		if c.Name != want[i] {
			t.Errorf("chart %d named %s, want %s", i, c.Name, want[i])
		}
		opt, err := c.Option()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(opt, []byte(c.Title)) {
			t.Errorf("%s: option lacks its title %q", c.Name, c.Title)
		}
		var buf bytes.Buffer
		if err := c.WritePNG(&buf); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, c.Name+".png"), buf.Bytes(), 0o644)
		img, err := png.Decode(&buf)
		if err != nil {
			t.Fatal(err)
		}
		if got := img.Bounds().Size(); got != image.Pt(charts.PNGWidth, charts.PNGHeight) {
			t.Errorf("%s: PNG size %v", c.Name, got)
		}
		if n, total := nonWhite(img, img.Bounds()); n*50 < total {
			t.Errorf("%s: PNG nearly blank: %d of %d pixels non-white", c.Name, n, total)
		}
	}
	// The summary shows the top 20 of 30 features; the dependence plot is
	// coloured by an interaction partner; the waterfall adds up to the
	// row's margin.
	opt, _ := cs[0].Option()
	if !bytes.Contains(opt, []byte("top 20 of 30 features")) {
		t.Errorf("summary subtitle does not say top 20 of 30 features")
	}
	opt, _ = cs[2].Option()
	if !bytes.Contains(opt, []byte("(strongest interaction)")) {
		t.Errorf("dependence plot not coloured by an interaction partner")
	}
	sum := 0.0
	for _, x := range v.Values.RawRowView(0) {
		sum += x
	}
	opt, _ = cs[3].Option()
	if fx := fmt.Sprintf("f(x) = %.3f", sum); !bytes.Contains(opt, []byte(fx)) {
		t.Errorf("waterfall subtitle lacks %q", fx)
	}
}

// TestSHAPChartErrors: nothing to draw and bad arguments are errors.
func TestSHAPChartErrors(t *testing.T) {
	v := shapValues(t)
	if _, err := charts.SHAPSummary(&charts.SHAPValues{}, 0); !errors.Is(err, charts.ErrNoData) {
		t.Errorf("empty values: %v", err)
	}
	zero := *v
	zero.Values = mat.NewDense(3, 31, nil)
	zero.X = mat.NewDense(3, 30, nil)
	if _, err := charts.SHAPSummary(&zero, 0); !errors.Is(err, charts.ErrNoData) {
		t.Errorf("all-zero values: %v", err)
	}
	if _, err := charts.SHAPDependence(v, "no such feature"); err == nil {
		t.Error("SHAPDependence accepted an unknown feature")
	}
	if _, err := charts.SHAPWaterfall(v, 10000, 0); err == nil {
		t.Error("SHAPWaterfall accepted row 10000")
	}
	if !panics(func() {
		charts.SHAPSummary(&charts.SHAPValues{Features: []string{"a"}, Values: mat.NewDense(2, 3, nil), X: mat.NewDense(2, 1, nil)}, 0)
	}) {
		t.Error("mismatched shapes did not panic")
	}
}

// TestBrowserSHAP opens the four SHAP charts, one page, in headless
// Chromium: no console messages, every chart drawn.
func TestBrowserSHAP(t *testing.T) {
	testenv.Chromium(t)
	dir := outDir(t)
	cs := shapCharts(t, shapValues(t))
	if _, err := charts.WriteDir(dir, "shap", cs...); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, charts.PageName))
	if err != nil {
		t.Fatal(err)
	}
	test := filepath.Join(dir, "shap.html")
	if err := os.WriteFile(test, []byte(strings.Replace(string(b), "</body>", statusJS+"</body>", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	var areas []image.Rectangle
	y, w := 24, 0
	for _, c := range cs {
		cw, ch := c.Width, c.Height
		if cw == 0 {
			cw, ch = charts.DefaultWidth, charts.DefaultHeight
		}
		areas = append(areas, image.Rect(24, y, 24+cw, y+ch))
		y += ch + 32
		w = max(w, cw)
	}
	checkPage(t, test, len(cs), false, areas, w+48, y+120)
}
