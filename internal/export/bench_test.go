package export

import (
	"bufio"
	"context"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/model"
)

// vmHWM returns the process's peak resident set size in MB (Linux), or 0.
func vmHWM() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

// countingWriter counts the bytes written.
type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

var _ io.Writer = (*countingWriter)(nil)

// BenchmarkXLSX100k exports 100,000 farm coal records to XLSX and reports
// the peak RSS (the records themselves included).
func BenchmarkXLSX100k(b *testing.B) {
	src := &memSource{states: make([]oplog.State, 0, 100000)}
	for i := 0; i < 100000; i++ {
		src.states = append(src.states, facility(i, model.FarmCoalAccepted, "2023-11-01",
			map[string]model.Value{"contact_phone": model.Str("13812345678"), "township": model.Str("慈峪镇"), "village": model.Str("东村")}))
	}
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
