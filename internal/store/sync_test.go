package store

import (
	"context"
	"reflect"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/model"
)

func TestSyncBookkeeping(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t)
	a, b := openMem(t), openMem(t)
	introduce(t, a, b)
	r1, err := a.Append(ctx, fx.create(1))
	if err != nil {
		t.Fatal(err)
	}
	r2, err := a.Append(ctx, fx.create(2))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Append(ctx, Change{Record: r2.Record, Role: model.RoleGrid, Set: map[string]model.Value{fx.textKeys[0]: model.Str("改")}}); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		acked       uint64
		wantPending int
		wantSynced  [2]bool
	}{
		{0, 3, [2]bool{false, false}},
		{1, 2, [2]bool{true, false}},
		{2, 1, [2]bool{true, false}},
		{1, 1, [2]bool{true, false}}, // never backwards
		{3, 0, [2]bool{true, true}},
	}
	for i, st := range steps {
		if err := a.SetAcked(st.acked); err != nil {
			t.Fatalf("step %d: SetAcked: %v", i, err)
		}
		n, err := a.Pending()
		if err != nil || n != st.wantPending {
			t.Fatalf("step %d: Pending = %d, %v; want %d", i, n, err, st.wantPending)
		}
		for j, rec := range []uuid.UUID{r1.Record, r2.Record} {
			ok, err := a.SyncStatus(rec)
			if err != nil || ok != st.wantSynced[j] {
				t.Fatalf("step %d: SyncStatus(r%d) = %v, %v; want %v", i, j+1, ok, err, st.wantSynced[j])
			}
		}
	}
	if err := a.SetAcked(4); err == nil {
		t.Fatalf("SetAcked beyond LocalSeq: got nil error; want an error")
	}

	// Quarantine and release.
	id := a.Device()
	reason := model.Text{ZH: "超出范围", EN: "out of scope"}
	if err := a.Quarantine(opID(id, 2), reason); err != nil {
		t.Fatal(err)
	}
	q, err := a.Quarantined()
	if err != nil || len(q) != 1 || q[0].Op.Seq != 2 || q[0].Reason != reason {
		t.Fatalf("Quarantined = %+v, %v; want op 2 with its reason", q, err)
	}
	if err := a.Quarantine(opID(id, 99), reason); err == nil {
		t.Fatalf("Quarantine of a missing op: got nil error; want an error")
	}
	if err := a.Release(opID(id, 2)); err != nil {
		t.Fatal(err)
	}
	if q, err := a.Quarantined(); err != nil || len(q) != 0 {
		t.Fatalf("after Release: %+v, %v; want none", q, err)
	}

	// A pulled page and its cursor are saved together.
	ops, err := a.Ops(a.Device(), 0, 2)
	if err != nil || len(ops) != 2 {
		t.Fatalf("Ops limit 2 = %d, %v", len(ops), err)
	}
	if _, err := b.ApplyPage(ctx, ops, 17); err != nil {
		t.Fatal(err)
	}
	if c, err := b.Cursor(); err != nil || c != 17 {
		t.Fatalf("Cursor = %d, %v; want 17", c, err)
	}
	vv, err := b.VersionVector()
	if err != nil || vv[a.Device()] != 2 {
		t.Fatalf("VersionVector = %v, %v; want %s: 2", vv, err, a.Device())
	}
}

func TestSubscribe(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t)
	a, b := openMem(t), openMem(t)
	introduce(t, a, b)
	var mu sync.Mutex
	var got []Event
	cancel := b.Subscribe(func(ev Event) {
		// Reading the store from the callback must not deadlock.
		for _, r := range ev.Records {
			if _, err := b.Get(r); err != nil {
				t.Errorf("Get in callback: %v", err)
			}
		}
		// Nor writing to it (the store's lock is not held).
		if ev.Kind == Stamped {
			if err := b.SetAcked(b.LocalSeq()); err != nil {
				t.Errorf("SetAcked in callback: %v", err)
			}
		}
		mu.Lock()
		got = append(got, ev)
		mu.Unlock()
	})
	st, err := b.Append(ctx, fx.create(1))
	if err != nil {
		t.Fatal(err)
	}
	ra, err := a.Append(ctx, fx.create(2))
	if err != nil {
		t.Fatal(err)
	}
	ops, _ := a.Ops(a.Device(), 0, 0)
	if _, err := b.Apply(ctx, ops); err != nil {
		t.Fatal(err)
	}
	if err := b.Stamp(ctx, []Stamp{{ID: ops[0].ID(), Eff: ops[0].HLC, ServerSeq: 1}}); err != nil {
		t.Fatal(err)
	}
	cancel()
	if _, err := b.Append(ctx, fx.create(3)); err != nil {
		t.Fatal(err)
	}
	want := []Event{
		{Kind: Appended, Records: []uuid.UUID{st.Record}},
		{Kind: Applied, Records: []uuid.UUID{ra.Record}},
		{Kind: Stamped, Records: []uuid.UUID{ra.Record}},
	}
	mu.Lock()
	defer mu.Unlock()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("events = %+v; want %+v", got, want)
	}
}

func TestRegisterDevice(t *testing.T) {
	a, b, c := openMem(t), openMem(t), openMem(t)
	tests := []struct {
		name    string
		id      uuid.UUID
		key     []byte
		wantErr bool
	}{
		{"new device", b.Device(), b.PublicKey(), false},
		{"same key again", b.Device(), b.PublicKey(), false},
		{"another key for it", b.Device(), c.PublicKey(), true},
		{"another key for this device", a.Device(), c.PublicKey(), true},
		{"short key", c.Device(), c.PublicKey()[:10], true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := a.RegisterDevice(tt.id, tt.key, "")
			if (err != nil) != tt.wantErr {
				t.Fatalf("got %v; want error %v", err, tt.wantErr)
			}
		})
	}
}
