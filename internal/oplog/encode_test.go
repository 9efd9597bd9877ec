package oplog

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/lantian-tz/lantian/model"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

func TestRoundTrip(t *testing.T) {
	signed := editOp(devA, 2, ts(5, 1), "remarks", "ok", id(devA, 1))
	signed.Sign(keyA)
	stamped := signed
	stamped.Eff, stamped.ServerSeq = ts(3, 0xFFFF), 12345
	ahead := signed
	ahead.Eff = ts(9, 0) // an eff above the hlc still round-trips
	multi := editOp(devB, 7, ts(100, 0), "a", "x", id(devC, 3), id(devA, 9), id(devB, 6))
	multi.Set["b"] = ""
	multi.Parent["b"] = []OpID{id(devC, 1)}
	unsorted := editOp(devB, 7, ts(100, 0), "a", "x", id(devC, 3), id(devA, 9))
	create := editOp(devA, 1, ts(0, 0), "remarks", "x")
	create.Set[model.FieldStatus] = model.Str("draft")
	create.Author = ""
	tests := []struct {
		name string
		op   Op
	}{
		{"create", create},
		{"signed", signed},
		{"stamped", stamped},
		{"eff ahead of hlc", ahead},
		{"several devices", multi},
		{"unsorted parents", unsorted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := tt.op.MarshalBinary()
			if err != nil {
				t.Fatalf("MarshalBinary: %v", err)
			}
			var got Op
			if err := got.UnmarshalBinary(b); err != nil {
				t.Fatalf("UnmarshalBinary: %v", err)
			}
			want := tt.op
			want.Parent = map[string][]OpID{}
			for k, ps := range tt.op.Parent {
				want.Parent[k] = canonicalParents(ps)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got %+v; want %+v", got, want)
			}
			if got.Hash() != tt.op.Hash() {
				t.Errorf("got hash %x; want %x", got.Hash(), tt.op.Hash())
			}
			again, _ := got.MarshalBinary()
			if !bytes.Equal(again, b) {
				t.Errorf("re-encoding differs:\ngot  %x\nwant %x", again, b)
			}
		})
	}
}

// goldenOp is the fixed op whose encoding and hash are pinned in testdata.
func goldenOp() Op {
	o := editOp(devA, 42, ts(123, 4), "remarks", "已核查，无火点", id(devA, 41), id(devB, 7))
	o.Set[model.FieldLocation] = model.GPS(model.Point{Lat: 38.04, Lon: 114.51, Acc: 5})
	o.Prev = Hash{0xde, 0xad, 0xbe, 0xef}
	return o
}

func TestGoldenHash(t *testing.T) {
	o := goldenOp()
	got := hex.EncodeToString(o.Encode()) + "\n" + hex.EncodeToString(func() []byte { h := o.Hash(); return h[:] }()) + "\n"
	path := filepath.Join("testdata", "golden_op_v1.hex")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create)", err)
	}
	if got != string(want) {
		t.Errorf("encoding or hash changed; a change breaks every signature in the field:\ngot  %s\nwant %s", got, want)
	}
}

func TestOneFieldEditIsCompact(t *testing.T) {
	tests := []struct {
		name     string
		register string
		parent   OpID
		stamped  bool
		max      int
	}{
		{"own parent, as pushed", "straw_patrol", id(devA, 1233), false, 190},
		{"own parent, stamped by the server", "straw_patrol", id(devA, 1233), true, 200},
		{"other device's parent, long register", "farm_coal_facility", id(devB, 88), false, 215},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := editOp(devA, 1234, ts(0, 0), model.FieldRemarks, "已清理", tt.parent)
			o.Register = tt.register
			o.Sign(keyA)
			if tt.stamped {
				o.Eff, o.ServerSeq = o.HLC, 1_000_000
			}
			b, err := o.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			if len(b) > tt.max {
				t.Errorf("got %d bytes; want at most %d", len(b), tt.max)
			}
			t.Logf("%d bytes on the wire, %d signed", len(b), len(o.Encode()))
		})
	}
}

func TestMarshalRefuses(t *testing.T) {
	stray := editOp(devA, 1, ts(0, 0), "a", "x")
	stray.Parent["b"] = []OpID{id(devB, 1)}
	twice := editOp(devA, 1, ts(0, 0), "a", "x", id(devB, 1), id(devB, 1))
	shortSig := editOp(devA, 1, ts(0, 0), "a", "x")
	shortSig.Sig = []byte{1, 2, 3}
	long := editOp(devA, 1, ts(0, 0), "a", "x")
	long.Set["a"] = model.Value(strings.Repeat("x", MaxValueLen+1))
	tests := []struct {
		name string
		op   Op
		want string
	}{
		{"parent of unset field", stray, `parent for field "b"`},
		{"repeated parent", twice, "twice"},
		{"short signature", shortSig, "signature is 3 bytes"},
		{"over-long value", long, "max 262144"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.op.MarshalBinary()
			if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v; want ErrMalformed containing %q", err, tt.want)
			}
		})
	}
}

// raw builds encodings by hand.
type raw struct{ b []byte }

func (r *raw) u(v uint64) *raw  { r.b = binary.AppendUvarint(r.b, v); return r }
func (r *raw) s(s string) *raw  { r.u(uint64(len(s))); r.b = append(r.b, s...); return r }
func (r *raw) x(b ...byte) *raw { r.b = append(r.b, b...); return r }

// header returns the encoding up to the device table.
func header() *raw {
	r := &raw{}
	r.x(EncodingVersion).x(devA[:]...).u(5)
	r.b = binary.BigEndian.AppendUint64(r.b, uint64(ts(0, 0)))
	return r.x(record[:]...).s("straw_patrol").s("130126").s("王")
}

func TestUnmarshalMalformed(t *testing.T) {
	valid := goldenOp()
	valid.Sign(keyA)
	valid.Eff, valid.ServerSeq = ts(1, 0), 9
	good, err := valid.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	prev := make([]byte, 32)
	field := func(r *raw) *raw { return r.s("a").s(`"x"`).u(0) }
	tests := []struct {
		name string
		in   []byte
		want string
	}{
		{"empty", nil, "truncated: version"},
		{"unknown version", append([]byte{2}, good[1:]...), "unknown encoding version 2"},
		{"truncated signature", good[:len(good)-10], "truncated"},
		{"trailing garbage", append(bytes.Clone(good), 0), "1 trailing bytes"},
		{"non-minimal varint", append(append([]byte{EncodingVersion}, devA[:]...), 0x85, 0x00), "seq varint is not minimal"},
		{"varint overflow", append(append([]byte{EncodingVersion}, devA[:]...), bytes.Repeat([]byte{0xff}, 11)...), "overflows 64 bits"},
		{"over-long register", append(append([]byte{EncodingVersion}, make([]byte, 16+1+8+16)...), 65), "register is 65 bytes; max 64"},
		{"huge field count", header().u(0).u(1 << 40).b, "fields count 1099511627776 exceeds"},
		{"too many fields", header().u(0).u(MaxFields + 1).x(make([]byte, 3*(MaxFields+1))...).b, "513 fields; max 512"},
		{"unsorted keys", header().u(0).u(2).s("b").s("1").u(0).s("a").s("1").u(0).x(prev...).x(0).b, `"a" after "b"`},
		{"duplicate keys", header().u(0).u(2).s("a").s("1").u(0).s("a").s("1").u(0).x(prev...).x(0).b, `"a" after "a"`},
		{"over-long key", header().u(0).u(1).s(strings.Repeat("k", 65)).s("1").u(0).x(prev...).x(0).b, "field key is 65 bytes"},
		{"unsorted parents", header().u(0).u(1).s("a").s("1").u(2).u(0).u(9).u(0).u(3).x(prev...).x(0).b, "not strictly ascending"},
		{"parent index beyond table", header().u(0).u(1).s("a").s("1").u(1).u(1).u(3).x(prev...).x(0).b, "index 1 beyond table of 0"},
		{"table names own device", field(header().u(1).x(devA[:]...).u(1)).x(prev...).x(0).b, "own device"},
		{"table unsorted", field(header().u(2).x(devC[:]...).x(devB[:]...).u(1)).x(prev...).x(0).b, "table not strictly ascending"},
		{"table entry unused", field(header().u(1).x(devB[:]...).u(1)).x(prev...).x(0).b, "is not used"},
		{"unknown flag", field(header().u(0).u(1)).x(prev...).x(8).b, "unknown flags 0x8"},
		{"eff flag with zero eff", field(header().u(0).u(1)).x(prev...).x(flagEff).u(zigzag(int64(ts(0, 0)))).b, "eff is zero"},
		{"server seq flag with zero", field(header().u(0).u(1)).x(prev...).x(flagServerSeq).u(0).b, "server seq is zero"},
		{"missing flags", field(header().u(0).u(1)).x(prev...).b, "truncated: flags"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := Op{Seq: 77}
			err := o.UnmarshalBinary(tt.in)
			if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v; want ErrMalformed containing %q", err, tt.want)
			}
			if o.Seq != 77 {
				t.Errorf("failed decode changed the op: got seq %d; want 77", o.Seq)
			}
		})
	}
	t.Run("every truncation", func(t *testing.T) {
		for n := range len(good) {
			var o Op
			if err := o.UnmarshalBinary(good[:n]); !errors.Is(err, ErrMalformed) {
				t.Fatalf("prefix of %d bytes: got %v; want ErrMalformed", n, err)
			}
		}
	})
	t.Run("sanity: valid hand-built op decodes", func(t *testing.T) {
		var o Op
		in := field(header().u(0).u(1)).x(prev...).x(0).b
		if err := o.UnmarshalBinary(in); err != nil {
			t.Fatalf("got %v; want nil", err)
		}
	})
}

func zigzag(d int64) uint64 { return uint64(d<<1) ^ uint64(d>>63) }
