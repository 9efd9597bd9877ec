package store

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/model"
)

// A receiver that applied a revoked device's ops holds them, once they
// are withdrawn, among its received changes with the withdrawal's reason;
// the records they touched are as if they had never arrived (equal to a
// store that never received them, also after a later op of another
// device that saw them), a record only they made is gone, the log checks,
// and the withdrawal cursor is saved. Withdrawing again changes nothing.
func TestWithdrawHoldsOpsAndMergesWithout(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t)
	a, x, b, c := openMem(t), openMem(t), openMem(t), openMem(t)
	introduce(t, a, x, b, c)
	opsA := makeOps(t, a, fx, 1) // a creates a record
	rec := opsA[0].Record
	if _, err := x.Apply(ctx, opsA); err != nil {
		t.Fatal(err)
	}
	made, err := x.Append(ctx, fx.create(7)) // x makes a record of its own
	if err != nil {
		t.Fatal(err)
	}
	if _, err := x.Append(ctx, Change{Record: rec, Role: model.RoleGrid, Set: map[string]model.Value{fx.textKeys[0]: model.Str("篡改")}}); err != nil {
		t.Fatal(err)
	}
	opsX, err := x.Ops(x.Device(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	// a sees x's edit, then edits the record's other field.
	if _, err := a.Apply(ctx, opsX); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Append(ctx, Change{Record: rec, Role: model.RoleGrid, Set: map[string]model.Value{fx.textKeys[1]: model.Str("核实")}}); err != nil {
		t.Fatal(err)
	}
	opsA, err = a.Ops(a.Device(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	// b got everything; c never got x's ops.
	if _, err := b.ApplyPage(ctx, append(append([]oplog.Op{}, opsA[:1]...), append(opsX, opsA[1:]...)...), 3); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ApplyPage(ctx, opsA, 3); err != nil {
		t.Fatal(err)
	}
	if got, err := b.Get(rec); err != nil || got.Fields[fx.textKeys[0]].Value != model.Str("篡改") {
		t.Fatalf("before the withdrawal b has %+v, %v; want x's edit", got.Fields[fx.textKeys[0]], err)
	}

	reason := model.Text{ZH: "设备已被省级管理员吊销，其全部修改已撤回", EN: "Device revoked by the province; all its changes were withdrawn"}
	w := Withdrawal{Device: x.Device(), Seqs: []uint64{1, 2}, Reason: reason}
	held, err := b.Withdraw(ctx, []Withdrawal{w}, 4)
	if err != nil || held != 2 {
		t.Fatalf("Withdraw = %d, %v; want 2 held", held, err)
	}
	if got, want := states(t, b), states(t, c); !reflect.DeepEqual(got, want) {
		t.Errorf("b after the withdrawal:\n%+v\nwant c's, which never got x's ops:\n%+v", got, want)
	}
	if _, err := b.Get(made.Record); !errors.Is(err, ErrNotFound) {
		t.Errorf("record made by x only: %v; want ErrNotFound", err)
	}
	if err := b.Check(ctx); err != nil {
		t.Errorf("Check after the withdrawal: %v", err)
	}
	q, err := b.Quarantined()
	if err != nil || len(q) != 2 {
		t.Fatalf("held changes %+v, %v; want x's 2 ops", q, err)
	}
	for i, h := range q {
		if h.Op.Device != x.Device() || h.Op.Seq != uint64(i+1) || !h.Received || h.Code != Withdrawn || h.Reason != reason {
			t.Errorf("held %d: %v/%d received %v code %q reason %v; want x's op %d, withdrawn, %v", i, h.Op.Device, h.Op.Seq, h.Received, h.Code, h.Reason, i+1, reason)
		}
	}
	if un, err := b.Unreported(0); err != nil || len(un) != 0 {
		t.Errorf("Unreported = %+v, %v; want none (the server withdrew them)", un, err)
	}
	if cur, err := b.WithdrawalCursor(); err != nil || cur != 4 {
		t.Errorf("WithdrawalCursor = %d, %v; want 4", cur, err)
	}
	// Again, and on c, which never had the ops: nothing to hold.
	before := states(t, b)
	if held, err := b.Withdraw(ctx, []Withdrawal{w}, 4); err != nil || held != 0 {
		t.Errorf("Withdraw again = %d, %v; want 0", held, err)
	}
	if !reflect.DeepEqual(states(t, b), before) {
		t.Errorf("Withdraw again changed the states")
	}
	if held, err := c.Withdraw(ctx, []Withdrawal{w}, 4); err != nil || held != 0 {
		t.Errorf("Withdraw on c = %d, %v; want 0", held, err)
	}
	if q, err := c.Quarantined(); err != nil || len(q) != 0 {
		t.Errorf("c holds %+v, %v; want nothing (it never got the ops)", q, err)
	}
	// b's sync goes on: a's next op applies alike on both.
	if _, err := a.Append(ctx, Change{Record: rec, Role: model.RoleGrid, Set: map[string]model.Value{fx.textKeys[0]: model.Str("复核")}}); err != nil {
		t.Fatal(err)
	}
	next, err := a.Ops(a.Device(), 2, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []*Store{b, c} {
		if _, err := s.ApplyPage(ctx, next, 5); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := states(t, b), states(t, c); !reflect.DeepEqual(got, want) {
		t.Errorf("b and c differ after a's next op")
	}
}
