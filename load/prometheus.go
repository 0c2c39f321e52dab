package load

import (
	"strings"

	"github.com/prometheus/client_golang/prometheus"
)

// Collector returns a Prometheus collector of the test's metrics, live,
// for an endpoint such as `unisocket load --metrics-addr` serves; a
// Prometheus server scraping many load processes adds them up. Names are
// prefixed with unisocket_:
//
//	counters       unisocket_ws_msgs_sent_total, unisocket_data_sent_total, …
//	by tag         unisocket_uni_errors_by_errMsg_total{errMsg="…"},
//	               unisocket_uni_close_codes_by_code_total{code="1006"}
//	checks         unisocket_checks_total{result="pass"|"fail"},
//	               unisocket_checks_by_check_total{check="…",result="…"}
//	gauges         unisocket_vus, unisocket_vus_max, unisocket_open_sockets
//	trends         unisocket_ws_connecting_seconds (a summary: count, sum,
//	               quantiles 0.5, 0.9, 0.95, 0.99)
//
// The values are those the summary is made of; samples reach them at
// most a second after they are taken.
func (t *Test) Collector() prometheus.Collector { return &collector{t: t} }

type collector struct{ t *Test }

// Describe sends nothing: the metrics are known only as the test records
// them, which makes this an unchecked collector.
func (c *collector) Describe(chan<- *prometheus.Desc) {}

var promQuantiles = []float64{50, 90, 95, 99}

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	c.t.flushVUs()
	st := c.t.st
	st.mu.Lock()
	defer st.mu.Unlock()
	emit := func(m prometheus.Metric, err error) {
		if err == nil {
			ch <- m
		}
	}
	for name, a := range st.aggs {
		base, key, value := splitName(name)
		pname := "unisocket_" + promName(base)
		var (
			labels []string
			values []string
		)
		if key != "" {
			pname += "_by_" + promName(key)
			labels, values = []string{promName(key)}, []string{value}
		}
		switch a.kind {
		case Counter:
			d := prometheus.NewDesc(pname+"_total", "counter "+base, labels, nil)
			emit(prometheus.NewConstMetric(d, prometheus.CounterValue, a.sum, values...))
		case Rate:
			d := prometheus.NewDesc(pname+"_total", "checks by result", append(labels, "result"), nil)
			emit(prometheus.NewConstMetric(d, prometheus.CounterValue, a.sum, append(values, "pass")...))
			emit(prometheus.NewConstMetric(d, prometheus.CounterValue, float64(a.n)-a.sum, append(values, "fail")...))
		case Gauge:
			d := prometheus.NewDesc(pname, "gauge "+base, labels, nil)
			emit(prometheus.NewConstMetric(d, prometheus.GaugeValue, a.last, values...))
		case Trend:
			q := map[float64]float64{}
			if a.hist != nil {
				for _, p := range promQuantiles {
					q[p/100] = quantileMS(a.hist, p, a.minUS, a.maxUS) / 1000
				}
			}
			d := prometheus.NewDesc(pname+"_seconds", "trend "+base+" in seconds", labels, nil)
			emit(prometheus.NewConstSummary(d, uint64(a.n), float64(a.sumUS)/1e6, q, values...))
		}
	}
	d := prometheus.NewDesc("unisocket_open_sockets", "sockets open now", nil, nil)
	emit(prometheus.NewConstMetric(d, prometheus.GaugeValue, float64(c.t.live.open.Load())))
}

// splitName splits "uni_errors{errMsg:…}" into its metric, tag key and
// tag value.
func splitName(name string) (base, key, value string) {
	i := strings.IndexByte(name, '{')
	if i < 0 || !strings.HasSuffix(name, "}") {
		return name, "", ""
	}
	key, value, _ = strings.Cut(name[i+1:len(name)-1], ":")
	return name[:i], key, value
}

// promName keeps the characters a Prometheus name may hold.
func promName(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, s)
}
