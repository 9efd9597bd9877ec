package e2e

import (
	"testing"

	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/e2e/fixture"
)

// BenchmarkEditBytes measures the bytes on the wire (both directions,
// headers included, counted by the proxy) of syncing a one-field edit.
func BenchmarkEditBytes(b *testing.B) {
	e := newEnv(b)
	p := e.withProxy()
	d := e.enroll("甲", fixture.County, model.RoleGrid, nil)
	id := fixture.Create(b, d.st, 1)
	d.sync(b)
	d.sync(b)
	p.ResetBytes()
	for i := 0; b.Loop(); i++ {
		fixture.Edit(b, d.st, id, map[string]model.Value{"unit_count": model.Int(int64(2 + i%400))})
		d.sync(b)
	}
	up, down := p.Bytes()
	b.ReportMetric(float64(up)/float64(b.N), "req-B/edit")
	b.ReportMetric(float64(down)/float64(b.N), "resp-B/edit")
}

// BenchmarkNoopSync measures a sync with nothing new on either side.
func BenchmarkNoopSync(b *testing.B) {
	e := newEnv(b)
	d := e.enroll("甲", fixture.County, model.RoleGrid, nil)
	for i := range 20 {
		fixture.Create(b, d.st, i+1)
	}
	d.sync(b)
	d.sync(b)
	for b.Loop() {
		d.sync(b)
	}
}

// BenchmarkPull measures pulling a county's ops into a fresh device: 2000
// ops on 20 records (their 40 photos are downloaded too).
func BenchmarkPull(b *testing.B) {
	const records, edits = 20, 99
	e := newEnv(b)
	src := e.enroll("甲", fixture.County, model.RoleGrid, nil)
	for i := range records {
		id := fixture.Create(b, src.st, i+1)
		for j := range edits {
			fixture.Edit(b, src.st, id, map[string]model.Value{"unit_count": model.Int(int64(1 + j))})
		}
	}
	src.sync(b)
	var ops int
	for b.Loop() {
		b.StopTimer()
		d := e.enroll("新", fixture.County, model.RoleGrid, nil)
		b.StartTimer()
		ops += d.sync(b).Pulled
	}
	b.ReportMetric(float64(ops)/b.Elapsed().Seconds(), "ops/s")
}
