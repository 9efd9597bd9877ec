package export

import (
	"context"
	"io"
	"strconv"
	"testing"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/internal/procmem"
	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/model"
)

// vmHWM returns the process's peak resident set size in MB (Linux), or 0.
func vmHWM() float64 { return procmem.MiB("VmHWM") }

// countingWriter counts the bytes written.
type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

var _ io.Writer = (*countingWriter)(nil)

// genSource makes n farm coal records on demand, holding none, so that
// the benchmark's RSS is the export's own.
type genSource struct{ n int }

func (g genSource) state(i int) oplog.State {
	return facility(i, model.FarmCoalAccepted, "2023-11-01",
		map[string]model.Value{"contact_phone": model.Str("13812345678"), "township": model.Str("慈峪镇"), "village": model.Str("东村")})
}

func (g genSource) List(q store.Query) (store.Page, error) {
	start := 0
	if q.After != "" {
		start, _ = strconv.Atoi(q.After)
	}
	end := min(start+q.Limit, g.n)
	var page store.Page
	for i := start; i < end; i++ {
		page.Records = append(page.Records, g.state(g.n-1-i)) // newest first
	}
	if end < g.n {
		page.Next = strconv.Itoa(end)
	}
	return page, nil
}

func (g genSource) Get(id uuid.UUID) (oplog.State, error) {
	return g.state(int(id[13])<<16 | int(id[14])<<8 | int(id[15])), nil
}

// BenchmarkXLSX100k exports 100,000 farm coal records to XLSX and reports
// the peak RSS of the process.
func BenchmarkXLSX100k(b *testing.B) {
	src := genSource{n: 100000}
	req := Request{Register: "farm_coal_facility", County: county, CountyName: "灵寿县", Now: exportTime}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var w countingWriter
		n, err := XLSX(context.Background(), src, req, &w)
		if err != nil || n != 100000 {
			b.Fatalf("XLSX: %d records, %v", n, err)
		}
		b.ReportMetric(float64(w.n)/(1<<20), "MB-file")
	}
	b.ReportMetric(vmHWM(), "MB-VmHWM")
}
