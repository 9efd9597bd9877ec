package oplog

import (
	"bytes"
	"testing"

	"github.com/google/uuid"
)

func TestPeekID(t *testing.T) {
	dev := uuid.MustParse("0193a1c2-5b6e-7f00-8a1b-2c3d4e5f6a7b")
	op := Op{Device: dev, Seq: 300, HLC: 1 << 20, Record: uuid.New(), Register: "r", County: "130126", Author: "a"}
	raw, err := op.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		b      []byte
		want   OpID
		wantOK bool
	}{
		{"op", raw, OpID{Device: dev, Seq: 300}, true},
		{"empty", nil, OpID{}, false},
		{"other version", append([]byte{EncodingVersion + 1}, raw[1:]...), OpID{}, false},
		{"truncated seq", raw[:18], OpID{}, false},
		{"no seq", raw[:17], OpID{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := PeekID(tt.b)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("got %v %v; want %v %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestPeekRecord(t *testing.T) {
	rec := uuid.MustParse("0193a1c2-5b6e-7f00-8a1b-000000000042")
	for _, seq := range []uint64{1, 127, 128, 300, 1 << 40} {
		op := Op{Device: uuid.New(), Seq: seq, HLC: 1 << 20, Record: rec, Register: "r", County: "130126", Author: "a"}
		raw, err := op.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		if got, ok := PeekRecord(raw); !ok || got != rec {
			t.Errorf("seq %d: got %v %v; want %v", seq, got, ok, rec)
		}
		if got, ok := PeekHLC(raw); !ok || got != op.HLC {
			t.Errorf("seq %d: clock %v %v; want %v", seq, got, ok, op.HLC)
		}
		// Every prefix too short to hold the record is refused.
		at := bytesBeforeRecord(t, raw)
		for n := range at + 16 {
			if _, ok := PeekRecord(raw[:n]); ok {
				t.Fatalf("seq %d: a %d-byte prefix peeked as ok", seq, n)
			}
		}
	}
	if _, ok := PeekRecord(append([]byte{EncodingVersion + 1}, make([]byte, 40)...)); ok {
		t.Error("another encoding version peeked as ok")
	}
}

// bytesBeforeRecord finds where the record id starts in raw by decoding.
func bytesBeforeRecord(t *testing.T, raw []byte) int {
	var op Op
	if err := op.UnmarshalBinary(raw); err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(raw, op.Record[:])
	if i < 0 {
		t.Fatal("record id not in the encoding")
	}
	return i
}
