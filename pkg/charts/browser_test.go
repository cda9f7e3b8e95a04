package charts_test

import (
	"image"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mlstack/mlstack/internal/testenv"
	"github.com/mlstack/mlstack/pkg/charts"
)

// statusJS reports, after the page's scripts ran, how many chart
// containers hold a live ECharts instance with a canvas and how many still
// show the fallback image, whether RequireJS is present, and whether the
// loader's decoder (pako) leaked into the page's globals.
const statusJS = `<pre id="status"></pre>
<script>
(function(){
  var els=document.querySelectorAll(".mlstack-chart"), live=0, img=0;
  for (var i=0;i<els.length;i++){
    if (window.echarts && echarts.getInstanceByDom(els[i]) && els[i].querySelector("canvas")) live++;
    if (els[i].querySelector("img")) img++;
  }
  document.getElementById("status").textContent="charts="+els.length+" live="+live+" img="+img+
    " amd="+(typeof define==="function"&&!!define.amd)+" pako="+(typeof window.pako!=="undefined");
})();
</script>
`

var statusRE = regexp.MustCompile(`charts=(\d+) live=(\d+) img=(\d+) amd=(true|false) pako=(true|false)`)

// checkPage opens page in Chromium twice: a DOM dump (no console messages,
// every chart live, no fallback image left, RequireJS as expected) and a
// screenshot whose chart areas must be drawn on.
func checkPage(t *testing.T, page string, n int, amd bool, areas []image.Rectangle, w, h int) {
	t.Helper()
	res := testenv.DumpDOM(t, page)
	if len(res.Console) > 0 {
		t.Errorf("%s: console messages:\n%s", page, strings.Join(res.Console, "\n"))
	}
	m := statusRE.FindStringSubmatch(res.DOM)
	if m == nil {
		t.Fatalf("%s: no status in the DOM:\n%.2000s\n%s", page, res.DOM, res.Log)
	}
	want := []string{itoa(n), itoa(n), "0", boolStr(amd), "false"}
	if got := m[1:]; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("%s: charts, live, fallback images, AMD, global pako = %v, want %v", page, got, want)
	}
	shot := strings.TrimSuffix(page, ".html") + "_screenshot.png"
	res = testenv.Screenshot(t, page, shot, w, h)
	if len(res.Console) > 0 {
		t.Errorf("%s screenshot: console messages:\n%s", page, strings.Join(res.Console, "\n"))
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range areas {
		// A drawn chart colours well over 3% of its area (axes, labels,
		// marks); a blank canvas gives 0.
		if nw, total := nonWhite(img, a); nw*33 < total {
			t.Errorf("%s: chart area %v nearly blank: %d of %d pixels non-white (screenshot %s)", page, a, nw, total, shot)
		}
	}
}

func boolStr(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func itoa(i int) string { return strconv.Itoa(i) }

func outDir(t *testing.T) string {
	if d := os.Getenv("MLSTACK_CHARTS_OUT"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

// TestBrowserStandalone opens the page WriteDir writes, two charts
// sharing one library, in headless Chromium.
func TestBrowserStandalone(t *testing.T) {
	testenv.Chromium(t)
	dir := outDir(t)
	cs := allCharts(t)[:2]
	if _, err := charts.WriteDir(dir, "standalone", cs...); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, charts.PageName))
	if err != nil {
		t.Fatal(err)
	}
	test := filepath.Join(dir, "standalone.html")
	if err := os.WriteFile(test, []byte(strings.Replace(string(b), "</body>", statusJS+"</body>", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	// body padding 24 px; each chart its size, 32 px apart
	w0, h0 := cs[0].Width, cs[0].Height
	if w0 == 0 {
		w0, h0 = charts.DefaultWidth, charts.DefaultHeight
	}
	w1, h1 := cs[1].Width, cs[1].Height
	if w1 == 0 {
		w1, h1 = charts.DefaultWidth, charts.DefaultHeight
	}
	areas := []image.Rectangle{image.Rect(24, 24, 24+w0, 24+h0), image.Rect(24, 24+h0+32, 24+w1, 24+h0+32+h1)}
	checkPage(t, test, 2, false, areas, max(w0, w1)+48, h0+h1+140)
}

// nbconvertPage mimics the HTML that nbconvert exports from an executed
// notebook: RequireJS loaded in <head>, then each output's HTML inside
// output divs, scripts run while the page is parsed.
func nbconvertPage(t *testing.T, dir string, snippets []string) string {
	rjs, err := filepath.Abs(filepath.Join("testdata", "requirejs", "require.js"))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString(`<!DOCTYPE html><html><head><meta charset="utf-8"><title>notebook</title>
<script src="file://` + rjs + `"></script>
<style>body{margin:0;padding:0} .output_subarea{margin:0;padding:0}</style>
</head><body><div id="notebook"><div class="container" id="notebook-container">
`)
	for i, s := range snippets {
		b.WriteString(`<div class="cell code_cell rendered"><div class="input"><pre>charts.Display(` + itoa(i) + `)</pre></div>
<div class="output_wrapper"><div class="output"><div class="output_area"><div class="output_subarea output_html rendered_html output_result">
` + s + `</div></div></div></div></div>
`)
	}
	b.WriteString("</div></div>" + statusJS + "</body></html>\n")
	page := filepath.Join(dir, "nbconvert.html")
	if err := os.WriteFile(page, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return page
}

// TestBrowserNotebook checks the outputs pkg/notebook makes in an
// nbconvert-like page with RequireJS, where the ECharts UMD build would
// otherwise call define(): the first chart carries the library, the
// second its option only (with a source to fetch from, which a page no
// Jupyter server serves does not use).
func TestBrowserNotebook(t *testing.T) {
	testenv.Chromium(t)
	dir := outDir(t)
	all := allCharts(t)
	first, err := charts.Fragment(all[0], "")
	if err != nil {
		t.Fatal(err)
	}
	second, err := charts.Fragment(all[2], "files/pkg/charts/assets/echarts.min.js")
	if err != nil {
		t.Fatal(err)
	}
	page := nbconvertPage(t, dir, []string{charts.LibraryHTML() + first, second})
	// Each cell: the input <pre> (~1 line) then the chart; find the charts
	// by size only roughly: the first starts near the top, the second
	// below it.
	w0, h0 := charts.DefaultWidth, charts.DefaultHeight
	w1, h1 := all[2].Width, all[2].Height
	areas := []image.Rectangle{image.Rect(0, 40, w0, 40+h0-20), image.Rect(0, h0+100, w1, h0+60+h1)}
	checkPage(t, page, 2, true, areas, 960, h0+h1+200)
}

// TestBrowserDetectsRequireJSConflict is the control for the notebook
// test: inlining echarts.min.js naively after RequireJS must be caught
// (RequireJS rejects the anonymous define and window.echarts stays unset).
func TestBrowserDetectsRequireJSConflict(t *testing.T) {
	testenv.Chromium(t)
	dir := t.TempDir()
	naive := `<div class="mlstack-chart" style="width:300px;height:200px"></div><script>` +
		string(charts.EChartsJS()) + `</script><script>echarts.init(document.querySelector(".mlstack-chart"))</script>`
	page := nbconvertPage(t, dir, []string{naive})
	res := testenv.DumpDOM(t, page)
	if len(res.Console) == 0 {
		t.Fatalf("no console error for the naive page; the browser check would miss real failures:\n%s", res.Log)
	}
	if m := statusRE.FindStringSubmatch(res.DOM); m == nil || m[2] != "0" {
		t.Errorf("naive page status %v, want no live chart", m)
	}
}

// TestBrowserFetchesLibrary serves a JupyterLab-like page (the server's
// base URL in #jupyter-config-data, RequireJS loaded) with two
// option-only fragments and no library: the page must fetch src from the
// server once and draw both charts.
func TestBrowserFetchesLibrary(t *testing.T) {
	testenv.Chromium(t)
	all := allCharts(t)
	var frags []string
	for _, c := range []*charts.Chart{all[0], all[2]} {
		f, err := charts.Fragment(c, "files/pkg/charts/assets/echarts.min.js")
		if err != nil {
			t.Fatal(err)
		}
		frags = append(frags, f)
	}
	rjs, err := os.ReadFile(filepath.Join("testdata", "requirejs", "require.js"))
	if err != nil {
		t.Fatal(err)
	}
	// The status is written once both charts are live (or after 20 s).
	const lateStatus = `<pre id="status"></pre><script>
(function(){var t0=Date.now();(function check(){
  var els=document.querySelectorAll(".mlstack-chart"), live=0;
  for (var i=0;i<els.length;i++) if (window.echarts && echarts.getInstanceByDom(els[i]) && els[i].querySelector("canvas")) live++;
  if (live<els.length && Date.now()-t0<20000) { setTimeout(check, 100); return; }
  document.getElementById("status").textContent="charts="+els.length+" live="+live;
})();})();
</script>`
	page := `<!DOCTYPE html><html><head><meta charset="utf-8">
<script id="jupyter-config-data" type="application/json">{"baseUrl": "/lab-base/"}</script>
<script src="/require.js"></script></head><body>` + frags[0] + frags[1] + lateStatus + `</body></html>`
	var fetched atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("/page", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, page) })
	mux.HandleFunc("/require.js", func(w http.ResponseWriter, r *http.Request) { w.Write(rjs) })
	mux.HandleFunc("/lab-base/files/pkg/charts/assets/echarts.min.js", func(w http.ResponseWriter, r *http.Request) {
		fetched.Add(1)
		w.Header().Set("Content-Type", "text/javascript")
		w.Write(charts.EChartsJS())
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	res := testenv.DumpURL(t, srv.URL+"/page", 30*time.Second)
	if m := regexp.MustCompile(`charts=(\d+) live=(\d+)`).FindStringSubmatch(res.DOM); m == nil || m[1] != "2" || m[2] != "2" {
		t.Errorf("status %v, want 2 charts live; console:\n%s", m, strings.Join(res.Console, "\n"))
	}
	if n := fetched.Load(); n != 1 {
		t.Errorf("the library was fetched %d times, want once per page", n)
	}
}
