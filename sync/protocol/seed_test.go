package protocol

import (
	"crypto/ed25519"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/hlc"
	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/model"
)

var updateSeeds = flag.Bool("update-seeds", false, "rewrite the fuzz seed corpus under testdata/fuzz")

// seedOps returns two signed, chained ops of a device with a fixed key.
func seedOps() ([]oplog.Op, ed25519.PublicKey) {
	priv := ed25519.NewKeyFromSeed(make([]byte, 32))
	dev := uuid.MustParse("0193a1c2-5b6e-7f00-8a1b-2c3d4e5f6a7b")
	other := uuid.MustParse("0193a1c2-5b6e-7f00-8a1b-000000000002")
	rec := uuid.MustParse("0193a1c2-5b6e-7f00-8a1b-000000000003")
	a := oplog.Op{Device: dev, Seq: 1, HLC: hlc.Make(1764392000000, 0), Record: rec, Register: "farm_coal_facility",
		County: "130126", Author: "张三", Set: map[string]model.Value{"name": model.Str("烤烟房1号"), "fuel_tons": model.Decimal(2.5)}}
	a.Sign(priv)
	b := oplog.Op{Device: dev, Seq: 2, HLC: hlc.Make(1764392000001, 3), Record: rec, Register: "farm_coal_facility",
		County: "130126", Author: "张三", Set: map[string]model.Value{"name": model.Str("烤烟房2号")},
		Parent: map[string][]oplog.OpID{"name": {{Device: dev, Seq: 1}, {Device: other, Seq: 7}}}, Prev: a.Hash()}
	b.Sign(priv)
	return []oplog.Op{a, b}, priv.Public().(ed25519.PublicKey)
}

// seeds are the corpus entries of each fuzz target taking one []byte.
func seeds(t *testing.T) map[string][][]byte {
	ops, pub := seedOps()
	push, err := EncodePush(PushRequest{Device: ops[0].Device, Ops: ops})
	if err != nil {
		t.Fatal(err)
	}
	stamped := append([]oplog.Op(nil), ops...)
	stamped[0].ServerSeq, stamped[0].Eff = 41, stamped[0].HLC
	stamped[1].ServerSeq, stamped[1].Eff = 42, stamped[1].HLC-1
	page, err := EncodePull(PullResponse{Cursor: 42, More: true, ServerTime: 1764392000000,
		Keys: []DeviceKey{{Device: ops[0].Device, Key: pub}}, Ops: stamped, ScopePrev: []uint64{0, 1}})
	if err != nil {
		t.Fatal(err)
	}
	enroll, _ := json.Marshal(EnrollRequest{Code: "K7QM-3RTA-9WXE", Device: ops[0].Device, PublicKey: pub, Label: "王家庄网格 平板2"})
	return map[string][][]byte{
		"FuzzDecodePush":        {push, push[:len(push)/2], AppendPushFrame(nil, ops[0].Device, nil)},
		"FuzzParsePushFrame":    {push, []byte("LTP\x01")},
		"FuzzDecodePull":        {page, page[:len(page)-5], AppendPageFrame(nil, PageFrame{Cursor: 7})},
		"FuzzParsePageFrame":    {page},
		"FuzzDecodeEnroll":      {enroll, []byte(`{"code":"x","device":"0193a1c2-5b6e-7f00-8a1b-2c3d4e5f6a7b","public_key":"AA=="}`)},
		"FuzzDecodePullRequest": {[]byte(`{"cursor":12,"max_bytes":1048576}`), []byte(`{"cursor":-1}`), []byte(`{"max_bytes":99999999999}`)},
	}
}

// TestFuzzSeeds checks the committed seed corpus: the valid seeds still
// decode (so the fuzzers start from real frames), and -update-seeds
// rewrites it.
func TestFuzzSeeds(t *testing.T) {
	for target, entries := range seeds(t) {
		dir := filepath.Join("testdata", "fuzz", target)
		for i, b := range entries {
			path := filepath.Join(dir, "seed-"+strconv.Itoa(i))
			want := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", b)
			if *updateSeeds {
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			got, err := os.ReadFile(path)
			if err != nil || string(got) != want {
				t.Errorf("%s: seed out of date (%v); run go test -run TestFuzzSeeds -update-seeds", path, err)
			}
		}
	}
	ops, _ := seedOps()
	push, _ := EncodePush(PushRequest{Device: ops[0].Device, Ops: ops})
	req, err := DecodePush(push)
	if err != nil || len(req.Ops) != 2 || req.Ops[1].Hash() != ops[1].Hash() {
		t.Errorf("seed push: got %d ops, %v; want the 2 seed ops", len(req.Ops), err)
	}
}
