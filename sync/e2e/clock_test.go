package e2e

import (
	"testing"
	"time"

	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/client"
	"github.com/lantian-tz/lantian/sync/e2e/fixture"
	"github.com/lantian-tz/lantian/sync/protocol"
)

// clockAt opens a device store whose wall clock reads at + the time
// passed since the test began, and enrolls it for the fixture county.
func (e *env) clockAt(t *testing.T, name string, at time.Time) *device {
	t.Helper()
	start := time.Now()
	now := func() time.Time { return at.Add(time.Since(start)) }
	st, err := store.Open(store.Options{Dir: t.TempDir(), Logger: fixture.Logger(t), GCInterval: -1, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return e.enrollStore(name, protocol.Scope{County: fixture.County}, model.RoleGrid, st, func(c *client.Config) { c.Now = now })
}

// TestClockResetTo1970 is the tablet with a dead battery: its clock reads
// 1970. It syncs, sees a field's value (the later of two concurrent
// edits, the other kept as a conflict) and edits it. Its edit is the
// value every device shows, the unsettled conflict stays for a person,
// and its sync warns that its clock is wrong, also when it only pulls.
func TestClockResetTo1970(t *testing.T) {
	e := newEnv(t)
	a := e.enroll("甲", fixture.County, model.RoleGrid, nil)
	b := e.enroll("乙", fixture.County, model.RoleGrid, nil)
	rec := fixture.Create(t, a.st, 1)
	settle(t, a, b)

	// Two edits neither saw: 乙's, a minute later by its clock, wins;
	// 甲's stays a conflict.
	fixture.Edit(t, a.st, rec, map[string]model.Value{"contact_name": model.Str("李四")})
	if _, err := b.st.Append(t.Context(), store.Change{Record: rec, Author: "grid", Role: model.RoleGrid,
		Set: map[string]model.Value{"contact_name": model.Str("王五")}}); err != nil {
		t.Fatal(err)
	}
	settle(t, a, b)
	shown := func(d *device) (model.Value, int) {
		st, err := d.st.Get(rec)
		if err != nil {
			t.Fatal(err)
		}
		return st.Value("contact_name"), len(st.Conflicted("contact_name"))
	}
	before, _ := shown(a)

	old := e.clockAt(t, "旧平板", time.Date(1970, 1, 1, 8, 0, 0, 0, model.Beijing))
	res := old.sync(t) // pulls only: it has nothing to push
	if !res.ClockWarning() || res.ClockOffset > -50*365*24*time.Hour {
		t.Errorf("a pull-only sync with the clock at 1970: warning %v, offset %s; want a warning of decades behind", res.ClockWarning(), res.ClockOffset)
	}
	if s := res.Summary(); s.ZH == "" || s.EN == "" {
		t.Errorf("summary %+v; want both languages", s)
	}
	seen, _ := shown(old)
	if seen != before {
		t.Fatalf("the old tablet sees %s; the others show %s", seen, before)
	}
	fixture.Edit(t, old.st, rec, map[string]model.Value{"contact_name": model.Str("赵六")})
	res = old.sync(t)
	if !res.ClockWarning() {
		t.Errorf("the push from the old tablet: no clock warning (offset %s)", res.ClockOffset)
	}
	settle(t, a, b, old)
	for _, d := range []*device{a, b, old} {
		v, conflicts := shown(d)
		if v != model.Str("赵六") {
			t.Errorf("%s shows %s; want 赵六, the edit made after seeing %s", d.name, v, before)
		}
		if conflicts != 1 {
			t.Errorf("%s keeps %d conflicts of contact_name; want 1 (the unsettled concurrent edit)", d.name, conflicts)
		}
	}
	sameRecords(t, records(t, a.st), b, old)
}
