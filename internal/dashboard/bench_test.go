package dashboard

import (
	"fmt"
	"testing"
	"time"

	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/internal/procmem"
	"github.com/lantian-tz/lantian/model"
)

// vmHWM returns the process's peak resident set size in MB (Linux), or 0.
func vmHWM() float64 { return procmem.MiB("VmHWM") }

// syntheticStates returns n records spread over the registers and 10
// counties, as a province device holds them.
func syntheticStates(n int) []oplog.State {
	f := &fixture{}
	f.states = make([]oplog.State, 0, n)
	townships := []string{"城关镇", "慈峪镇", "陈庄镇", "北洼乡", "南寨乡"}
	for i := 0; len(f.states) < n; i++ {
		c := fmt.Sprintf("1301%02d", 20+i%10)
		tw := townships[i%len(townships)]
		village := fmt.Sprintf("%s%d村", tw, i%40)
		day := 1 + i%28
		switch i % 8 {
		case 0:
			f.add("farm_coal_facility", c, kv{"status": s([]string{model.FarmCoalUnreplaced, model.FarmCoalInProgress, model.FarmCoalReplaced, model.FarmCoalAccepted}[i%4]),
				"unit_count": model.Int(int64(1 + i%3)), "township": s(tw), "village": s(village)})
		case 1, 2:
			f.add("straw_patrol", c, kv{"status": s(model.PatrolSubmitted), "township": s(tw), "village": s(village),
				"patrol_date": s(fmt.Sprintf("2023-11-%02d", min(day, 15))), "zero_report": model.Bool(i%5 != 0), "findings_count": model.Int(int64(i % 2))})
		case 3:
			f.add("fire_point", c, kv{"status": s(model.FireVerified), "pushed_township": s(tw), "detected_at": dt(day, 8),
				"pushed_at": dt(day, 9), "due_at": dt(min(day+1, 28), 9), "arrived_at": dt(day, 9+i%30%15), "verdict": s("confirmed_straw")})
		case 4:
			f.add("livestock_farm", c, kv{"status": s(model.FarmVerified), "annual_plan_filed": model.Bool(true), "township": s(tw)})
		case 5:
			f.add("manure_use_log", c, kv{"status": s(model.UseLogRecorded), "farm": s(f.states[len(f.states)-1].Record.String()), "date": s("2023-11-03")})
		case 6:
			f.add("dustfall_point", c, kv{"status": s(model.PointInUse), "point_no": s(fmt.Sprint(i)), "township": s(tw), "point_type": s("regular")})
		case 7:
			f.add("dustfall_monthly", c, kv{"status": s(model.DustfallApproved), "point": s(f.states[len(f.states)-1].Record.String()),
				"month": s("2023-11"), "dustfall": model.Decimal(float64(i%90) / 10), "valid": model.Bool(true)})
		}
	}
	return f.states
}

// BenchmarkCompute200k recomputes the province figures over 200,000
// records and reports the peak RSS.
func BenchmarkCompute200k(b *testing.B) {
	states := syntheticStates(200000)
	opts := Options{Now: now}
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		res := Compute(states, opts)
		if len(res.Counties) != 10 {
			b.Fatalf("counties: got %d; want 10", len(res.Counties))
		}
	}
	b.ReportMetric(float64(time.Since(start).Milliseconds())/float64(b.N), "ms/op")
	b.ReportMetric(vmHWM(), "MB-VmHWM")
}

// BenchmarkBuilderStreaming200k feeds 200,000 records to a Builder one
// page at a time, as Load does, so that only a page is held: its peak RSS
// is the figures' own footprint (run it alone: VmHWM is per process).
func BenchmarkBuilderStreaming200k(b *testing.B) {
	opts := Options{Now: now}
	for i := 0; i < b.N; i++ {
		bl := NewBuilder(opts)
		for page := 0; page < 200; page++ {
			for _, st := range syntheticStates(1000) {
				bl.Add(&st)
			}
		}
		if res := bl.Result(); len(res.Counties) != 10 {
			b.Fatalf("counties: got %d; want 10", len(res.Counties))
		}
	}
	b.ReportMetric(vmHWM(), "MB-VmHWM")
}
