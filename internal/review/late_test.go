package review

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/model"
)

// Edits of a record's approved values made after its approval are
// counted with who, when and which fields, whether they reopened it (grid
// staff) or not (the county); review steps, values written unchanged and
// edits before the approval do not count.
func TestLateEditsAfterApproval(t *testing.T) {
	s := openMem(t)
	ctx := context.Background()
	id := newReading(t, s, "东村")
	newReading(t, s, "西村") // never approved
	sc, _ := model.Lookup("dustfall_monthly")
	// An edit before review, then submitted and approved.
	if _, err := s.Append(ctx, store.Change{Record: id, Author: "王网格", Role: model.RoleGrid, Set: map[string]model.Value{"dustfall": model.Decimal(6.5)}}); err != nil {
		t.Fatal(err)
	}
	submitAndApprove := func() {
		t.Helper()
		if _, err := Submit(ctx, s, id, "王网格", model.RoleGrid); err != nil {
			t.Fatalf("submit: %v", err)
		}
		if _, err := Approve(ctx, s, id, "李科长", model.RoleCounty, now); err != nil {
			t.Fatalf("approve: %v", err)
		}
	}
	submitAndApprove()
	a, err := LateEditsOf(s, sc, id)
	if err != nil {
		t.Fatal(err)
	}
	if !a.Approved() || a.ApprovedBy != "李科长" || len(a.Edits) != 0 || a.Mark("zh") != "" {
		t.Fatalf("just approved: %+v, mark %q; want approved by 李科长, no edits, no mark", a, a.Mark("zh"))
	}
	// A field left empty at approval, filled in later, changes nothing
	// that was approved.
	if _, err := s.Append(ctx, store.Change{Record: id, Author: "李科长", Role: model.RoleCounty, Now: now, Set: map[string]model.Value{"remarks": model.Str("称量记录已核")}}); err != nil {
		t.Fatalf("fill remarks: %v", err)
	}
	if a, _ := LateEditsOf(s, sc, id); len(a.Edits) != 0 {
		t.Fatalf("filling an empty field counted as a change after approval: %+v", a.Edits)
	}
	// The county changes the approved value; grid staff change it later
	// (which reopens it) and it is approved again.
	if _, err := s.Append(ctx, store.Change{Record: id, Author: "李科长", Role: model.RoleCounty, Now: now, Set: map[string]model.Value{"dustfall": model.Decimal(5.1)}}); err != nil {
		t.Fatalf("county edit: %v", err)
	}
	if _, err := s.Append(ctx, store.Change{Record: id, Author: "王网格", Role: model.RoleGrid, Set: map[string]model.Value{"valid": model.Bool(true), "dustfall": model.Decimal(4.0)}}); err != nil {
		t.Fatalf("grid edit: %v", err)
	}
	if st, _ := s.Get(id); model.NewFlow(sc).IsApproved(statusOf(&st)) {
		t.Fatalf("a grid edit left the record approved (%s)", statusOf(&st))
	}
	if _, err := Approve(ctx, s, id, "李科长", model.RoleCounty, now); err != nil {
		t.Fatalf("approve again: %v", err)
	}
	a, err = LateEditsOf(s, sc, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Edits) != 2 {
		t.Fatalf("%d edits after approval; want 2 (the county's and the grid's): %+v", len(a.Edits), a.Edits)
	}
	if a.Edits[0].Author != "李科长" || !slices.Equal(a.Edits[0].Fields, []string{"dustfall"}) {
		t.Errorf("first late edit %+v; want 李科长 changing dustfall", a.Edits[0])
	}
	if a.Edits[1].Author != "王网格" || !slices.Equal(a.Edits[1].Fields, []string{"dustfall"}) {
		t.Errorf("second late edit %+v; want 王网格 changing dustfall (valid was written unchanged)", a.Edits[1])
	}
	if m := a.Mark("zh"); !strings.HasPrefix(m, "审核通过后修改 2 次（最近 王网格 ") {
		t.Errorf("mark %q", m)
	}
	if m := a.Mark("en"); !strings.HasPrefix(m, "changed 2× after approval (last 王网格 ") {
		t.Errorf("mark %q", m)
	}
	// Per county: one record changed after approval, two changes; the
	// other reading was never approved.
	counts, err := CountLateEdits(ctx, s, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(counts) != 1 || counts[0] != (LateEditCount{County: county, Records: 1, Edits: 2}) {
		t.Errorf("per county: %+v; want %s: 1 record, 2 edits", counts, county)
	}
}
