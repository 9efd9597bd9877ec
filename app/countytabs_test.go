package app

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/lantian-tz/lantian/app/county"
	"github.com/lantian-tz/lantian/model"
)

// The app hands its bridge to the county screens.
var _ county.Bridge = (*bridge)(nil)

// countyTitles are the county bureau's navigation entries.
func countyTitles() []string {
	return []string{county.ReviewTitle(), county.DashboardTitle(), county.ExportTitle(), county.FireImportTitle()}
}

// signInAs adds a user of role and signs them in.
func signInAs(t *testing.T, a *App, name string, role model.Role) {
	t.Helper()
	if err := a.users.save(User{Name: name, Role: role}, "1234"); err != nil {
		t.Fatal(err)
	}
	u, err := a.users.check(name, "1234")
	if err != nil {
		t.Fatal(err)
	}
	a.signIn(u)
}

func TestCountyNavigationByRole(t *testing.T) {
	for _, tt := range []struct {
		language string
		role     model.Role
		want     bool
	}{
		{LangZH, model.RoleGrid, false},
		{LangZH, model.RoleCounty, true},
		{LangEN, model.RoleCounty, true},
	} {
		t.Run(tt.language+" "+string(tt.role), func(t *testing.T) {
			a := newTestApp(t, tt.language, nil)
			signInAs(t, a, "李审核", tt.role)
			for _, title := range countyTitles() {
				if title == "" {
					t.Fatal("a county screen has no title")
				}
				if got := button(a, title) != nil; got != tt.want {
					t.Errorf("%s: got navigation item %q shown %v; want %v", tt.role, title, got, tt.want)
				}
			}
			if got := button(a, lang.L("Today")) != nil; !got {
				t.Errorf("%s: no Today item", tt.role)
			}
		})
	}
}

func TestApproveFromReviewQueueInShell(t *testing.T) {
	a := newTestApp(t, LangZH, nil)
	seed(t, a, "", 120) // grid staff's records, some awaiting review
	signInAs(t, a, "李审核", model.RoleCounty)

	test.Tap(button(a, county.ReviewTitle()))
	p, ok := a.shell.current().(countyPage)
	if !ok {
		t.Fatalf("got page %T; want the review queue", a.shell.current())
	}
	rs, ok := p.s.(*county.ReviewScreen)
	if !ok {
		t.Fatalf("got screen %T; want *county.ReviewScreen", p.s)
	}
	before := len(rs.Items())
	if before == 0 {
		t.Fatal("review queue is empty; want demo records awaiting review")
	}
	first := rs.Items()[0].State.Record
	list := find(a, func(*widget.List) bool { return true })
	if list == nil {
		t.Fatal("no list in the review queue")
	}
	list.Select(0)
	approve := find(a, func(b *widget.Button) bool { return b.Text == lang.L("Approve") })
	if approve == nil || approve.Disabled() {
		t.Fatalf("got approve button %v; want one enabled for the selected record", approve)
	}
	test.Tap(approve)

	if got := len(rs.Items()); got != before-1 {
		t.Errorf("got %d awaiting review after approving; want %d", got, before-1)
	}
	st, err := a.st.Get(first)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := st.Value(model.FieldReviewedBy).AsText(); got != "李审核" {
		t.Errorf("got reviewed_by %q; want 李审核", got)
	}
	if st.Fields[model.FieldStatus].Author != "李审核" {
		t.Errorf("got status author %q; want 李审核", st.Fields[model.FieldStatus].Author)
	}
}

func TestCountyPageNamed(t *testing.T) {
	a := newTestApp(t, LangZH, nil)
	if p := a.countyPageNamed("review"); p != nil {
		t.Errorf("grid staff: got %T for review; want none", p)
	}
	signInAs(t, a, "李审核", model.RoleCounty)
	for name, want := range map[string]string{
		"review": county.ReviewTitle(), "dashboard": county.DashboardTitle(),
		"export": county.ExportTitle(), "fireimport": county.FireImportTitle(),
	} {
		a.openScreen(name)
		if got := a.shell.current().title(); got != want {
			t.Errorf("openScreen(%q): got page %q; want %q", name, got, want)
		}
	}
}

// On a device enrolled for grid staff, a user saved as a county reviewer
// still works as grid staff: no review screens, ops made as grid, and a
// new user can only be grid staff.
func TestGridEnrolledDeviceCapsRole(t *testing.T) {
	a := newTestApp(t, LangZH, nil)
	if err := a.st.SetMeta(metaRole, []byte(model.RoleGrid)); err != nil {
		t.Fatal(err)
	}
	signInAs(t, a, "李审核", model.RoleCounty)
	if got := a.role(); got != model.RoleGrid {
		t.Errorf("role %s; want grid, the device's", got)
	}
	for _, title := range countyTitles() {
		if button(a, title) != nil {
			t.Errorf("county screen %q offered on a grid staff device", title)
		}
	}
	a.showAddUser(false)
	var radios []*widget.RadioGroup
	walk(a.win.Content(), func(o fyne.CanvasObject) {
		if r, ok := o.(*widget.RadioGroup); ok {
			radios = append(radios, r)
		}
	})
	if len(radios) != 1 || len(radios[0].Options) != 1 || radios[0].Options[0] != lang.L("Grid staff") {
		t.Errorf("new user roles %v; want grid staff only", radios)
	}

	// On a county device the same user reviews.
	b := newTestApp(t, LangZH, nil)
	if err := b.st.SetMeta(metaRole, []byte(model.RoleCounty)); err != nil {
		t.Fatal(err)
	}
	signInAs(t, b, "李审核", model.RoleCounty)
	if got := b.role(); got != model.RoleCounty {
		t.Errorf("on a county device: role %s; want county", got)
	}
}
