package app

import (
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/admitcase"
	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/model"
)

// TestFormAgreesWithAdmit runs the cases of admitcase that a form can put
// (a record of the user's county: new, with a bad number, with a field
// the role may not edit) through the real form, signed in as each role:
// the form saves exactly what model.Admit admits, shows an error under a
// bad number and saves nothing, and never sends a field the role may not
// edit (it is shown read-only). store.Append, server ingest and remote
// apply run the same table (sync/e2e TestFourPathsAgree).
func TestFormAgreesWithAdmit(t *testing.T) {
	cases, err := admitcase.Cases(nil, admitcase.Scope{Province: "130000", Own: testCounty, Other: "130123"})
	if err != nil {
		t.Fatal(err)
	}
	apps := map[model.Role]*App{}
	for _, role := range admitcase.Roles {
		a := newTestApp(t, LangZH, nil)
		u := User{Name: "用户-" + string(role), Role: role}
		if err := a.users.save(u, "1234"); err != nil {
			t.Fatal(err)
		}
		got, err := a.users.check(u.Name, "1234")
		if err != nil {
			t.Fatal(err)
		}
		a.signIn(got)
		if a.role() != role {
			t.Fatalf("signed in as %s: the app's role is %s", role, a.role())
		}
		apps[role] = a
	}
	n := 0
	for _, c := range cases {
		if !c.Form {
			continue
		}
		n++
		t.Run(c.Name, func(t *testing.T) {
			a := apps[c.Role]
			sch, _ := model.Lookup(c.Register)
			form := newForm(a, sch, uuid.Nil, nil)
			a.shell.push(form)
			bad := c.Field != "" && c.Set[c.Field] == model.Str(admitcase.BadText)
			forbidden := c.Field != "" && !bad
			for k, v := range c.Set {
				in, ok := form.byKey[k]
				if !ok && forbidden && k == c.Field {
					continue // not on the form at all (the review stamps)
				}
				if !ok {
					t.Fatalf("the form has no input for %s", k)
				}
				switch {
				case bad && k == c.Field:
					in.set(admitcase.BadText)
				default:
					form.set(k, v)
				}
			}
			if in, ok := form.byKey[c.Field]; forbidden && ok {
				if !disabled(in.obj) {
					t.Errorf("%s may not edit %s, but its input is enabled", c.Role, c.Field)
				}
				vals, _ := form.collect()
				if _, sent := form.changes(vals)[c.Field]; sent {
					t.Errorf("the form of %s sends %s, a field the role may not edit", c.Role, c.Field)
				}
			}
			before := countRecords(t, a, c.Register)
			test.Tap(form.save)
			saved := a.shell.current() != page(form)
			after := countRecords(t, a, c.Register)
			want := c.Want == admitcase.Admitted
			switch {
			case bad:
				want = false
				if el := form.byKey[c.Field].errLabel; !el.Visible() || el.Text == "" {
					t.Errorf("no error shown under %s after typing %q", c.Field, admitcase.BadText)
				}
			case forbidden:
				// Not sent, so the record saves as the same one without it.
				want = admitcase.Outcome(admitWithout(t, a, c)) == admitcase.Admitted
			}
			if saved != want || (after == before+1) != want {
				t.Errorf("form saved %v (records %d → %d); model.Admit: %s", saved, before, after, admitcase.Name(c.Want))
			}
			if !saved && !form.topErr.Visible() {
				t.Errorf("the form saved nothing and says nothing")
			}
			if saved {
				return
			}
			a.shell.pop()
		})
	}
	if n == 0 {
		t.Fatal("no form cases")
	}
}

// admitWithout is model.Admit of c's change without its Field, as the
// app's user in the app's county.
func admitWithout(t *testing.T, a *App, c admitcase.Case) error {
	t.Helper()
	set := map[string]model.Value{}
	for k, v := range c.Set {
		if k != c.Field {
			set[k] = v
		}
	}
	_, err := model.Admit(nil, nil, model.Change{Register: c.Register, County: a.county, Set: set,
		Author: model.Author{Name: a.author(), Role: a.role()}, Now: a.opts.Now()})
	return err
}

// disabled reports whether every input widget in o is disabled.
func disabled(o fyne.CanvasObject) bool {
	var ws []fyne.Disableable
	walk(o, func(x fyne.CanvasObject) {
		if d, ok := x.(fyne.Disableable); ok {
			ws = append(ws, d)
		}
	})
	return len(ws) > 0 && !slices.ContainsFunc(ws, func(d fyne.Disableable) bool { return !d.Disabled() })
}

// countRecords is how many records of register the app's store holds.
func countRecords(t *testing.T, a *App, register string) int {
	t.Helper()
	n, err := a.st.Count(store.Query{Register: register})
	if err != nil {
		t.Fatal(err)
	}
	return n
}
