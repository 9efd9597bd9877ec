package protocol

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/hlc"
	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/model"
)

// DecodePushHashed gives each op with its hash, for batches decoded on
// one goroutine and on several, and names the first bad op.
func TestDecodePushHashed(t *testing.T) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	dev := uuid.Must(uuid.NewV7())
	mk := func(n int) ([]oplog.Op, [][]byte) {
		ops := make([]oplog.Op, n)
		raws := make([][]byte, n)
		var prev oplog.Hash
		for i := range ops {
			o := oplog.Op{Device: dev, Seq: uint64(i + 1), HLC: hlc.Timestamp(1000 + i), Record: uuid.Must(uuid.NewV7()),
				Register: "straw_patrol", County: "130126", Author: "王网格",
				Set: map[string]model.Value{"remarks": model.Str(strings.Repeat("巡", i%7+1))}, Prev: prev}
			o.Sign(priv)
			prev = o.Hash()
			if raws[i], err = o.MarshalBinary(); err != nil {
				t.Fatal(err)
			}
			ops[i] = o
		}
		return ops, raws
	}
	for _, n := range []int{1, 63, 1000} {
		ops, raws := mk(n)
		req, got, hashes, err := DecodePushHashed(AppendPushFrame(nil, dev, raws))
		if err != nil {
			t.Fatalf("%d ops: %v", n, err)
		}
		if req.Device != dev || len(req.Ops) != n || len(got) != n || len(hashes) != n {
			t.Fatalf("%d ops: got %d ops, %d raws, %d hashes", n, len(req.Ops), len(got), len(hashes))
		}
		for i := range ops {
			if hashes[i] != ops[i].Hash() || req.Ops[i].Seq != ops[i].Seq || req.Ops[i].Set["remarks"] != ops[i].Set["remarks"] {
				t.Fatalf("%d ops: op %d decoded or hashed wrong", n, i)
			}
		}
		if n < 1000 {
			continue
		}
		bad := append([][]byte(nil), raws...)
		bad[700] = bad[700][:len(bad[700])-3]
		bad[900] = []byte{9, 9, 9}
		_, _, _, err = DecodePushHashed(AppendPushFrame(nil, dev, bad))
		if !errors.Is(err, ErrBadFrame) || !strings.Contains(err.Error(), "op 700") {
			t.Errorf("two bad ops: got %v; want bad_frame naming op 700, the first", err)
		}
	}
}
