package verify

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"testing"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/hlc"
	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/model"
)

// memSource holds logs in memory.
type memSource struct {
	devs map[uuid.UUID]Device
	logs []Log
}

func (m *memSource) Devices(context.Context) (map[uuid.UUID]Device, error) { return m.devs, nil }
func (m *memSource) Logs(_ context.Context, fn func(Log) error) error {
	for _, l := range m.logs {
		if err := fn(l); err != nil {
			return err
		}
	}
	return nil
}

// chains makes devices county devices of 灵寿县, each with n ops: new
// dust-fall points, every third op an edit of the one before.
func chains(devices, n int) *memSource {
	m := &memSource{devs: map[uuid.UUID]Device{}}
	for d := range devices {
		pub, priv, _ := ed25519.GenerateKey(nil)
		id := uuid.Must(uuid.NewV7())
		m.devs[id] = Device{ID: id, Key: pub, Role: model.RoleCounty, County: "130126", Province: "130000"}
		l := Log{Device: id}
		var prev oplog.Hash
		var rec uuid.UUID
		for i := range n {
			set := map[string]model.Value{"install_height_m": model.Decimal(float64(i % 90))}
			if i%3 == 0 {
				rec = uuid.Must(uuid.NewV7())
				set = map[string]model.Value{
					"point_no": model.Str(fmt.Sprintf("130126-JC-%d-%d", d, i)), "name": model.Str("灵寿镇降尘监测点"),
					"point_type": model.Str("regular"), "township": model.Str("灵寿镇"), model.FieldStatus: model.Str("in_use"),
					"location": model.GPS(model.Point{Lat: 38.3, Lon: 114.4}),
				}
			}
			o := oplog.Op{Device: id, Seq: uint64(i + 1), HLC: hlc.Make(1_700_000_000_000+int64(i), 0), Record: rec,
				Register: "dustfall_point", County: "130126", Author: "县局", Set: set, Prev: prev}
			o.Sign(priv)
			prev = o.Hash()
			l.Ops = append(l.Ops, o)
		}
		m.logs = append(m.logs, l)
	}
	return m
}

// BenchmarkRun verifies 100k ops of 10 devices (chains, admission, and
// signatures one per run or each) per iteration; ops/s is reported.
func BenchmarkRun(b *testing.B) {
	src := chains(10, 10_000)
	for _, each := range []bool{false, true} {
		b.Run(fmt.Sprintf("each=%v", each), func(b *testing.B) {
			for b.Loop() {
				rep, err := Run(context.Background(), src, Options{EachSignature: each})
				if err != nil || !rep.OK() {
					b.Fatalf("%v %+v", err, rep.Problems[:min(3, len(rep.Problems))])
				}
			}
			b.ReportMetric(float64(100_000*b.N)/b.Elapsed().Seconds(), "ops/s")
		})
	}
}
