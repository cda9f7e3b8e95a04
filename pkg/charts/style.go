package charts

import (
	"image/color"
	"math"
	"strconv"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// palette is ECharts' default series palette, used by the PNGs too so
// both renderings match.
var palette = []string{
	"#5470c6", "#91cc75", "#fac858", "#ee6666", "#73c0de",
	"#3ba272", "#fc8452", "#9a60b4", "#ea7ccc",
}

const (
	textColor = "#333333"
	foldColor = "#a9b4c8" // thin per-fold curves
	gridColor = "#e6e6e6"
)

func seriesColor(i int) string { return palette[i%len(palette)] }

func rgb(hex string) color.RGBA {
	v, _ := strconv.ParseUint(hex[1:], 16, 32)
	return color.RGBA{R: uint8(v >> 16), G: uint8(v >> 8), B: uint8(v), A: 255}
}

func withAlpha(c color.RGBA, a uint8) color.NRGBA {
	return color.NRGBA{R: c.R, G: c.G, B: c.B, A: a}
}

// common returns the global options every chart shares: title, white
// background, tooltip, legend at the bottom, a grid that keeps axis labels
// inside, and the save-as-image button.
func common(title, subtitle string, trigger string, legend bool) []charts.GlobalOpts {
	return []charts.GlobalOpts{
		charts.WithInitializationOpts(opts.Initialization{BackgroundColor: "#ffffff"}),
		titleOpt(title, subtitle),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: trigger}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(legend), Bottom: "8", Left: "center", Type: "scroll"}),
		charts.WithGridOpts(opts.Grid{Left: "64", Right: "40", Top: "72", Bottom: "84", ContainLabel: opts.Bool(true)}),
		charts.WithToolboxOpts(opts.Toolbox{Show: opts.Bool(true), Right: "16", Feature: &opts.ToolBoxFeature{
			SaveAsImage: &opts.ToolBoxFeatureSaveAsImage{Show: opts.Bool(true), Title: "Save as PNG", Type: "png"},
		}}),
		charts.WithAnimation(false),
	}
}

// titleOpt is the centred title and subtitle every chart has.
func titleOpt(title, subtitle string) charts.GlobalOpts {
	return charts.WithTitleOpts(opts.Title{
		Title: title, Subtitle: subtitle, Left: "center", Top: "8",
		TitleStyle: &opts.TextStyle{FontSize: 16, Color: textColor},
	})
}

// xAxis returns an axis with a centred title clear of the tick labels.
func xAxis(name, typ string, gap int) opts.XAxis {
	return opts.XAxis{
		Name: name, Type: typ, NameLocation: "middle", NameGap: gap,
		AxisLabel: &opts.AxisLabel{Show: opts.Bool(true), Color: textColor},
		SplitLine: &opts.SplitLine{Show: opts.Bool(typ == "value"), LineStyle: &opts.LineStyle{Color: gridColor}},
	}
}

func yAxis(name, typ string, gap int) opts.YAxis {
	return opts.YAxis{
		Name: name, Type: typ, NameLocation: "middle", NameGap: gap,
		AxisLine:  &opts.AxisLine{OnZero: opts.Bool(false)},
		AxisLabel: &opts.AxisLabel{Show: opts.Bool(true), Color: textColor},
		SplitLine: &opts.SplitLine{Show: opts.Bool(typ == "value"), LineStyle: &opts.LineStyle{Color: gridColor}},
	}
}

// newPlot returns a gonum plot styled like the ECharts version. The title
// is drawn by Chart.WritePNG.
func newPlot(xlabel, ylabel string) *plot.Plot {
	p := plot.New()
	p.X.Label.Text = xlabel
	p.Y.Label.Text = ylabel
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font.Variant = "Sans"
		a.Tick.Label.Font.Variant = "Sans"
		a.Label.TextStyle.Font.Size = vg.Points(11)
		a.Tick.Label.Font.Size = vg.Points(9)
		a.Label.Padding = vg.Points(6)
		a.LineStyle.Color = rgb("#6e7079")
		a.Tick.LineStyle.Color = rgb("#6e7079")
		a.Tick.Marker = niceTicks{}
	}
	p.Legend.Top = true
	p.Legend.TextStyle.Font.Variant = "Sans"
	p.Legend.TextStyle.Font.Size = vg.Points(9)
	p.Legend.Padding = vg.Points(2)
	return p
}

// addGrid adds light horizontal (and vertical) grid lines.
func addGrid(p *plot.Plot, vertical bool) {
	g := plotter.NewGrid()
	g.Horizontal.Color = rgb(gridColor)
	g.Horizontal.Width = vg.Points(0.5)
	if vertical {
		g.Vertical.Color = rgb(gridColor)
		g.Vertical.Width = vg.Points(0.5)
	} else {
		g.Vertical.Width = 0
	}
	p.Add(g)
}

func lineStyle(hex string, width float64) draw.LineStyle {
	return draw.LineStyle{Color: rgb(hex), Width: vg.Points(width)}
}

// round rounds v to n decimals, so option JSON stays short and stable.
func round(v float64, n int) float64 {
	p := math.Pow(10, float64(n))
	return math.Round(v*p) / p
}

// nominalTicks labels integer positions 0..len(names)-1 with names.
type nominalTicks []string

func (t nominalTicks) Ticks(min, max float64) []plot.Tick {
	var ts []plot.Tick
	for i, n := range t {
		if float64(i) >= min-1e-9 && float64(i) <= max+1e-9 {
			ts = append(ts, plot.Tick{Value: float64(i), Label: n})
		}
	}
	return ts
}

// niceTicks labels 5–10 round values (steps of 1, 2, 2.5 or 5 × 10^k).
type niceTicks struct{}

func (niceTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) {
		return plot.DefaultTicks{}.Ticks(lo, hi)
	}
	span := hi - lo
	mag := math.Pow(10, math.Floor(math.Log10(span)))
	step := mag
	for _, m := range []float64{0.1, 0.2, 0.25, 0.5, 1, 2, 2.5, 5, 10} {
		if span/(m*mag) <= 8 {
			step = m * mag
			break
		}
	}
	prec := max(0, -int(math.Floor(math.Log10(step)+1e-9)))
	if math.Abs(step*math.Pow(10, float64(prec))-math.Round(step*math.Pow(10, float64(prec)))) > 1e-9 {
		prec++
	}
	var ts []plot.Tick
	for v := math.Ceil(lo/step-1e-9) * step; v <= hi+step*1e-9; v += step {
		ts = append(ts, plot.Tick{Value: v, Label: strconv.FormatFloat(v+0, 'f', prec, 64)})
		if mid := v + step/2; mid < hi {
			ts = append(ts, plot.Tick{Value: mid})
		}
	}
	return ts
}

// titleStyles are the PNG title and subtitle fonts.
func titleStyles() (title, sub text.Style) {
	title = text.Style{Color: rgb(textColor), XAlign: draw.XCenter, YAlign: draw.YTop, Handler: plot.DefaultTextHandler}
	title.Font = font.Font{Typeface: "Liberation", Variant: "Sans", Weight: xfont.WeightBold, Size: vg.Points(14)}
	sub = title
	sub.Color = rgb("#6e7079")
	sub.Font = font.Font{Typeface: "Liberation", Variant: "Sans", Size: vg.Points(10)}
	return title, sub
}

// gridOpt replaces the grid set by common (WithGridOpts appends one).
func gridOpt(g opts.Grid) charts.GlobalOpts {
	return func(bc *charts.BaseConfiguration) { bc.GridList = []opts.Grid{g} }
}
