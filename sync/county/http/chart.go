package http

import (
	"bytes"
	"fmt"
	"html/template"
	"strconv"
	"unicode"

	"github.com/go-analyze/charts"
)

// The figures page draws its charts on the server as SVG (go-analyze/charts): they
// need no script, so the pages' CSP stays default-src 'self', and their text stays
// text, so the browser draws the Chinese in the page's own font. Legends are in the
// page's HTML beside each chart, in the colours below.

// chartColours are the series colours, in the dashboard's palette: the red of the
// headings, the green of "in sync", the brown of "behind".
var chartColours = []string{"#b71c1c", "#2e6b3a", "#8a5a00"}

// chartFontSize is the charts' text size in points (16 px at the renderer's 96 dpi).
const chartFontSize = 12

func chartTheme() charts.ColorPalette {
	series := make([]charts.Color, len(chartColours))
	for i, c := range chartColours {
		series[i] = charts.ColorFromHex(c)
	}
	return charts.MakeTheme(charts.ThemeOption{
		AxisStrokeColor:    charts.ColorFromHex("#c9bfb1"),
		AxisSplitLineColor: charts.ColorFromHex("#ece4d6"),
		BackgroundColor:    charts.ColorFromHex("#fffdf8"),
		TextColor:          charts.ColorFromHex("#3d3731"),
		SeriesColors:       series,
	})
}

func chartFont() charts.FontStyle {
	return charts.FontStyle{FontSize: chartFontSize, FontColor: charts.ColorFromHex("#3d3731")}
}

func svgOf(p *charts.Painter) (template.HTML, error) {
	buf, err := p.Bytes()
	if err != nil {
		return "", err
	}
	// The SVG is the renderer's own markup, its text escaped by it: safe to inline.
	return template.HTML(bytes.TrimSpace(buf)), nil
}

// trendChart draws one line per series over the periods labelled labels, width
// pixels wide (the page scales it to its column).
func trendChart(labels []string, series [][]float64, width int) (template.HTML, error) {
	opt := charts.NewLineChartOptionWithData(series)
	opt.Theme = chartTheme()
	opt.Legend.Show = charts.Ptr(false)
	opt.XAxis.Labels = labels
	opt.XAxis.LabelFontStyle = chartFont()
	if n := len(labels); n > 12 {
		opt.XAxis.LabelCount = 12
	}
	opt.YAxis = []charts.YAxisOption{{LabelFontStyle: chartFont(), Min: charts.Ptr(0.0)}}
	opt.ValueFormatter = plainNumber
	opt.LineStrokeWidth = 2.5
	opt.Symbol.Shape = charts.SymbolCircle
	opt.Padding = charts.Box{Top: 16, Right: 24, Bottom: 8, Left: 8, IsSet: true}
	p := charts.NewPainter(charts.PainterOptions{OutputFormat: charts.ChartOutputSVG, Width: width, Height: 300})
	if err := p.LineChart(opt); err != nil {
		return "", fmt.Errorf("draw trend: %w", err)
	}
	return svgOf(p)
}

// plainNumber writes counts and minutes as people read them: 192, 17.5, not 192.00.
func plainNumber(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// barChart draws one horizontal bar per label, the first on top, its value beside it.
func barChart(labels []string, values []float64, width int) (template.HTML, error) {
	// The renderer lists categories from the bottom up.
	n := len(labels)
	padded := make([]string, n)
	vals := make([]float64, n)
	p := charts.NewPainter(charts.PainterOptions{OutputFormat: charts.ChartOutputSVG, Width: width, Height: 44 + 34*n})
	for i := range n {
		padded[n-1-i] = padWide(p, labels[i])
		vals[n-1-i] = values[i]
	}
	opt := charts.NewBarChartOptionWithData([][]float64{vals})
	opt.Theme = chartTheme()
	opt.Horizontal = true
	opt.Legend.Show = charts.Ptr(false)
	opt.CategoryAxis = charts.CategoryAxisOption{Labels: padded, LabelFontStyle: chartFont()}
	opt.ValueAxis = []charts.ValueAxisOption{{LabelFontStyle: chartFont(), Min: charts.Ptr(0.0)}}
	opt.SeriesList[0].Label = charts.SeriesLabel{Show: charts.Ptr(true), FontStyle: chartFont(), ValueFormatter: plainNumber}
	opt.SeriesLabelPosition = "right"
	opt.ValueFormatter = plainNumber
	opt.BarSize = 0.6
	opt.Padding = charts.Box{Top: 8, Right: 48, Bottom: 8, Left: 8, IsSet: true}
	if err := p.BarChart(opt); err != nil {
		return "", fmt.Errorf("draw bars: %w", err)
	}
	return svgOf(p)
}

// padWide makes the renderer leave room for a label's Chinese. It measures text with
// its own Latin font, which has no CJK glyphs, so it takes a Chinese character for
// about half its width and would draw a category name into its bar. Trailing spaces
// widen the label as measured; SVG drops them when it draws, so the text ends where
// the renderer expects.
func padWide(p *charts.Painter, label string) string {
	style := chartFont()
	style.Font = charts.GetDefaultFont()
	em := float64(chartFontSize) * 96 / 72
	want := 0.0
	for _, r := range label {
		if r > unicode.MaxLatin1 && (unicode.Is(unicode.Han, r) || unicode.In(r, unicode.Punct) || r >= 0x3000) {
			want += em
		} else {
			want += float64(p.MeasureText(string(r), 0, style).Width())
		}
	}
	out := label
	for i := 0; i < 4*len(label) && float64(p.MeasureText(out, 0, style).Width()) < want; i++ {
		out += " "
	}
	return out
}
