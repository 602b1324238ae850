package campaign

import (
	"bytes"
	"fmt"
	"html/template"
	"math"
	"slices"
	"time"
)

// plot is the findings-over-time chart: one step line of distinct findings
// against the campaign's wall time, and a dot per finding in its stream's
// colour.
type plot struct {
	W, H, Left, Right, Top, Bottom float64
	Steps                          string // polyline points
	XTicks, YTicks                 []tick
	Dots                           []dot
	Legend                         []legend
}

type tick struct {
	At    float64
	Label string
}

type dot struct {
	X, Y  float64
	Color string
	Title string
}

type legend struct {
	Color, Label string
	Y            float64
}

var palette = []string{"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22"}

// newPlot lays out the chart for a summary.
func newPlot(s Summary) plot {
	p := plot{W: 760, H: 300, Left: 48, Right: 200, Top: 16, Bottom: 40}
	fs := slices.Clone(s.Findings)
	slices.SortStableFunc(fs, func(a, b *FindingState) int { return cmpInt64(a.FoundAfterNS, b.FoundAfterNS) })
	total := s.ElapsedS
	for _, f := range fs {
		total = math.Max(total, time.Duration(f.FoundAfterNS).Seconds())
	}
	if total <= 0 {
		total = 1
	}
	ymax := math.Max(1, float64(len(fs)))
	pw, ph := p.W-p.Left-p.Right, p.H-p.Top-p.Bottom
	x := func(sec float64) float64 { return p.Left + pw*sec/total }
	y := func(n float64) float64 { return p.Top + ph*(1-n/ymax) }
	color := map[string]string{}
	for i, st := range s.Streams {
		c := palette[i%len(palette)]
		color[st.Model+"/"+st.Variant] = c
		if i < 12 {
			p.Legend = append(p.Legend, legend{c, st.Model + "/" + st.Variant, p.Top + 14*float64(i)})
		}
	}
	pts := fmt.Sprintf("%.1f,%.1f", x(0), y(0))
	for i, f := range fs {
		sec := time.Duration(f.FoundAfterNS).Seconds()
		pts += fmt.Sprintf(" %.1f,%.1f %.1f,%.1f", x(sec), y(float64(i)), x(sec), y(float64(i+1)))
		p.Dots = append(p.Dots, dot{x(sec), y(float64(i + 1)), color[f.Model+"/"+f.Variant],
			fmt.Sprintf("%s: found after %s (scenario %d), hit %d times", f.Signature, seconds(sec), f.Index+1, f.Hits)})
	}
	pts += fmt.Sprintf(" %.1f,%.1f", x(total), y(float64(len(fs))))
	p.Steps = pts
	for i := 0; i <= 4; i++ {
		sec := total * float64(i) / 4
		p.XTicks = append(p.XTicks, tick{x(sec), tickLabel(sec, total)})
	}
	step := math.Max(1, math.Ceil(ymax/5))
	for n := 0.0; n <= ymax; n += step {
		p.YTicks = append(p.YTicks, tick{y(n), fmt.Sprint(n)})
	}
	return p
}

var reportTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"sec":   seconds,
	"plus":  func(a int64) int64 { return a + 1 },
	"needs": FaultsNeeded,
	"dur":   func(ns int64) string { return seconds(time.Duration(ns).Seconds()) },
	"f0":    func(v float64) string { return fmt.Sprintf("%.0f", v) },
}).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>faultsim campaign</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222}
table{border-collapse:collapse;margin:12px 0}
th,td{border:1px solid #ccc;padding:4px 8px;text-align:left}
td.n{text-align:right}
.buggy{color:#a00}.fixed{color:#070}
code{font-size:12px}
svg text{font:11px system-ui,sans-serif}
</style></head><body>
<h1>faultsim campaign</h1>
<p>{{.S.Headline}}.</p>
<h2>Findings over time</h2>
<svg xmlns="http://www.w3.org/2000/svg" width="{{.P.W}}" height="{{.P.H}}" role="img" aria-label="distinct findings over wall time">
<rect x="{{.P.Left}}" y="{{.P.Top}}" width="{{.PlotW}}" height="{{.PlotH}}" fill="#fafafa" stroke="#ccc"/>
{{range .P.XTicks}}<line x1="{{.At}}" x2="{{.At}}" y1="{{$.P.Top}}" y2="{{$.AxisY}}" stroke="#eee"/><text x="{{.At}}" y="{{$.LabelY}}" text-anchor="middle">{{.Label}}</text>
{{end}}{{range .P.YTicks}}<line x1="{{$.P.Left}}" x2="{{$.AxisX}}" y1="{{.At}}" y2="{{.At}}" stroke="#eee"/><text x="{{$.TickX}}" y="{{.At}}" text-anchor="end" dominant-baseline="middle">{{.Label}}</text>
{{end}}<polyline points="{{.P.Steps}}" fill="none" stroke="#333" stroke-width="1.5"/>
{{range .P.Dots}}<circle cx="{{.X}}" cy="{{.Y}}" r="4" fill="{{.Color}}"><title>{{.Title}}</title></circle>
{{end}}{{range .P.Legend}}<rect x="{{$.LegendX}}" y="{{.Y}}" width="10" height="10" fill="{{.Color}}"/><text x="{{$.LegendTextX}}" y="{{.Y}}" dy="9">{{.Label}}</text>
{{end}}<text x="{{.MidX}}" y="{{.P.H}}" dy="-4" text-anchor="middle">wall time</text>
</svg>
<h2>Per model and variant</h2>
<table><tr><th>model</th><th>variant</th><th>kind</th><th>scenarios</th><th>scenarios/s per worker</th><th>distinct findings</th><th>hits</th><th>first finding</th></tr>
{{range .S.Streams}}<tr><td>{{.Model}}</td><td>{{.Variant}}</td><td class="{{.Kind}}">{{.Kind}}</td><td class="n">{{.Scenarios}}</td><td class="n">{{f0 .WorkerRate}}</td><td class="n">{{.Findings}}</td><td class="n">{{.Hits}}</td><td>{{.First}}</td></tr>
{{end}}</table>
<h2>Findings</h2>
{{if .S.Findings}}<table><tr><th>signature</th><th>hits</th><th>first scenario</th><th>found after</th><th>size</th><th>shrunk by</th><th>faults needed</th><th>file</th></tr>
{{range .S.Findings}}<tr><td><code>{{.Signature}}</code></td><td class="n">{{.Hits}}</td><td class="n">{{plus .Index}}</td><td>{{dur .FoundAfterNS}}</td><td>{{.SizeBefore}} &rarr; {{.SizeAfter}}</td><td>{{.Shrinker}}</td><td>{{needs .Faults}}</td><td>{{if .File}}<a href="{{.File}}">{{.File}}</a>{{end}}{{if .Partial}} (shrink cut short){{end}}</td></tr>
{{end}}</table>{{else}}<p>No findings.</p>{{end}}
</body></html>
`))

// streamRow adapts a StreamSummary to the template.
type streamRow struct {
	StreamSummary
	Kind, First string
}

// HTML renders the summary as a self-contained page: no scripts, no
// external resources, the chart inline SVG.
func (s Summary) HTML() ([]byte, error) {
	p := newPlot(s)
	view := s
	rows := make([]streamRow, len(s.Streams))
	for i, st := range s.Streams {
		rows[i] = streamRow{st, st.kind(), st.first()}
	}
	data := map[string]any{
		"P": p, "PlotW": p.W - p.Left - p.Right, "PlotH": p.H - p.Top - p.Bottom,
		"AxisY": p.H - p.Bottom, "LabelY": p.H - p.Bottom + 14, "AxisX": p.W - p.Right, "TickX": p.Left - 6,
		"LegendX": p.W - p.Right + 12, "LegendTextX": p.W - p.Right + 26, "MidX": p.Left + (p.W-p.Left-p.Right)/2,
		"S": struct {
			Summary
			Streams []streamRow
		}{view, rows},
	}
	var b bytes.Buffer
	if err := reportTemplate.Execute(&b, data); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// tickLabel renders a time axis label with a precision fit for the axis.
func tickLabel(sec, total float64) string {
	switch {
	case total >= 10:
		return fmt.Sprintf("%.0fs", sec)
	case total >= 1:
		return fmt.Sprintf("%.1fs", sec)
	}
	return fmt.Sprintf("%.0fms", sec*1000)
}
