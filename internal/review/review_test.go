package review

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/model"
)

func TestSubmitApprove(t *testing.T) {
	ctx := context.Background()
	s := openMem(t)
	id := newReading(t, s, "东村")
	if _, err := Submit(ctx, s, id, "王网格", model.RoleGrid); err != nil {
		t.Fatalf("Submit: %v", err)
	}
	statusIs(t, s, id, model.DustfallEntered)

	items, err := Queue(s, Filter{County: county}, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || items[0].State.Record != id {
		t.Fatalf("queue: got %d items; want the reading", len(items))
	}

	st, err := Approve(ctx, s, id, "李科长", model.RoleCounty, now)
	if err != nil {
		t.Fatalf("Approve: %v", err)
	}
	for k, want := range map[string]model.Value{
		model.FieldStatus:     model.Str(model.DustfallApproved),
		model.FieldReviewedBy: model.Str("李科长"),
		model.FieldReviewedAt: model.Str("2023-12-02T09:30+08:00"),
	} {
		if got := st.Value(k); got != want {
			t.Errorf("%s: got %s; want %s", k, got, want)
		}
	}
	if items, _ := Queue(s, Filter{County: county}, now); len(items) != 0 {
		t.Errorf("queue after approval: got %d items; want 0", len(items))
	}
	if _, err := Approve(ctx, s, id, "李科长", model.RoleCounty, now); !errors.Is(err, ErrNotAwaiting) {
		t.Errorf("second approval: got %v; want %v", err, ErrNotAwaiting)
	}
}

func TestReturnEditResubmitApprove(t *testing.T) {
	ctx := context.Background()
	s := openMem(t)
	id := newReading(t, s, "东村")
	if _, err := Submit(ctx, s, id, "王网格", model.RoleGrid); err != nil {
		t.Fatal(err)
	}
	if _, err := Return(ctx, s, id, "李科长", model.RoleCounty, "  ", now); !errors.Is(err, ErrCommentRequired) {
		t.Fatalf("return without comment: got %v; want %v", err, ErrCommentRequired)
	}
	st, err := Return(ctx, s, id, "李科长", model.RoleCounty, "降尘量与称量记录不符", now)
	if err != nil {
		t.Fatalf("Return: %v", err)
	}
	if got, want := st.Value(model.FieldReviewComment), model.Str("降尘量与称量记录不符"); got != want {
		t.Errorf("comment: got %s; want %s", got, want)
	}
	statusIs(t, s, id, model.DustfallReturned)

	if _, err := Edit(ctx, s, store.Change{Record: id, Author: "王网格", Role: model.RoleGrid,
		Set: map[string]model.Value{"dustfall": model.Decimal(5.9)}}); err != nil {
		t.Fatalf("Edit: %v", err)
	}
	statusIs(t, s, id, model.DustfallReturned)
	if _, err := Submit(ctx, s, id, "王网格", model.RoleGrid); err != nil {
		t.Fatalf("resubmit: %v", err)
	}
	statusIs(t, s, id, model.DustfallEntered)
	st, err = Approve(ctx, s, id, "李科长", model.RoleCounty, now.Add(time.Hour))
	if err != nil {
		t.Fatalf("Approve: %v", err)
	}
	if got := st.Value(model.FieldReviewComment); !got.IsNull() {
		t.Errorf("comment after approval: got %s; want none", got)
	}
	if got, want := st.Value("dustfall"), model.Decimal(5.9); got != want {
		t.Errorf("dustfall: got %s; want %s", got, want)
	}

	// The history holds every step, the return's comment included.
	hist, err := s.History(id)
	if err != nil {
		t.Fatal(err)
	}
	var statuses []string
	comment := false
	for _, e := range hist {
		for _, c := range e.Changes {
			if c.Field == model.FieldStatus {
				v, _ := c.New.AsText()
				statuses = append(statuses, v)
			}
			if c.Field == model.FieldReviewComment && c.New == model.Str("降尘量与称量记录不符") {
				comment = true
			}
		}
	}
	want := []string{model.DustfallSampling, model.DustfallEntered, model.DustfallReturned, model.DustfallEntered, model.DustfallApproved}
	if len(statuses) != len(want) {
		t.Fatalf("status history: got %v; want %v", statuses, want)
	}
	for i := range want {
		if statuses[i] != want[i] {
			t.Fatalf("status history: got %v; want %v", statuses, want)
		}
	}
	if !comment {
		t.Errorf("history: the return comment is missing")
	}
}

func TestGridCannotApprove(t *testing.T) {
	ctx := context.Background()
	s := openMem(t)
	id := newReading(t, s, "东村")
	if _, err := Submit(ctx, s, id, "王网格", model.RoleGrid); err != nil {
		t.Fatal(err)
	}
	if _, err := Approve(ctx, s, id, "王网格", model.RoleGrid, now); !errors.Is(err, ErrForbidden) {
		t.Errorf("Approve as grid: got %v; want %v", err, ErrForbidden)
	}
	if _, err := BulkApprove(ctx, s, []uuid.UUID{id}, "王网格", model.RoleGrid, now, nil); !errors.Is(err, ErrForbidden) {
		t.Errorf("BulkApprove as grid: got %v; want %v", err, ErrForbidden)
	}
	if _, err := Return(ctx, s, id, "王网格", model.RoleGrid, "自己退回", now); !errors.Is(err, ErrForbidden) {
		t.Errorf("Return as grid: got %v; want %v", err, ErrForbidden)
	}
	// Going around the workflow to the store is refused as well.
	_, err := s.Append(ctx, store.Change{Record: id, Author: "王网格", Role: model.RoleGrid,
		Set: map[string]model.Value{model.FieldStatus: model.Str(model.DustfallApproved)}})
	if !errors.Is(err, model.ErrForbidden) {
		t.Errorf("store.Append approval as grid: got %v; want %v", err, model.ErrForbidden)
	}
	statusIs(t, s, id, model.DustfallEntered)
}

func TestEditAfterApprovalReopens(t *testing.T) {
	// A grid edit of a reviewed straw patrol sends it back to 已提交 in
	// the same op; the history shows the edit after approval, and the
	// county reviews it again.
	ctx := context.Background()
	s := openMem(t)
	id := newPatrol(t, s)
	if _, err := Submit(ctx, s, id, "王网格", model.RoleGrid); err != nil {
		t.Fatal(err)
	}
	if _, err := Approve(ctx, s, id, "李科长", model.RoleCounty, now); err != nil {
		t.Fatal(err)
	}
	statusIs(t, s, id, model.PatrolReviewed)

	st, err := Edit(ctx, s, store.Change{Record: id, Author: "王网格", Role: model.RoleGrid,
		Set: map[string]model.Value{"outreach": model.Str("补记：发放禁烧明白纸 30 份")}})
	if err != nil {
		t.Fatalf("grid edit of reviewed patrol: %v", err)
	}
	if got := statusOf(&st); got != model.PatrolSubmitted {
		t.Fatalf("status after edit: got %q; want %q", got, model.PatrolSubmitted)
	}
	items, err := Queue(s, Filter{County: county}, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || items[0].State.Record != id {
		t.Fatalf("queue after edit: got %d items; want the patrol", len(items))
	}

	hist, err := s.History(id)
	if err != nil {
		t.Fatal(err)
	}
	last := hist[len(hist)-1]
	changed := map[string]store.FieldChange{}
	for _, c := range last.Changes {
		changed[c.Field] = c
	}
	if c, ok := changed[model.FieldStatus]; !ok || c.Old != model.Str(model.PatrolReviewed) || c.New != model.Str(model.PatrolSubmitted) {
		t.Errorf("edit op: status change %+v; want %s → %s", c, model.PatrolReviewed, model.PatrolSubmitted)
	}
	if c, ok := changed["outreach"]; !ok || c.New != model.Str("补记：发放禁烧明白纸 30 份") {
		t.Errorf("edit op: outreach change %+v; want the edit in the same op", c)
	}
	if last.Author != "王网格" {
		t.Errorf("edit op author: got %q; want 王网格", last.Author)
	}

	st, err = Approve(ctx, s, id, "赵科长", model.RoleCounty, now.Add(time.Hour))
	if err != nil {
		t.Fatalf("approve again: %v", err)
	}
	for k, want := range map[string]model.Value{
		model.FieldStatus:     model.Str(model.PatrolReviewed),
		model.FieldReviewedBy: model.Str("赵科长"),
		"outreach":            model.Str("补记：发放禁烧明白纸 30 份"),
	} {
		if got := st.Value(k); got != want {
			t.Errorf("%s after second approval: got %s; want %s", k, got, want)
		}
	}
}

func TestEditAfterApprovalOfReading(t *testing.T) {
	// dustfall_monthly: a grid edit of an approved reading is reviewed
	// again; a county edit of an approved reading keeps it approved.
	ctx := context.Background()
	s := openMem(t)
	id := newReading(t, s, "东村")
	if _, err := Submit(ctx, s, id, "王网格", model.RoleGrid); err != nil {
		t.Fatal(err)
	}
	if _, err := Approve(ctx, s, id, "李科长", model.RoleCounty, now); err != nil {
		t.Fatal(err)
	}
	if _, err := Edit(ctx, s, store.Change{Record: id, Author: "李科长", Role: model.RoleCounty,
		Set: map[string]model.Value{"lab": model.Str("县监测站")}}); err != nil {
		t.Fatalf("county edit of approved: %v", err)
	}
	statusIs(t, s, id, model.DustfallApproved)
	if _, err := Edit(ctx, s, store.Change{Record: id, Author: "王网格", Role: model.RoleGrid,
		Set: map[string]model.Value{"dustfall": model.Decimal(7.2)}}); err != nil {
		t.Fatalf("grid edit of approved: %v", err)
	}
	statusIs(t, s, id, model.DustfallEntered)
	if _, err := Approve(ctx, s, id, "李科长", model.RoleCounty, now); err != nil {
		t.Fatalf("approve again: %v", err)
	}
	statusIs(t, s, id, model.DustfallApproved)
}

func TestEditAfterApprovalOfFinalStatus(t *testing.T) {
	// A site inspection approved as compliant is final (已审核（达标）):
	// grid staff cannot reopen it, so their edit is refused instead of
	// slipping past review; a county edit goes through.
	ctx := context.Background()
	s := openMem(t)
	id := newInspection(t, s)
	if _, err := Approve(ctx, s, id, "李科长", model.RoleCounty, now); err != nil {
		t.Fatal(err)
	}
	statusIs(t, s, id, model.InspCompliant)
	_, err := Edit(ctx, s, store.Change{Record: id, Author: "王网格", Role: model.RoleGrid,
		Set: map[string]model.Value{"org": model.Str("县城管执法局")}})
	if !errors.Is(err, ErrLocked) {
		t.Errorf("grid edit of compliant inspection: got %v; want %v", err, ErrLocked)
	}
	if _, err := Edit(ctx, s, store.Change{Record: id, Author: "李科长", Role: model.RoleCounty,
		Set: map[string]model.Value{"org": model.Str("县住建局")}}); err != nil {
		t.Errorf("county edit of compliant inspection: %v", err)
	}
	statusIs(t, s, id, model.InspCompliant)
}

func TestBulkApprove(t *testing.T) {
	ctx := context.Background()
	s := openMem(t)
	var ids []uuid.UUID
	for i := 0; i < 3; i++ {
		id := newReading(t, s, "东村")
		if _, err := Submit(ctx, s, id, "王网格", model.RoleGrid); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	notSubmitted := newReading(t, s, "西村")
	var calls int
	res, err := BulkApprove(ctx, s, append(ids, notSubmitted), "李科长", model.RoleCounty, now, func(done, total int) {
		calls++
		if total != 4 {
			t.Errorf("progress total: got %d; want 4", total)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Approved) != 3 || len(res.Failed) != 1 || !errors.Is(res.Failed[notSubmitted], ErrNotAwaiting) {
		t.Errorf("bulk: got %d approved, failed %v; want 3 approved and the unsubmitted reading not awaiting", len(res.Approved), res.Failed)
	}
	if calls != 4 {
		t.Errorf("progress calls: got %d; want 4", calls)
	}
	for _, id := range ids {
		statusIs(t, s, id, model.DustfallApproved)
	}
}

func TestConvergeAcrossDevices(t *testing.T) {
	ctx := context.Background()
	grid, county := openMem(t), openMem(t)
	for _, p := range [][2]*store.Store{{grid, county}, {county, grid}} {
		if err := p[1].RegisterDevice(p[0].Device(), p[0].PublicKey(), "peer"); err != nil {
			t.Fatal(err)
		}
	}
	exchange := func(from, to *store.Store) {
		t.Helper()
		ops, err := from.Ops(from.Device(), 0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := to.Apply(ctx, ops); err != nil {
			t.Fatalf("Apply: %v", err)
		}
	}
	id := newReading(t, grid, "东村")
	if _, err := Submit(ctx, grid, id, "王网格", model.RoleGrid); err != nil {
		t.Fatal(err)
	}
	exchange(grid, county)
	items, err := Queue(county, Filter{Register: "dustfall_monthly"}, now)
	if err != nil || len(items) != 1 {
		t.Fatalf("county queue: got %d items, %v; want 1", len(items), err)
	}
	if _, err := Return(ctx, county, id, "李科长", model.RoleCounty, "补充分析单位", now); err != nil {
		t.Fatal(err)
	}
	exchange(county, grid)
	if _, err := Edit(ctx, grid, store.Change{Record: id, Author: "王网格", Role: model.RoleGrid,
		Set: map[string]model.Value{"lab": model.Str("县监测站")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := Submit(ctx, grid, id, "王网格", model.RoleGrid); err != nil {
		t.Fatal(err)
	}
	exchange(grid, county)
	if _, err := Approve(ctx, county, id, "李科长", model.RoleCounty, now); err != nil {
		t.Fatal(err)
	}
	exchange(county, grid)

	a, err := grid.Get(id)
	if err != nil {
		t.Fatal(err)
	}
	b, err := county.Get(id)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Fields) != len(b.Fields) || a.Ops != b.Ops {
		t.Fatalf("replicas differ: %d fields/%d ops vs %d/%d", len(a.Fields), a.Ops, len(b.Fields), b.Ops)
	}
	for k, fa := range a.Fields {
		if fb := b.Fields[k]; fa.Value != fb.Value || fa.Version != fb.Version {
			t.Errorf("field %s: grid %s (%v); county %s (%v)", k, fa.Value, fa.Version, fb.Value, fb.Version)
		}
	}
	if got := statusOf(&a); got != model.DustfallApproved {
		t.Errorf("status on grid device: got %q; want %q", got, model.DustfallApproved)
	}
}
