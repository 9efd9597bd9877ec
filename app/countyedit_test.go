package app

import (
	"testing"

	"github.com/lantian-tz/lantian/internal/review"
	"github.com/lantian-tz/lantian/model"
)

// A grid-staff edit of an approved record, saved from the form, sends the
// record back to review in the same op.
func TestGridEditOfApprovedReopensReview(t *testing.T) {
	a := newTestApp(t, LangZH, nil)
	var found bool
	for _, st := range seed(t, a, "", 200) {
		f, ok := review.FlowOf(st.Register)
		if !ok {
			continue
		}
		status, _ := st.Value(model.FieldStatus).AsText()
		to, ok := f.Reopen(status)
		if !ok {
			continue
		}
		sc, _ := model.Lookup(st.Register)
		var key string
		for _, fd := range sc.Fields {
			if (fd.Kind == model.KindText || fd.Kind == model.KindLongText) && !fd.Computed && !fd.Required && len(fd.EditRoles) == 0 && fd.Key != model.FieldReviewComment {
				key = fd.Key
				break
			}
		}
		if key == "" {
			continue
		}
		before, err := a.st.History(st.Record)
		if err != nil {
			t.Fatal(err)
		}
		vals := map[string]model.Value{}
		for k, f := range st.Fields {
			vals[k] = f.Value
		}
		form := newForm(a, sc, st.Record, vals)
		a.shell.push(form)
		typeInto(t, form, key, "复核后补充")
		form.submit()
		if form.topErr.Visible() {
			t.Fatalf("edit of %s not saved: %s", st.Register, form.topErr.Text)
		}
		got, err := a.st.Get(st.Record)
		if err != nil {
			t.Fatal(err)
		}
		if s, _ := got.Value(model.FieldStatus).AsText(); s != to {
			t.Errorf("%s: got status %q after edit; want %q (back in review)", st.Register, s, to)
		}
		after, _ := a.st.History(st.Record)
		if len(after) != len(before)+1 {
			t.Errorf("%s: got %d new history entries; want 1 (edit and reopen in one op)", st.Register, len(after)-len(before))
		}
		found = true
		break
	}
	if !found {
		t.Fatal("no approved demo record that grid staff may reopen")
	}
}
