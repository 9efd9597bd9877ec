package server

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the server's Prometheus series, on a registry of its own so
// several servers (tests) can live in one process.
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	bytesIn  *prometheus.CounterVec
	bytesOut *prometheus.CounterVec
	ops      *prometheus.CounterVec
	reported *prometheus.CounterVec

	bodyBytes  prometheus.Gauge
	bodyLimit  prometheus.Gauge
	busy       prometheus.Counter
	slowBodies prometheus.Counter
	partials   prometheus.Gauge
	expired    prometheus.Counter
}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lantian_requests_total", Help: "HTTP requests by route and status code.",
		}, []string{"route", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "lantian_request_duration_seconds", Help: "Request latency by route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route"}),
		bytesIn: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lantian_bytes_in_total", Help: "Request body bytes received on the wire, by route.",
		}, []string{"route"}),
		bytesOut: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lantian_bytes_out_total", Help: "Response body bytes sent on the wire, by route.",
		}, []string{"route"}),
		ops: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lantian_ops_ingested_total", Help: "Pushed ops by outcome (applied, duplicate, refused, rejected).",
		}, []string{"status"}),
		reported: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lantian_ops_set_aside_by_receivers_total",
			Help: "Served ops that receivers reported setting aside, by the check that failed (once per op and receiver).",
		}, []string{"code"}),
		bodyBytes: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "lantian_body_bytes_in_flight", Help: "Request body bytes held by requests in flight.",
		}),
		bodyLimit: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "lantian_body_bytes_in_flight_limit", Help: "Bound on the request body bytes in flight (0: none).",
		}),
		busy: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "lantian_busy_refusals_total", Help: "Requests refused busy because their body would pass the bound on bytes in flight.",
		}),
		slowBodies: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "lantian_slow_bodies_total", Help: "Request bodies cut for arriving below the minimum rate.",
		}),
		partials: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "lantian_partial_uploads", Help: "Unfinished blob uploads held.",
		}),
		expired: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "lantian_partial_uploads_expired_total", Help: "Unfinished blob uploads removed after their expiry.",
		}),
	}
	m.reg.MustRegister(m.requests, m.latency, m.bytesIn, m.bytesOut, m.ops, m.reported,
		m.bodyBytes, m.bodyLimit, m.busy, m.slowBodies, m.partials, m.expired,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}
