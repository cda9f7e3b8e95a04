package charts

import (
	"bytes"
	"crypto/rand"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// EChartsVersion is the version of the embedded ECharts library.
const EChartsVersion = "5.4.3"

// echartsJS is dist/echarts.min.js of npm echarts@5.4.3 (CRLF → LF); see
// assets/README.md.
//
//go:embed assets/echarts.min.js
var echartsJS string

// EChartsJS returns the embedded ECharts library (dist/echarts.min.js).
func EChartsJS() []byte { return []byte(echartsJS) }

// PNG size in pixels: every chart's WritePNG draws an image of exactly
// PNGWidth × PNGHeight pixels (at 96 DPI, i.e. 750 × 450 points).
const (
	PNGWidth  = 1000
	PNGHeight = 600
	pngDPI    = 96
)

// Default HTML size in CSS pixels.
const (
	DefaultWidth  = 900
	DefaultHeight = 500
)

// ErrNoData is wrapped by the errors of builders given nothing to draw.
var ErrNoData = errors.New("charts: no data")

// echart is what every go-echarts chart type provides.
type echart interface {
	Validate()
	JSON() map[string]interface{}
}

// Chart is one chart, rendered from the same data as ECharts HTML (Snippet,
// WriteHTML) and as a gonum/plot PNG (WritePNG). Builders return it; set
// Width and Height to change the HTML size.
type Chart struct {
	// Name is the base file name WriteDir uses (name.html, name.png); it
	// holds letters, digits, '-', '_' and '.' only.
	Name string
	// Title is the chart title (also the HTML page title).
	Title string
	// Width and Height are the HTML size in CSS pixels; 0 means
	// DefaultWidth and DefaultHeight.
	Width, Height int

	subtitle string
	ec       echart
	plot     func() (*plot.Plot, error)
}

func (c *Chart) size() (w, h int) {
	w, h = c.Width, c.Height
	if w <= 0 {
		w = DefaultWidth
	}
	if h <= 0 {
		h = DefaultHeight
	}
	return w, h
}

// Option returns the chart's ECharts option as indented JSON. It is strict
// JSON (no JavaScript functions), so it can be diffed and unmarshalled.
func (c *Chart) Option() ([]byte, error) {
	c.ec.Validate()
	b, err := json.MarshalIndent(c.ec.JSON(), "", "  ")
	if err != nil {
		return nil, fmt.Errorf("charts: %s option: %w", c.Name, err)
	}
	return b, nil
}

// compactOption is Option without indentation, safe to embed in a <script>
// element (json.Marshal escapes <, > and &).
func (c *Chart) compactOption() ([]byte, error) {
	c.ec.Validate()
	b, err := json.Marshal(c.ec.JSON())
	if err != nil {
		return nil, fmt.Errorf("charts: %s option: %w", c.Name, err)
	}
	return b, nil
}

// Plot returns the gonum/plot version of the chart (what WritePNG draws).
func (c *Chart) Plot() (*plot.Plot, error) { return c.plot() }

// WritePNG writes the chart as a PNG image of PNGWidth × PNGHeight pixels.
func (c *Chart) WritePNG(w io.Writer) error {
	p, err := c.plot()
	if err != nil {
		return err
	}
	cv := vgimg.NewWith(
		vgimg.UseWH(vg.Length(PNGWidth)*vg.Inch/pngDPI, vg.Length(PNGHeight)*vg.Inch/pngDPI),
		vgimg.UseDPI(pngDPI),
	)
	dc := draw.New(cv)
	ts, ss := titleStyles()
	top := dc.Max.Y - vg.Points(8)
	mid := (dc.Min.X + dc.Max.X) / 2
	dc.FillText(ts, vg.Point{X: mid, Y: top}, c.Title)
	top -= ts.Height(c.Title) + vg.Points(2)
	if c.subtitle != "" {
		dc.FillText(ss, vg.Point{X: mid, Y: top}, c.subtitle)
		top -= ss.Height(c.subtitle)
	}
	p.Draw(draw.Crop(dc, vg.Points(6), -vg.Points(10), vg.Points(4), top-dc.Max.Y-vg.Points(8)))
	if _, err := (vgimg.PngCanvas{Canvas: cv}).WriteTo(w); err != nil {
		return fmt.Errorf("charts: %s png: %w", c.Name, err)
	}
	return nil
}

const initJS = `(function(){
var id=%q,w=%d,h=%d,option=%s;
var s=document.currentScript;
var el=document.getElementById(id)||(s&&s.parentNode&&s.parentNode.querySelector("#"+id));
if(!el||!window.echarts){if(window.console){console.warn("mlstack charts: cannot draw "+id);}return;}
el.innerHTML="";
var c=window.echarts.init(el,null,{renderer:"canvas",width:w,height:h});
c.setOption(option);
})();
`

// element returns the chart's empty container, which its script fills.
func (c *Chart) element(id string) string {
	w, h := c.size()
	return fmt.Sprintf(`<div class="mlstack-chart" id="%s" style="width:%dpx;height:%dpx;max-width:none"></div>`, id, w, h)
}

func (c *Chart) initScript(id string) (string, error) {
	opt, err := c.compactOption()
	if err != nil {
		return "", err
	}
	w, h := c.size()
	return fmt.Sprintf(initJS, id, w, h, opt), nil
}

func newID() string {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand.Read does not fail on supported platforms
	}
	return "mlstack-chart-" + hex.EncodeToString(b[:])
}

// fragmentJS draws one chart of a Fragment with the page's ECharts. When
// the page has none yet it waits for it, once per page and source
// (window.__mlstackECharts holds one promise per source): on a page a
// Jupyter server serves (JupyterLab and Notebook 7 publish its base URL in
// #jupyter-config-data) it fetches src from there and evaluates it with
// define, exports and module hidden, as loaderJS does; elsewhere (an
// exported page), or with no src, it polls for an earlier output that
// brings the library (LibraryHTML), for a minute. A failure is written
// into the chart's <div>.
const fragmentJS = `(function(){
var id=%q,w=%d,h=%d,option=%s,src=%q;
var s=document.currentScript;
var el=document.getElementById(id)||(s&&s.parentNode&&s.parentNode.querySelector("#"+id));
function ready(){return window.echarts&&window.echarts.init;}
function draw(){if(!el)return;el.innerHTML="";window.echarts.init(el,null,{renderer:"canvas",width:w,height:h}).setOption(option);}
function fail(e){if(window.console)console.warn("mlstack charts: "+id+": "+e.message);if(el){el.setAttribute("data-error",e.message);el.firstChild&&(el.firstChild.textContent="chart not drawn: "+e.message);}}
if(ready()){draw();return;}
var base="",c=document.getElementById("jupyter-config-data");
if(c){try{base=JSON.parse(c.textContent).baseUrl||"/";}catch(e){}}
var key=src&&base?src:"";
var P=window.__mlstackECharts=window.__mlstackECharts||{};
var p=P[key]||(P[key]=new Promise(function(ok,no){
if(!key){var t0=Date.now();(function poll(){if(ready())ok();else if(Date.now()-t0>60000)no(new Error("no output of this page loaded ECharts (run the notebook again from the top)"));else setTimeout(poll,100);})();return;}
var url=base.replace(/\/*$/,"/")+src;
fetch(url,{credentials:"same-origin"}).then(function(r){if(!r.ok)throw new Error("GET "+url+": HTTP "+r.status);return r.text();}).then(function(t){
if(!ready()){var x=document.createElement("script");x.text="(function(define,exports,module){\n"+t+"\n}).call(window);";(document.head||document.documentElement).appendChild(x);}
if(ready())ok();else no(new Error(url+" did not define echarts"));}).catch(no);
}));
p.then(draw,fail);
})();
`

// Fragment returns the chart as a light notebook output: a <div> and a
// script carrying the chart's option only (a few kB), drawn with the
// page's ECharts. The library is loaded once per page: from src, a URL
// path relative to the Jupyter server's base URL (e.g.
// "files/pkg/charts/assets/echarts.min.js", which Jupyter serves from its
// root; see LibraryFile), or, when src is "", from an earlier output of
// the page that carries LibraryHTML. The fragment works in JupyterLab and
// Notebook 7 (once the notebook is trusted: JupyterLab runs no script of
// untrusted output) and in nbconvert's HTML export, RequireJS included,
// when an earlier output carries LibraryHTML (pkg/notebook puts it in the
// first chart a kernel shows). Until its script runs, the <div> says what
// it is. Each call uses a new random element id.
func Fragment(c *Chart, src string) (string, error) {
	id := newID()
	opt, err := c.compactOption()
	if err != nil {
		return "", err
	}
	w, h := c.size()
	el := fmt.Sprintf(`<div class="mlstack-chart" id="%s" style="width:%dpx;height:%dpx;max-width:none">`+
		`<p style="margin:0;padding:8px;color:#666">%s: an interactive ECharts chart, drawn where the notebook's scripts run (JupyterLab once the notebook is trusted, its HTML export).</p></div>`,
		id, w, h, html.EscapeString(c.Title))
	return el + "\n<script type=\"text/javascript\">\n" + fmt.Sprintf(fragmentJS, id, w, h, opt, src) + "</script>\n", nil
}

const pageHead = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>%s</title>
<style>
body{margin:0;padding:24px;background:#fff;font-family:-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#333}
.mlstack-chart{margin:0 0 32px 0}
</style>
<script type="text/javascript">
%s</script>
</head>
<body>
`

// WriteHTML writes the chart as a standalone HTML page that works offline:
// the embedded ECharts library is inlined, nothing is fetched.
func (c *Chart) WriteHTML(w io.Writer) error {
	return WritePage(w, c.Title, c)
}

// WritePage writes several charts into one standalone offline HTML page
// with the given title, the ECharts library inlined once.
func WritePage(w io.Writer, title string, cs ...*Chart) error {
	var b strings.Builder
	fmt.Fprintf(&b, pageHead, html.EscapeString(title), loaderJS())
	for _, c := range cs {
		id := newID()
		el := c.element(id)
		js, err := c.initScript(id)
		if err != nil {
			return err
		}
		b.WriteString(el + "\n<script type=\"text/javascript\">\n" + js + "</script>\n")
	}
	b.WriteString("</body>\n</html>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

var validName = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)

// PageName is the file WriteDir writes every chart's HTML into.
const PageName = "index.html"

// WriteDir writes into dir (created if needed) one standalone offline page
// holding every chart, in order, with the ECharts library once (PageName,
// titled title), and each chart as Name.png (PNGWidth × PNGHeight). It
// returns the paths written, the page first. Names must be valid (see
// Chart.Name) and distinct.
func WriteDir(dir, title string, cs ...*Chart) ([]string, error) {
	seen := map[string]bool{}
	for _, c := range cs {
		if !validName.MatchString(c.Name) || c.Name == "." || c.Name == ".." {
			return nil, fmt.Errorf("charts: invalid chart name %q", c.Name)
		}
		if seen[c.Name] {
			return nil, fmt.Errorf("charts: duplicate chart name %q", c.Name)
		}
		seen[c.Name] = true
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var page bytes.Buffer
	if err := WritePage(&page, title, cs...); err != nil {
		return nil, err
	}
	p := filepath.Join(dir, PageName)
	if err := os.WriteFile(p, page.Bytes(), 0o644); err != nil {
		return nil, err
	}
	paths := []string{p}
	for _, c := range cs {
		var buf bytes.Buffer
		if err := c.WritePNG(&buf); err != nil {
			return paths, err
		}
		p := filepath.Join(dir, c.Name+".png")
		if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
			return paths, err
		}
		paths = append(paths, p)
	}
	return paths, nil
}
