package server_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/protocol"
)

// A device reports the served ops it set aside; the server counts them
// in its metrics and shows per device how many of its ops receivers
// refused. Reports are authenticated, bounded and checked.
func TestReport(t *testing.T) {
	e := newEnv(t)
	bad := e.enroll(hebei, county1, model.RoleGrid)
	r1 := e.enroll(hebei, county1, model.RoleGrid)
	r2 := e.enroll(hebei, county1, model.RoleCounty)
	r3 := e.enroll(hebei, county2, model.RoleGrid)
	// Seqs 2 and 3 applied in county 1, seq 4 refused.
	e.push(bad, []oplog.Op{bad.op(t, county1, nil), bad.op(t, county1, nil), bad.op(t, county1, nil), bad.op(t, county2, nil)})
	report := func(d *device, ops ...protocol.ReportedOp) reply {
		t.Helper()
		token := ""
		if d != nil {
			token = d.token
		}
		return e.doJSON("POST", protocol.PathReport, token, protocol.ReportRequest{Ops: ops})
	}
	sig := protocol.ReportedOp{Device: bad.id, Seq: 2, Code: protocol.RejectedSig}
	role := protocol.ReportedOp{Device: bad.id, Seq: 3, Code: protocol.RefusedRole}
	for i, st := range []struct {
		d    *device
		ops  []protocol.ReportedOp
		want int
	}{
		{r1, []protocol.ReportedOp{sig, role}, 2},
		{r1, []protocol.ReportedOp{sig}, 0},
		{r2, []protocol.ReportedOp{sig}, 1},
		// Never served to the reporter: another county's device, a
		// refused op, an op the server does not hold.
		{r3, []protocol.ReportedOp{sig}, 0},
		{r1, []protocol.ReportedOp{{Device: bad.id, Seq: 4, Code: protocol.RejectedSig}, {Device: bad.id, Seq: 9, Code: protocol.RejectedSig}}, 0},
	} {
		r := report(st.d, st.ops...)
		var resp protocol.ReportResponse
		if r.status != 200 || json.Unmarshal(r.body, &resp) != nil || resp.Recorded != st.want {
			t.Errorf("report %d: got %d %s; want 200 with %d recorded", i, r.status, r.body, st.want)
		}
	}
	for _, tt := range []struct {
		name   string
		r      reply
		status int
	}{
		{"no token", report(nil, sig), 401},
		{"unknown code", report(r1, protocol.ReportedOp{Device: bad.id, Seq: 2, Code: "whim"}), 400},
		{"no seq", report(r1, protocol.ReportedOp{Device: bad.id, Code: protocol.RejectedSig}), 400},
		{"too many", report(r1, make([]protocol.ReportedOp, protocol.MaxReportedOps+1)...), 400},
		{"too large", e.do("POST", protocol.PathReport, r1.token, protocol.ContentTypeJSON,
			bytes.Repeat([]byte(" "), protocol.MaxReportBytes+1)), 413},
	} {
		if tt.r.status != tt.status {
			t.Errorf("%s: got %d %s; want %d", tt.name, tt.r.status, tt.r.body, tt.status)
		}
	}

	r := e.do("GET", protocol.PathAdminDevices, e.admin, "", nil)
	var ds protocol.DevicesResponse
	if err := json.Unmarshal(r.body, &ds); err != nil {
		t.Fatal(err)
	}
	got := map[uuid.UUID]int{}
	for _, d := range ds.Devices {
		got[d.ID] = d.SetAside
	}
	if got[bad.id] != 2 || got[r1.id] != 0 || len(got) != 4 {
		t.Errorf("set aside by device: got %v; want 2 for %s and 0 for the others", got, bad.id)
	}
	m := string(e.do("GET", protocol.PathMetrics, "", "", nil).body)
	for _, want := range []string{`lantian_ops_set_aside_by_receivers_total{code="signature"} 2`, `lantian_ops_set_aside_by_receivers_total{code="role"} 1`} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}
