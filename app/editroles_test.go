package app

import (
	"math/rand/v2"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/demo"
	"github.com/lantian-tz/lantian/model"
)

// TestGridSavesRegistersWithCountyFields: for every register grid staff
// may create that has fields only reviewers edit (是否纳入年度任务 of farm
// coal), grid staff fill the inputs they may edit, leave the form, come
// back, restore the draft and save: the record is saved, without the
// read-only fields (a disabled, unticked yes/no box sends nothing).
func TestGridSavesRegistersWithCountyFields(t *testing.T) {
	seeds := demo.Records(rand.New(rand.NewPCG(7, 9)), testCounty, 3000)
	n := 0
	for _, sc := range model.Registers() {
		limited := false
		for _, f := range sc.Fields {
			limited = limited || len(f.EditRoles) > 0
		}
		if !limited || !sc.MayCreate(model.RoleGrid) {
			continue
		}
		n++
		t.Run(sc.Name, func(t *testing.T) {
			w := &workflow{t: t, sc: sc, role: model.RoleGrid, seeds: seeds, row: map[string]string{}}
			w.a = newTestApp(t, LangZH, nil)
			w.sd = w.seed()
			w.vals = w.parents(w.sd)
			form := newForm(w.a, sc, uuid.Nil, w.a.defaults(sc))
			w.a.shell.push(form)
			w.fill(form)
			form.writeDraft()
			w.a.shell.pop() // closed before Save
			again := newForm(w.a, sc, uuid.Nil, w.a.defaults(sc))
			w.a.shell.push(again)
			restore := overlayButton(w.a, "是")
			if restore == nil {
				t.Fatal("no draft offered")
			}
			test.Tap(restore)
			test.Tap(again.save)
			if w.a.shell.current() == page(again) {
				t.Fatalf("grid staff could not save a restored draft: %s", formMessages(again))
			}
			if got := countRecords(t, w.a, sc.Name); got != 1 {
				t.Fatalf("%d records saved; want 1", got)
			}
		})
	}
	if n == 0 {
		t.Fatal("no register with fields only reviewers edit")
	}
}

// TestEmptyGridChoiceSaysWhomToAsk: in a county with no grids yet, the
// grid choice of a patrol tells grid staff to ask the county bureau; a
// county user is told to create one.
func TestEmptyGridChoiceSaysWhomToAsk(t *testing.T) {
	for _, tt := range []struct {
		role model.Role
		want string
	}{
		{model.RoleGrid, "请联系县生态环境局在“秸秆禁烧网格”中建立"},
		{model.RoleCounty, "请先在“秸秆禁烧网格”中新建"},
	} {
		t.Run(string(tt.role), func(t *testing.T) {
			a := newTestApp(t, LangZH, nil)
			if tt.role != model.RoleGrid {
				signInAs(t, a, "李审核", tt.role)
			}
			sc, _ := model.Lookup("straw_patrol")
			form := newForm(a, sc, uuid.Nil, a.defaults(sc))
			a.shell.push(form)
			var shown []string
			walk(form.byKey["grid"].obj, func(o fyne.CanvasObject) {
				if l, ok := o.(*widget.Label); ok && l.Visible() && l.Text != "" {
					shown = append(shown, l.Text)
				}
			})
			if !strings.Contains(strings.Join(shown, "\n"), tt.want) {
				t.Errorf("the empty grid choice says %q; want it to contain %q", shown, tt.want)
			}
			// Once there is a grid, the hint goes.
			seed(t, a, "straw_grid", 1)
			form = newForm(a, sc, uuid.Nil, a.defaults(sc))
			walk(form.byKey["grid"].obj, func(o fyne.CanvasObject) {
				if l, ok := o.(*widget.Label); ok && l.Visible() && l.Text != "" {
					t.Errorf("with a grid, the choice still says %q", l.Text)
				}
			})
		})
	}
}
