package load

import (
	"bytes"
	"encoding/json"
	"html/template"
	"io"
	"time"
)

// Report is what the HTML report shows.
type Report struct {
	// Title heads the page, e.g. the script's name.
	Title string
	// Created is when the report was made, shown in the page.
	Created time.Time
	// Summary is the end-of-test summary: its table, and the totals.
	Summary *Summary
	// Timeline is the test over time; nil gives a page with the summary
	// only (a merged report has no timeline).
	Timeline *Timeline
}

// reportData is the JSON the page's script draws from.
type reportData struct {
	Points []TimePoint         `json:"points"`
	Trends []string            `json:"trends"`
	Totals map[string]float64  `json:"totals"`
	Checks map[string][2]int64 `json:"checks,omitempty"`
}

// reportTotals are the counters the page's header shows.
var reportTotals = []string{
	MetricIterations, MetricSessions, MetricMsgsSent, MetricMsgsReceived,
	MetricErrors, MetricQuota, MetricDataSent, MetricDataReceived,
}

// WriteHTML writes the report as one self-contained HTML page: the
// charts are drawn as inline SVG by the page's own script from the data
// it carries, so it opens from a file, offline, in any current browser.
func (r Report) WriteHTML(w io.Writer) error {
	d := reportData{Points: []TimePoint{}, Trends: []string{}, Totals: map[string]float64{}}
	if r.Timeline != nil {
		d.Points = r.Timeline.Points()
		// Latency charts: handshakes and the script's own trends; how
		// long sessions and iterations last is the script's pacing.
		for _, name := range r.Timeline.Trends() {
			if name != MetricSessionDuration && name != MetricIterationDur {
				d.Trends = append(d.Trends, name)
			}
		}
	}
	var text bytes.Buffer
	if r.Summary != nil {
		for _, name := range reportTotals {
			if m := r.Summary.Metrics[name]; m != nil {
				d.Totals[name] = m.Count
			} else {
				d.Totals[name] = 0
			}
		}
		r.Summary.WriteText(&text)
	}
	// json.Marshal escapes <, > and &, so the data cannot end the script.
	data, err := json.Marshal(d)
	if err != nil {
		return err
	}
	return reportPage.Execute(w, map[string]any{
		"Title":   r.Title,
		"Created": r.Created.UTC().Format(time.RFC3339),
		"Summary": text.String(),
		"Data":    template.JS(data),
	})
}

var reportPage = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>unisocket load: {{.Title}}</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #1d2330; background: #fff; }
h1 { font-size: 20px; margin: 0 0 4px; }
.sub { color: #667; margin-bottom: 16px; }
#totals { display: flex; flex-wrap: wrap; gap: 8px; margin: 0 0 16px; }
#totals div { border: 1px solid #dde; border-radius: 6px; padding: 6px 10px; min-width: 110px; }
#totals dt { color: #667; font-size: 12px; }
#totals dd { margin: 0; font-size: 18px; font-weight: 600; }
#charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(460px, 1fr)); gap: 16px; }
figure { margin: 0; border: 1px solid #dde; border-radius: 6px; padding: 8px; }
figcaption { font-weight: 600; margin-bottom: 4px; }
svg { width: 100%; height: auto; display: block; }
.axis { stroke: #99a; stroke-width: 1; }
.grid { stroke: #eef; stroke-width: 1; }
svg text { font-size: 11px; fill: #556; }
.legend span { margin-right: 12px; font-size: 12px; }
.legend i { display: inline-block; width: 10px; height: 10px; margin-right: 4px; vertical-align: -1px; }
pre { background: #f6f7fa; padding: 12px; overflow-x: auto; border-radius: 6px; }
.empty { color: #667; }
</style>
</head>
<body>
<h1>unisocket load: {{.Title}}</h1>
<div class="sub">report made {{.Created}}</div>
<dl id="totals"></dl>
<div id="charts"></div>
<h2>Summary</h2>
<pre id="summary">{{.Summary}}</pre>
<script>
"use strict";
const DATA = {{.Data}};
const COLORS = ["#2f6fdf", "#e0702a", "#2a9d5c", "#b8325a", "#7a4fc9", "#8c6d1f"];
const SVGNS = "http://www.w3.org/2000/svg";

function el(name, attrs, parent, ns) {
  const e = ns ? document.createElementNS(SVGNS, name) : document.createElement(name);
  for (const k in attrs) e.setAttribute(k, attrs[k]);
  if (parent) parent.appendChild(e);
  return e;
}

function fmt(v) {
  if (v === null || v === undefined) return "";
  if (Math.abs(v) >= 1e6) return (v / 1e6).toFixed(1) + "M";
  if (Math.abs(v) >= 1e4) return (v / 1e3).toFixed(1) + "k";
  return Number.isInteger(v) ? String(v) : v.toFixed(v < 10 ? 2 : 1);
}

// rates turns cumulative totals into per-second rates over each interval.
function rates(key) {
  let prevT = 0, prev = 0;
  return DATA.points.map(function (p) {
    const dt = p.t - prevT, dv = p[key] - prev;
    prevT = p.t; prev = p[key];
    return dt > 0 ? dv / dt : 0;
  });
}

// chart draws one line chart: series of values (null: no value) over
// the points' times. Each path carries its values in data-values.
function chart(id, title, unit, series) {
  const fig = el("figure", {"data-chart": id}, document.getElementById("charts"));
  el("figcaption", {}, fig).textContent = title + (unit ? " (" + unit + ")" : "");
  const W = 460, H = 200, L = 48, R = 10, T = 10, B = 24;
  const svg = el("svg", {viewBox: "0 0 " + W + " " + H, role: "img", "aria-label": title}, fig, true);
  const ts = DATA.points.map(function (p) { return p.t; });
  const tmax = ts.length ? ts[ts.length - 1] : 1;
  let vmax = 0;
  series.forEach(function (s) { s.values.forEach(function (v) { if (v !== null && v > vmax) vmax = v; }); });
  if (vmax <= 0) vmax = 1;
  const x = function (t) { return L + (W - L - R) * (tmax > 0 ? t / tmax : 0); };
  const y = function (v) { return T + (H - T - B) * (1 - v / vmax); };
  for (let i = 0; i <= 4; i++) {
    const v = vmax * i / 4;
    el("line", {class: "grid", x1: L, x2: W - R, y1: y(v), y2: y(v)}, svg, true);
    el("text", {x: L - 4, y: y(v) + 4, "text-anchor": "end"}, svg, true).textContent = fmt(v);
  }
  el("line", {class: "axis", x1: L, x2: L, y1: T, y2: H - B}, svg, true);
  el("line", {class: "axis", x1: L, x2: W - R, y1: H - B, y2: H - B}, svg, true);
  el("text", {x: L, y: H - 6}, svg, true).textContent = "0 s";
  el("text", {x: W - R, y: H - 6, "text-anchor": "end"}, svg, true).textContent = fmt(tmax) + " s";
  const legend = el("div", {class: "legend"}, fig);
  series.forEach(function (s, i) {
    const color = COLORS[i % COLORS.length];
    let d = "", pen = "M";
    s.values.forEach(function (v, j) {
      if (v === null) { pen = "M"; return; }
      d += pen + x(ts[j]).toFixed(1) + " " + y(v).toFixed(1) + " ";
      pen = "L";
    });
    el("path", {d: d.trim(), fill: "none", stroke: color, "stroke-width": 1.5,
      "data-series": s.name, "data-values": JSON.stringify(s.values)}, svg, true);
    const item = el("span", {}, legend);
    el("i", {style: "background:" + color}, item);
    item.appendChild(document.createTextNode(s.name));
  });
  return fig;
}

function draw() {
  const totals = document.getElementById("totals");
  Object.keys(DATA.totals).forEach(function (name) {
    const d = el("div", {}, totals);
    el("dt", {}, d).textContent = name;
    // Exact, not rounded: these are the counts a reader checks.
    el("dd", {"data-metric": name}, d).textContent = String(DATA.totals[name]);
  });
  if (DATA.points.length === 0) {
    el("p", {class: "empty"}, document.getElementById("charts")).textContent = "No timeline in this report (a merged summary has none).";
    return;
  }
  const pick = function (key) { return DATA.points.map(function (p) { return p[key]; }); };
  chart("vus", "Virtual users and open sockets", "", [
    {name: "VUs", values: pick("vus")},
    {name: "open sockets", values: pick("openSockets")},
  ]);
  chart("msgs", "Messages", "per second", [
    {name: "sent", values: rates("msgsSent")},
    {name: "received", values: rates("msgsReceived")},
  ]);
  DATA.trends.forEach(function (name) {
    const q = function (k) {
      return DATA.points.map(function (p) { return p.latency && p.latency[name] ? p.latency[name][k] : null; });
    };
    chart("latency:" + name, name, "ms", [
      {name: "p50", values: q("p50")}, {name: "p95", values: q("p95")},
      {name: "p99", values: q("p99")}, {name: "max", values: q("max")},
    ]);
  });
  chart("errors", "Errors (uni_errors)", "", [
    {name: "per second", values: rates("errors")},
    {name: "total", values: pick("errors")},
  ]);
}
draw();
</script>
</body>
</html>
`))
