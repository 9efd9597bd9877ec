package oplog

import (
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
