package app

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lantian-tz/lantian/internal/evidence"
	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/internal/verify"
	"github.com/lantian-tz/lantian/internal/vouch"
	"github.com/lantian-tz/lantian/model"
)

// lantian verify --data DIR checks a device store without a window: a
// clean store passes with its counts in both languages (and as JSON), and
// a bad --record is refused with a message that says why.
func TestVerifyCommand(t *testing.T) {
	dir := t.TempDir()
	st, err := store.Open(store.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	set := map[string]model.Value{
		"point_no": model.Str("130126-JC-01"), "name": model.Str("灵寿镇降尘监测点"), "point_type": model.Str("regular"),
		"township": model.Str("灵寿镇"), "location": model.GPS(model.Point{Lat: 38.3, Lon: 114.4}),
	}
	if _, err := st.Append(context.Background(), store.Change{Register: "dustfall_point", County: "130126",
		Author: "县局", Role: model.RoleCounty, Set: set}); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	var out bytes.Buffer
	if err := runVerify([]string{"--data", dir}, &out); err != nil {
		t.Fatalf("verify: %v\n%s", err, out.String())
	}
	for _, want := range []string{"已核验 1 条记录、1 个操作、1 台设备", "Checked 1 records, 1 ops, 1 devices", "No problems"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	if err := runVerify([]string{"--data", dir, "--json"}, &out); err != nil {
		t.Fatal(err)
	}
	var rep verify.Report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil || rep.Ops != 1 || rep.Records != 1 || len(rep.Problems) != 0 {
		t.Errorf("JSON report %+v, %v; want 1 op, 1 record, no problems", rep, err)
	}
	err = runVerify([]string{"--data", dir, "--record", "nope"}, &out)
	if err == nil || !strings.Contains(err.Error(), "不是记录编号") || !strings.Contains(err.Error(), "is not a record id") {
		t.Errorf("bad --record: got %v; want a bilingual refusal", err)
	}
}

// lantian verify PACK.zip checks an evidence pack made by a device's
// store offline, against a province key given on the command line, and
// fails once one byte of it changed.
func TestVerifyPackCommand(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(store.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	set := map[string]model.Value{
		"point_no": model.Str("130126-JC-02"), "name": model.Str("慈峪镇降尘监测点"), "point_type": model.Str("regular"),
		"township": model.Str("慈峪镇"), "location": model.GPS(model.Point{Lat: 38.4, Lon: 114.3}),
	}
	rec, err := st.Append(ctx, store.Change{Register: "dustfall_point", County: "130126", Author: "县局", Role: model.RoleCounty, Set: set})
	if err != nil {
		t.Fatal(err)
	}
	_, province, _ := ed25519.GenerateKey(nil)
	sg, err := vouch.Sign(province, vouch.Statement{Device: st.Device(), Key: st.PublicKey(), Province: "130000", County: "130126",
		Role: model.RoleCounty, Enrolled: time.Now().Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetMeta(vouch.MetaKey(st.Device()), sg.Marshal()); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := evidence.Build(ctx, &buf, st.EvidenceSource(), rec.Record, evidence.Options{}); err != nil {
		t.Fatal(err)
	}
	pack := filepath.Join(t.TempDir(), "证据包.zip")
	if err := os.WriteFile(pack, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	key := vouch.KeyText(province.Public().(ed25519.PublicKey))
	var out bytes.Buffer
	if err := runVerify([]string{pack, "--province-pubkey", key}, &out); err != nil || !strings.Contains(out.String(), "核验通过") {
		t.Fatalf("verify pack: %v\n%s", err, out.String())
	}
	b := buf.Bytes()
	b[len(b)/2] ^= 0x04
	if err := os.WriteFile(pack, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := runVerify([]string{pack, "--province-pubkey", key}, &out); err == nil || !strings.Contains(out.String(), "FAILED") {
		t.Errorf("verify of an altered pack: %v\n%s", err, out.String())
	}
}
