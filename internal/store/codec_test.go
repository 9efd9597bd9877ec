package store

import (
	"bytes"
	"fmt"
	"reflect"
	"testing"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/hlc"
	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/model"
)

func TestStateCodecCoversState(t *testing.T) {
	if got := reflect.TypeOf(oplog.State{}).NumField(); got != stateFields {
		t.Fatalf("oplog.State has %d fields; encodeState writes %d: update codec.go", got, stateFields)
	}
}

func TestStateCodecRoundTrip(t *testing.T) {
	dev := uuid.MustParse("01890000-0000-7000-8000-000000000001")
	rec := uuid.MustParse("01890000-0000-7000-8000-0000000000aa")
	tests := []struct {
		name string
		st   oplog.State
	}{
		{"empty", oplog.State{Record: rec, Fields: map[string]oplog.FieldState{}}},
		{"full", oplog.State{
			Record: rec, Register: "farm_coal_facility", County: "130102",
			Fields: map[string]oplog.FieldState{
				"name":   {Value: model.Str("烟叶烤房"), Version: oplog.OpID{Device: dev, Seq: 3}, Time: hlc.Make(1700000000000, 2), Author: "李"},
				"status": {Value: model.Str("draft"), Version: oplog.OpID{Device: dev, Seq: 1}, Time: hlc.Make(1700000000000, 0)},
				"place":  {Value: model.Str("东村"), Version: oplog.OpID{Device: dev, Seq: 3}, Time: hlc.Make(1700000000000, 2), Author: "李"},
				// The same version with another time: not merged into one
				// table entry.
				"phone": {Value: model.Str("1"), Version: oplog.OpID{Device: dev, Seq: 3}, Time: hlc.Make(1700000000001, 2), Author: "李"},
			},
			Conflicts: []oplog.Conflict{{Field: "name", Value: model.Str("大棚"), Version: oplog.OpID{Device: dev, Seq: 2}, Time: 7, Author: "张"}},
			Deleted:   true, Created: 5, Updated: 9, CreatedBy: "李", Ops: 3,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, enc := range []func(*oplog.State) []byte{encodeState, encodeStateV1} {
				got, err := decodeState(enc(&tt.st))
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, tt.st) {
					t.Fatalf("got %+v; want %+v", got, tt.st)
				}
			}
		})
	}
}

func TestStateCodecRejectsDamage(t *testing.T) {
	st := oplog.State{Record: uuid.New(), Register: "r", Fields: map[string]oplog.FieldState{"a": {Value: "1"}}}
	for _, b := range [][]byte{encodeState(&st), encodeStateV1(&st)} {
		for n := 0; n < len(b); n++ {
			if _, err := decodeState(b[:n]); err == nil {
				t.Fatalf("decodeState of %d of %d bytes: got nil error; want an error", n, len(b))
			}
		}
	}
	// A field naming a version the table does not have.
	b := encodeState(&st)
	i := bytes.LastIndex(b, []byte{'a', 1, '1', 0}) // key "a", value "1", version 0
	if i < 0 {
		t.Fatal("field not found in the encoding")
	}
	bad := append([]byte(nil), b...)
	bad[i+3] = 1
	if _, err := decodeState(bad); err == nil {
		t.Fatal("version index out of range: got nil error; want an error")
	}
}

func TestSummaryCodec(t *testing.T) {
	sm := summary{Register: "straw_patrol", County: "130102", Status: "submitted", Village: "东村",
		Title: "巡查", Search: "巡查\x1f东村", Updated: 99, Created: 7, Deleted: true}
	got, err := decodeSummary(sm.encode())
	if err != nil {
		t.Fatal(err)
	}
	if *got != sm {
		t.Fatalf("got %+v; want %+v", *got, sm)
	}
}

func BenchmarkDecodeState(b *testing.B) {
	dev := uuid.MustParse("01890000-0000-7000-8000-000000000001")
	st := oplog.State{Record: uuid.New(), Register: "farm_coal_facility", County: "130102", Fields: map[string]oplog.FieldState{},
		Created: 5, Updated: 9, CreatedBy: "李", Ops: 3}
	for i := range 20 {
		st.Fields[fmt.Sprintf("field_%02d", i)] = oplog.FieldState{Value: model.Str(fmt.Sprintf("value %d", i)),
			Version: oplog.OpID{Device: dev, Seq: uint64(1 + i%3)}, Time: hlc.Make(1700000000000, uint16(i%3)), Author: "李"}
	}
	enc := encodeState(&st)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decodeState(enc); err != nil {
			b.Fatal(err)
		}
	}
}
