package protocol

import (
	"testing"

	"github.com/lantian-tz/lantian/internal/hlc"
)

// benchPage is a pull page of n ops in its binary form.
func benchPage(n int) []byte {
	ops, _ := seedOps()
	raw, _ := ops[1].MarshalBinary()
	p := PageFrame{Cursor: 1 << 20, More: true, Links: true, ServerTime: 1764392000000}
	for i := range n {
		p.Ops = append(p.Ops, PageOp{ServerSeq: uint64(1000 + i), Eff: hlc.Make(1764392000000+int64(i), 0), ScopePrev: uint64(i), Raw: raw})
	}
	return AppendPageFrame(nil, p)
}

func BenchmarkParsePageFrame(b *testing.B) {
	page := benchPage(1000)
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParsePageFrame(page); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodePull(b *testing.B) {
	page := benchPage(1000)
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodePull(page); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodePushHashed(b *testing.B) {
	ops, _ := seedOps()
	raws := make([][]byte, 1000)
	for i := range raws {
		raws[i], _ = ops[i%2].MarshalBinary()
	}
	body := AppendPushFrame(nil, ops[0].Device, raws)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, _, err := DecodePushHashed(body); err != nil {
			b.Fatal(err)
		}
	}
}
