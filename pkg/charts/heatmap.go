package charts

import (
	"fmt"
	"image/color"
	"math"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
	"github.com/go-echarts/go-echarts/v2/types"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Colour ramps: sequential blues (confusion matrix) and a diverging
// blue–white–red (correlation), as in matplotlib's Blues and RdBu_r.
var (
	blues   = []string{"#f7fbff", "#c6dbef", "#6baed6", "#2171b5", "#08306b"}
	diverge = []string{"#2166ac", "#67a9cf", "#f7f7f7", "#ef8a62", "#b2182b"}
)

// ramp interpolates the colour ramp at t in [0, 1].
func ramp(stops []string, t float64) color.RGBA {
	t = math.Max(0, math.Min(1, t))
	f := t * float64(len(stops)-1)
	i := int(math.Min(math.Floor(f), float64(len(stops)-2)))
	a, b := rgb(stops[i]), rgb(stops[i+1])
	u := f - float64(i)
	mix := func(x, y uint8) uint8 { return uint8(math.Round(float64(x) + (float64(y)-float64(x))*u)) }
	return color.RGBA{mix(a.R, b.R), mix(a.G, b.G), mix(a.B, b.B), 255}
}

// heat describes a heat map: rows × cols values (colour), cell labels,
// row names (top to bottom) and column names.
type heat struct {
	title, subtitle string
	xName, yName    string
	rows, cols      []string
	v               [][]float64 // colour value per cell
	labels          [][]string  // text per cell; nil = none
	lo, hi          float64     // colour scale
	stops           []string
	legend          string    // series name
	scaleText       [2]string // visual map end labels: high, low
	name            string
	width, height   int
}

func (h *heat) chart() *Chart {
	hm := charts.NewHeatMap()
	hm.SetGlobalOptions(common(h.title, h.subtitle, "item", false)...)
	x := xAxis(h.xName, "category", 56)
	x.SplitArea = &opts.SplitArea{Show: opts.Bool(true)}
	x.Data = h.cols
	x.AxisLabel.Interval = "0"
	if len(h.cols) > 8 {
		x.AxisLabel.Rotate = 40
	}
	y := yAxis(h.yName, "category", 72)
	y.SplitArea = &opts.SplitArea{Show: opts.Bool(true)}
	y.Inverse = opts.Bool(true) // first row on top, like a matrix
	y.Data = h.rows
	y.AxisLabel.Interval = "0"
	hm.SetGlobalOptions(
		charts.WithXAxisOpts(x),
		charts.WithYAxisOpts(y),
		gridOpt(opts.Grid{Left: "64", Right: "130", Top: "72", Bottom: "72", ContainLabel: opts.Bool(true)}), // the x-axis name sits 56 px below the axis
		charts.WithVisualMapOpts(opts.VisualMap{
			Type: "continuous", Calculable: opts.Bool(false),
			Min: float32(h.lo), Max: float32(h.hi), Text: h.scaleText[:],
			Orient: "vertical", Right: "16", Top: "middle",
			InRange: &opts.VisualMapInRange{Color: h.stops},
		}),
	)
	hm.SetXAxis(h.cols)
	// Cells are written as plain items so each can carry its own label
	// colour (dark text on light cells, white on dark ones).
	type item struct {
		Value []any       `json:"value"`
		Label *opts.Label `json:"label,omitempty"`
	}
	var data []item
	for i := range h.rows {
		for j := range h.cols {
			d := item{Value: []any{j, i, round(h.v[i][j], 4)}}
			if h.labels != nil {
				d.Label = &opts.Label{Show: opts.Bool(true), Formatter: types.FuncStr(h.labels[i][j]), Color: h.textColor(h.v[i][j])}
			}
			data = append(data, d)
		}
	}
	hm.AddSeries(h.legend, nil,
		charts.WithLabelOpts(opts.Label{Show: opts.Bool(h.labels != nil), FontSize: 12, LineHeight: 17}),
		charts.WithItemStyleOpts(opts.ItemStyle{BorderColor: "#ffffff", BorderWidth: 1}),
		charts.WithSeriesOpts(func(s *charts.SingleSeries) { s.Data = data }))
	c := &Chart{Name: h.name, Title: h.title, subtitle: h.subtitle, ec: hm, plot: h.plot}
	c.Width, c.Height = h.width, h.height
	return c
}

func (h *heat) plot() (*plot.Plot, error) {
	p := newPlot(h.xName, h.yName)
	p.Add(&cells{h: h})
	n := len(h.rows)
	rev := make([]string, n)
	for i, r := range h.rows {
		rev[n-1-i] = r
	}
	p.X.Tick.Marker = nominalTicks(h.cols)
	p.Y.Tick.Marker = nominalTicks(rev)
	if len(h.cols) > 8 {
		p.X.Tick.Label.Rotation = math.Pi / 4
		p.X.Tick.Label.XAlign = draw.XRight
		p.X.Tick.Label.YAlign = draw.YCenter
	}
	p.X.Min, p.X.Max = -0.5, float64(len(h.cols))-0.5
	p.Y.Min, p.Y.Max = -0.5, float64(n)-0.5
	p.X.Padding, p.Y.Padding = 0, 0
	return p, nil
}

// cells draws the heat map with row 0 on top and a colour bar on the right.
type cells struct{ h *heat }

func (c *cells) DataRange() (xmin, xmax, ymin, ymax float64) {
	return -0.5, float64(len(c.h.cols)) - 0.5, -0.5, float64(len(c.h.rows)) - 0.5
}

func (c *cells) Plot(cv draw.Canvas, p *plot.Plot) {
	h := c.h
	trX, trY := p.Transforms(&cv)
	n := len(h.rows)
	ts := text.Style{XAlign: draw.XCenter, YAlign: draw.YCenter, Handler: plot.DefaultTextHandler,
		Font: font.Font{Typeface: "Liberation", Variant: "Sans", Size: vg.Points(9)}}
	if len(h.cols) > 12 {
		ts.Font.Size = vg.Points(7)
	}
	for i := range h.rows {
		y := float64(n - 1 - i)
		for j := range h.cols {
			x := float64(j)
			t := (h.v[i][j] - h.lo) / (h.hi - h.lo)
			col := ramp(h.stops, t)
			x0, x1, y0, y1 := trX(x-0.5), trX(x+0.5), trY(y-0.5), trY(y+0.5)
			cv.FillPolygon(col, []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}})
			cv.StrokeLines(draw.LineStyle{Color: color.White, Width: vg.Points(1)},
				[]vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}, {X: x0, Y: y0}})
			if h.labels != nil {
				ts.Color = rgb(h.textColor(h.v[i][j]))
				cv.FillText(ts, vg.Point{X: (x0 + x1) / 2, Y: (y0 + y1) / 2}, h.labels[i][j])
			}
		}
	}
}

// confusionLabels formats a count and its row share.
func confusionLabel(count, share float64) string {
	if count == math.Trunc(count) {
		return fmt.Sprintf("%.0f\n%.1f%%", count, 100*share)
	}
	return fmt.Sprintf("%.3g\n%.1f%%", count, 100*share)
}

// ConfusionMatrix draws the confusion matrix cm (rows = true class,
// columns = predicted class, as metrics.ConfusionMatrix returns it) as a
// heat map coloured by the row-normalised share (the recall of each true
// class on the diagonal), each cell labelled with its count and share.
// classes names the classes (nil = "0", "1", …); it must have one name per
// row. cm must be square and non-empty, otherwise ConfusionMatrix panics.
func ConfusionMatrix(cm mat.Matrix, classes []string) (*Chart, error) {
	r, k := cm.Dims()
	if r != k || k == 0 {
		panic("charts: confusion matrix must be square and non-empty")
	}
	if classes == nil {
		for i := range k {
			classes = append(classes, fmt.Sprint(i))
		}
	}
	if len(classes) != k {
		panic("charts: one class name per confusion matrix row")
	}
	h := &heat{
		title: "Confusion matrix", xName: "Predicted class", yName: "True class",
		rows: classes, cols: classes, lo: 0, hi: 1, stops: blues, legend: "Row share", scaleText: [2]string{"100%", "0%"},
		name: "confusion_matrix", width: 640, height: 520,
	}
	var total float64
	for i := range k {
		var sum float64
		for j := range k {
			sum += cm.At(i, j)
		}
		total += sum
		row, lab := make([]float64, k), make([]string, k)
		for j := range k {
			v := cm.At(i, j)
			if math.IsNaN(v) || v < 0 {
				return nil, fmt.Errorf("charts: confusion matrix cell (%d, %d) = %v", i, j, v)
			}
			if sum > 0 {
				row[j] = v / sum
			}
			lab[j] = confusionLabel(v, row[j])
		}
		h.v = append(h.v, row)
		h.labels = append(h.labels, lab)
	}
	if total == 0 {
		return nil, fmt.Errorf("%w: empty confusion matrix", ErrNoData)
	}
	h.subtitle = fmt.Sprintf("%.0f samples · cells: count and share of the true class (row-normalised)", total)
	return h.chart(), nil
}

// textColor is the label colour that reads on the cell colour of v.
func (h *heat) textColor(v float64) string {
	col := ramp(h.stops, (v-h.lo)/(h.hi-h.lo))
	if 0.299*float64(col.R)+0.587*float64(col.G)+0.114*float64(col.B) < 140 {
		return "#ffffff"
	}
	return "#222222"
}
