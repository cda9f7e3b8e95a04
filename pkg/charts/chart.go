package charts

import (
	"bytes"
	"crypto/rand"
	_ "embed"
	"encoding/base64"
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

// element returns the chart's container, holding the PNG as a fallback for
// viewers that run no scripts (untrusted notebooks, GitHub); the script
// replaces it with the interactive chart.
func (c *Chart) element(id string, fallback bool) (string, error) {
	w, h := c.size()
	var img string
	if fallback {
		var buf bytes.Buffer
		if err := c.WritePNG(&buf); err != nil {
			return "", err
		}
		img = fmt.Sprintf(`<img alt="%s" src="data:image/png;base64,%s" style="width:100%%;height:100%%;object-fit:contain">`,
			html.EscapeString(c.Title), base64.StdEncoding.EncodeToString(buf.Bytes()))
	}
	return fmt.Sprintf(`<div class="mlstack-chart" id="%s" style="width:%dpx;height:%dpx;max-width:none">%s</div>`,
		id, w, h, img), nil
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

// Snippet returns the chart as an HTML fragment for a notebook output
// (gonbui.DisplayHTML(snippet)). The fragment is self-contained: a <div>
// with the PNG as a fallback image, and one inline <script> carrying the
// embedded ECharts library (evaluated only if window.echarts is not yet
// set, with RequireJS's define hidden) and the chart's option. It works
// offline in live JupyterLab, in notebooks executed by nbconvert and opened
// later (once trusted: JupyterLab runs no script of untrusted output, which
// then shows the fallback PNG), and in nbconvert's HTML export, which loads
// RequireJS. Each call uses a new random element id. The fragment is about
// 0.5 MB, mostly the compressed library.
func Snippet(c *Chart) (string, error) {
	id := newID()
	el, err := c.element(id, true)
	if err != nil {
		return "", err
	}
	js, err := c.initScript(id)
	if err != nil {
		return "", err
	}
	return el + "\n<script type=\"text/javascript\">\n" + loaderJS() + js + "</script>\n", nil
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
		el, err := c.element(id, false)
		if err != nil {
			return err
		}
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

// WriteDir writes every chart into dir (created if needed) as Name.html
// (standalone, offline) and Name.png (PNGWidth × PNGHeight), and returns
// the paths written. Names must be valid (see Chart.Name) and distinct.
func WriteDir(dir string, cs ...*Chart) ([]string, error) {
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
	var paths []string
	for _, c := range cs {
		for _, f := range []struct {
			ext   string
			write func(io.Writer) error
		}{{".html", c.WriteHTML}, {".png", c.WritePNG}} {
			var buf bytes.Buffer
			if err := f.write(&buf); err != nil {
				return paths, err
			}
			p := filepath.Join(dir, c.Name+f.ext)
			if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
				return paths, err
			}
			paths = append(paths, p)
		}
	}
	return paths, nil
}
