package charts_test

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"image"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mlstack/mlstack/pkg/charts"
	"github.com/mlstack/mlstack/pkg/metrics"
)

var update = flag.Bool("update", false, "rewrite the golden option files in testdata/golden")

// TestGoldenOptions compares every builder's ECharts option with
// testdata/golden/<name>.json (go test -run Golden -update rewrites them).
func TestGoldenOptions(t *testing.T) {
	for _, c := range allCharts(t) {
		t.Run(c.Name, func(t *testing.T) {
			got, err := c.Option()
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			if !json.Valid(got) {
				t.Fatalf("option of %s is not valid JSON", c.Name)
			}
			path := filepath.Join("testdata", "golden", c.Name+".json")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -run Golden -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("option of %s differs from %s (go test -run Golden -update to accept):\n%s", c.Name, path, firstDiff(string(want), string(got)))
			}
		})
	}
}

func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return "line " + strconv.Itoa(i+1) + ":\n- " + a + "\n+ " + b
		}
	}
	return ""
}

// nonWhite counts the pixels of r in img that are not (nearly) white.
func nonWhite(img image.Image, r image.Rectangle) (n, total int) {
	r = r.Intersect(img.Bounds())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			cr, cg, cb, _ := img.At(x, y).RGBA()
			if cr < 0xf000 || cg < 0xf000 || cb < 0xf000 {
				n++
			}
			total++
		}
	}
	return n, total
}

func TestPNG(t *testing.T) {
	for _, c := range allCharts(t) {
		var buf bytes.Buffer
		if err := c.WritePNG(&buf); err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		img, err := png.Decode(&buf)
		if err != nil {
			t.Fatalf("%s: PNG does not decode: %v", c.Name, err)
		}
		if got := img.Bounds().Size(); got != image.Pt(charts.PNGWidth, charts.PNGHeight) {
			t.Errorf("%s: PNG size %v, want %dx%d", c.Name, got, charts.PNGWidth, charts.PNGHeight)
		}
		// The plot area must be drawn on: at least 2% non-white pixels.
		if n, total := nonWhite(img, img.Bounds()); n*50 < total {
			t.Errorf("%s: PNG nearly blank: %d of %d pixels non-white", c.Name, n, total)
		}
	}
}

func TestWriteDir(t *testing.T) {
	dir := t.TempDir()
	cs := allCharts(t)[:2]
	paths, err := charts.WriteDir(filepath.Join(dir, "charts"), "two charts", cs...)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{charts.PageName, "cv_scores.png", "confusion_matrix.png"}
	if len(paths) != len(want) {
		t.Fatalf("WriteDir wrote %v, want %v", paths, want)
	}
	for i, p := range paths {
		if filepath.Base(p) != want[i] {
			t.Errorf("path %d = %s, want %s", i, p, want[i])
		}
	}
	// One standalone page: the library inlined once, both charts in order.
	b, err := os.ReadFile(paths[0])
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	if !bytes.Equal(inlinedECharts(t, s), charts.EChartsJS()) || strings.Contains(s, "<script src") {
		t.Errorf("%s is not a standalone page with the inlined ECharts", paths[0])
	}
	if n := len(inlinedRE.FindAllString(s, -1)); n != 1 {
		t.Errorf("%s carries the library %d times, want once", paths[0], n)
	}
	if i, j := strings.Index(s, "Cross-validation scores"), strings.Index(s, "Confusion matrix"); i < 0 || j < i || !strings.Contains(s, "<title>two charts</title>") {
		t.Errorf("%s: charts missing, out of order or untitled", paths[0])
	}
	bad := *cs[0]
	bad.Name = "../x"
	if _, err := charts.WriteDir(dir, "", &bad); err == nil {
		t.Error("WriteDir accepted the name ../x")
	}
	if _, err := charts.WriteDir(dir, "", cs[0], cs[0]); err == nil {
		t.Error("WriteDir accepted a duplicate name")
	}
}

// TestFragment: a notebook output carries the chart's option only; the
// library travels in LibraryHTML, compressed.
func TestFragment(t *testing.T) {
	c := allCharts(t)[0]
	a, err := charts.Fragment(c, "files/pkg/charts/assets/echarts.min.js")
	if err != nil {
		t.Fatal(err)
	}
	b, err := charts.Fragment(c, "")
	if err != nil {
		t.Fatal(err)
	}
	if a[:80] == b[:80] {
		t.Error("two fragments of one chart share their element id")
	}
	for _, want := range []string{`<div class="mlstack-chart" id="mlstack-chart-`, "Cross-validation scores: an interactive ECharts chart",
		"document.currentScript", `"files/pkg/charts/assets/echarts.min.js"`, "jupyter-config-data", "function(define,exports,module)"} {
		if !strings.Contains(a, want) {
			t.Errorf("fragment lacks %q", want)
		}
	}
	if n := strings.Count(a, "</script"); n != 1 {
		t.Errorf("fragment has %d </script sequences, want 1 (the closing tag)", n)
	}
	if strings.Contains(a, "<script src") || inlinedRE.MatchString(a) {
		t.Error("a fragment loads or carries the library")
	}
	opt, _ := c.Option()
	if len(a) > len(opt)+4000 {
		t.Errorf("fragment is %d bytes for an option of %d", len(a), len(opt))
	}
	lib := charts.LibraryHTML()
	if !bytes.Equal(inlinedECharts(t, lib), charts.EChartsJS()) || len(lib) > 500_000 {
		t.Errorf("LibraryHTML: %d bytes, or not the embedded ECharts", len(lib))
	}
	t.Logf("fragment: %d bytes, library: %d bytes", len(a), len(lib))
}

// TestLibraryFile: in the source tree the package's copy of the library
// is found, and it is the embedded one.
func TestLibraryFile(t *testing.T) {
	p := charts.LibraryFile()
	if p == "" {
		t.Fatal("LibraryFile found no assets/echarts.min.js beside the package")
	}
	b, err := os.ReadFile(p)
	if err != nil || !bytes.Equal(b, charts.EChartsJS()) {
		t.Errorf("%s: %v, or not the embedded library", p, err)
	}
}

func TestErrors(t *testing.T) {
	if _, err := charts.CVBoxPlot(&metrics.Summary{}); !errors.Is(err, charts.ErrNoData) {
		t.Errorf("CVBoxPlot(empty) = %v, want ErrNoData", err)
	}
	if _, err := charts.ROC(nil); !errors.Is(err, charts.ErrNoData) {
		t.Errorf("ROC(nil) = %v, want ErrNoData", err)
	}
	r := cvResult()
	r.Classes = 3
	if _, err := charts.PrecisionRecall(r); err == nil {
		t.Error("PrecisionRecall accepted 3 classes")
	}
	if _, err := charts.ConfusionMatrix(mat.NewDense(2, 2, nil), nil); !errors.Is(err, charts.ErrNoData) {
		t.Errorf("ConfusionMatrix(zeros) = %v, want ErrNoData", err)
	}
	if _, err := charts.FeatureImportance([]string{"a"}, []float64{0}, "gain", 5); !errors.Is(err, charts.ErrNoData) {
		t.Errorf("FeatureImportance(zero) = %v, want ErrNoData", err)
	}
	if _, err := charts.ClassBalance([]float64{0, 1.5}, nil, nil); err == nil {
		t.Error("ClassBalance accepted label 1.5")
	}
	if _, err := charts.Histogram(data(t), "target", "target", 0); err == nil {
		t.Error("Histogram accepted a categorical feature")
	}
	if !panics(func() { charts.FeatureImportance([]string{"a"}, nil, "", 0) }) {
		t.Error("FeatureImportance with different lengths did not panic")
	}
}

func panics(f func()) (b bool) {
	defer func() { b = recover() != nil }()
	f()
	return false
}

var inlinedRE = regexp.MustCompile(`atob\("([A-Za-z0-9+/=]+)"\)`)

// inlinedECharts returns the library a page or snippet carries: the
// base64 DEFLATE data its loader inflates.
func inlinedECharts(t *testing.T, page string) []byte {
	t.Helper()
	m := inlinedRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no compressed library in the page")
	}
	z, err := base64.StdEncoding.DecodeString(m[1])
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(flate.NewReader(bytes.NewReader(z)))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
