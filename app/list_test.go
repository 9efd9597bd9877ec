package app

import (
	"context"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/lantian-tz/lantian/internal/demo"
	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/model"
)

// countingStore counts the list queries the screens make.
type countingStore struct {
	deviceStore
	lists, counts int
}

func (s *countingStore) List(q store.Query) (store.Page, error) {
	s.lists++
	return s.deviceStore.List(q)
}

func (s *countingStore) Count(q store.Query) (int, error) {
	s.counts++
	return s.deviceStore.Count(q)
}

// TestListRedrawsChangedRow: an edit of a shown record that keeps its
// place redraws that row from the record alone: no list query, the other
// rows are not reloaded. (Fyne 2.7's RefreshItem also runs UpdateItem
// again for the other visible rows, from the rows in memory.) An edit that
// moves a record, and a new record, reload the rows and the count as
// before.
func TestListRedrawsChangedRow(t *testing.T) {
	a := newTestApp(t, LangZH, nil)
	seed(t, a, "straw_patrol", 5)
	sc, _ := model.Lookup("straw_patrol")
	cs := &countingStore{deviceStore: a.st}
	a.st = cs
	list := newListScreen(a, sc)
	a.shell.push(list)
	rows := map[int]fyne.CanvasObject{} // the row objects drawn, by index
	update := list.list.UpdateItem
	list.list.UpdateItem = func(i widget.ListItemID, o fyne.CanvasObject) {
		rows[i] = o
		update(i, o)
	}
	list.list.Refresh()
	if len(rows) != len(list.rows) {
		t.Fatalf("got %d rows drawn; want all %d", len(rows), len(list.rows))
	}
	ctx := context.Background()
	edit := func(i int, village string) {
		t.Helper()
		if _, err := a.own.Append(ctx, store.Change{Record: list.rows[i].Record, Author: "审核员", Role: model.RoleCounty,
			Set: map[string]model.Value{model.FieldVillage: model.Str(village)}}); err != nil {
			t.Fatal(err)
		}
	}

	// The first row (most recently changed) stays first.
	lists, counts := cs.lists, cs.counts
	before := slices.Clone(list.rows)
	edit(0, "新村")
	if cs.lists != lists || cs.counts != counts {
		t.Errorf("got %d list and %d count queries; want none", cs.lists-lists, cs.counts-counts)
	}
	if v, _ := list.rows[0].Value(model.FieldVillage).AsText(); v != "新村" {
		t.Errorf("got village %q in row 0; want 新村", v)
	}
	if !shows(rows[0], "新村") {
		t.Error("row 0 does not show 新村")
	}
	for i := 1; i < len(list.rows); i++ {
		if list.rows[i].Record != before[i].Record || list.rows[i].Updated != before[i].Updated {
			t.Errorf("row %d changed; want it as loaded", i)
		}
	}

	// The last row becomes the most recently changed: the rows reload.
	last := list.rows[len(list.rows)-1].Record
	edit(len(list.rows)-1, "后村")
	if cs.lists == lists {
		t.Error("got no list query after a record moved; want the rows reloaded")
	}
	if list.rows[0].Record != last {
		t.Errorf("got %s first; want the record just changed, %s", list.rows[0].Record, last)
	}

	// A new record enters the list and the count.
	for _, sd := range demo.Records(rand.New(rand.NewPCG(1, 2)), testCounty, 100) {
		if sd.Register == "straw_patrol" {
			if _, err := a.seedOne(sd, "张伟", "审核员"); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	if got := len(list.rows); got != 6 {
		t.Errorf("got %d rows after a new record; want 6", got)
	}
	if !strings.Contains(list.count.Text, "6") {
		t.Errorf("got count %q; want 6", list.count.Text)
	}
}

// shows reports whether a label in o shows text.
func shows(o fyne.CanvasObject, text string) bool {
	found := false
	walk(o, func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok && strings.Contains(l.Text, text) {
			found = true
		}
	})
	return found
}
