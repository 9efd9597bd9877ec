package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/review"
	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/model"
)

// A record's detail names the records it refers to by their titles, in
// its values and its history, and lists its history in time order.
func TestDetailShowsReferencedTitlesAndHistoryInOrder(t *testing.T) {
	clock := time.Date(2023, 11, 20, 9, 0, 0, 0, model.Beijing)
	a := newTestAppAt(t, func() time.Time { return clock })
	grid := seed(t, a, "straw_grid", 1)[0]
	patrol := seed(t, a, "straw_patrol", 1)[0]
	gridSc, _ := model.Lookup("straw_grid")
	gridTitle := a.recordTitle(gridSc, &grid)
	id := grid.Record.String()
	clock = clock.Add(2 * time.Hour) // the edit comes later
	var appendErr error
	a.append(store.Change{Record: patrol.Record, Set: map[string]model.Value{"grid": model.Str(id)}},
		func(_ storeState, err error) { appendErr = err })
	if appendErr != nil {
		t.Fatal(appendErr)
	}
	d := newDetail(a, patrol.Record)
	a.shell.push(d)
	var texts, times []string
	walk(d.root, func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok {
			texts = append(texts, l.Text)
			if l.TextStyle.Italic {
				times = append(times, l.Text[:len("2006-01-02 15:04:05")])
			}
		}
	})
	all := strings.Join(texts, "\n")
	if strings.Contains(all, id) {
		t.Errorf("detail shows the raw id %s", id)
	}
	if n := strings.Count(all, gridTitle); n < 2 {
		t.Errorf("grid title %q shown %d times; want in the values and the history", gridTitle, n)
	}
	if len(times) < 2 || times[0] == times[len(times)-1] {
		t.Fatalf("history times %v; want at least two different", times)
	}
	for i := 1; i < len(times); i++ {
		if times[i] < times[i-1] {
			t.Errorf("history out of time order: %v", times)
			break
		}
	}
}

// newTestAppAt is newTestApp (Chinese, offline) on the clock now.
func newTestAppAt(t *testing.T, now func() time.Time) *App {
	t.Helper()
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	fa := test.NewTempApp(t)
	fa.Preferences().SetString(prefLanguage, LangZH)
	a := New(fa, Options{InMemory: true, inline: true, Now: now})
	t.Cleanup(func() { a.Close() })
	fa.Settings().SetTheme(NewTheme(false))
	a.Start()
	a.setCounty(testCounty, widget.NewLabel(""))
	signInAs(t, a, "张伟", model.RoleGrid)
	return a
}

// A record changed after its approval says so at the top, and its
// history marks the change.
func TestDetailMarksChangesAfterApproval(t *testing.T) {
	a := newTestApp(t, LangZH, nil)
	f, _ := review.FlowOf("dustfall_monthly")
	var id uuid.UUID
	for _, st := range seed(t, a, "dustfall_monthly", 40) {
		if _, ok := f.Gate(func() string { s, _ := st.Value(model.FieldStatus).AsText(); return s }()); ok {
			id = st.Record
			break
		}
	}
	if id == uuid.Nil {
		t.Fatal("no demo reading awaiting review")
	}
	ctx := context.Background()
	if _, err := review.Approve(ctx, a.st, id, "李审核", model.RoleCounty, a.opts.Now()); err != nil {
		t.Fatal(err)
	}
	d := newDetail(a, id)
	a.shell.push(d)
	if txt := labelsText(d.root); strings.Contains(txt, "审核通过后修改") {
		t.Fatalf("just approved, the detail shows a change after approval:\n%s", txt)
	}
	if _, err := a.st.Append(ctx, store.Change{Record: id, Author: "赵改", Role: model.RoleCounty, Set: map[string]model.Value{"dustfall": model.Decimal(3.3)}}); err != nil {
		t.Fatal(err)
	}
	d = newDetail(a, id)
	a.shell.push(d)
	txt := labelsText(d.root)
	if !strings.Contains(txt, "审核通过后修改 1 次（最近 赵改 ") {
		t.Errorf("the detail does not mark the change after approval:\n%s", txt)
	}
	if !strings.Contains(txt, "赵改  · 审核通过后") {
		t.Errorf("the history does not mark the change as made after approval:\n%s", txt)
	}
}
