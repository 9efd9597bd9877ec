package app

import (
	"slices"
	"testing"

	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"

	"github.com/lantian-tz/lantian/model"
)

// Returning a record needs a comment: OK with an empty box says so and
// keeps the dialog open, and the box is wide enough to write in.
func TestReturnAsksForComment(t *testing.T) {
	for _, language := range []string{LangZH, LangEN} {
		t.Run(language, func(t *testing.T) {
			a := newTestApp(t, language, nil)
			states := seed(t, a, "", 120)
			signInAs(t, a, "李审核", model.RoleCounty)
			var st *storeState
			var tr model.Transition
			for i := range states {
				sc, _ := model.Lookup(states[i].Register)
				status, _ := states[i].Value(model.FieldStatus).AsText()
				for _, x := range sc.NextStatuses(status, model.RoleCounty) {
					if x.Comment && st == nil {
						st, tr = &states[i], x
					}
				}
			}
			if st == nil {
				t.Fatal("no seeded record can be returned")
			}
			a.shell.push(newDetail(a, st.Record))
			b := button(a, tr.Label.In(a.textLang()))
			if b == nil {
				t.Fatalf("no %q button on the record", tr.Label.In(a.textLang()))
			}
			test.Tap(b)
			dlg := a.win.Canvas().Overlays().Top()
			entries, _, ok, msg := dialogParts(t, a, lang.L("OK"))
			if len(entries) != 1 {
				t.Fatalf("got %d entries in the comment dialog; want 1", len(entries))
			}
			if w := entries[0].Size().Width; w < 400 {
				t.Errorf("comment box is %.0f wide; want ≥ 400", w)
			}
			test.Tap(ok)
			if a.win.Canvas().Overlays().Top() != dlg {
				t.Fatal("dialog closed on an empty comment; want it kept open")
			}
			if msg.Text == "" || msg.Hidden {
				t.Error("no message on an empty comment")
			}
			got, _ := a.st.Get(st.Record)
			if s, _ := got.Value(model.FieldStatus).AsText(); s == tr.To {
				t.Fatalf("returned without a comment")
			}
			test.Type(entries[0], "照片不清楚")
			test.Tap(ok)
			if slices.Contains(a.win.Canvas().Overlays().List(), dlg) {
				t.Error("dialog still open after OK with a comment")
			}
			got, _ = a.st.Get(st.Record)
			if s, _ := got.Value(model.FieldStatus).AsText(); s != tr.To {
				t.Errorf("got status %q; want %q", s, tr.To)
			}
			if c, _ := got.Value(model.FieldReviewComment).AsText(); c != "照片不清楚" {
				t.Errorf("got comment %q; want 照片不清楚", c)
			}
		})
	}
}
