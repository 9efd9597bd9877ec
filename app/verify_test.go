package app

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/internal/verify"
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
