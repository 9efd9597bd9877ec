package app

import (
	"bytes"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/google/uuid"
	"github.com/xuri/excelize/v2"

	"github.com/lantian-tz/lantian/app/county"
	"github.com/lantian-tz/lantian/internal/admitcase"
	"github.com/lantian-tz/lantian/internal/demo"
	"github.com/lantian-tz/lantian/internal/review"
	"github.com/lantian-tz/lantian/model"
)

// The people of the workflow tests, one per role.
var workflowUsers = map[model.Role]string{
	model.RoleGrid:     "张伟",
	model.RoleCounty:   "李审核",
	model.RoleProvince: "赵省厅",
}

// Step results in the workflow matrix.
const (
	stepOK         = "ok"
	stepNone       = "-"           // not a step of the register's lifecycle
	stepNotOffered = "not offered" // the role is not offered it (and may not)
	stepLocked     = "locked"      // refused as the register wants (approved records stay)
)

// workflowSteps are the matrix columns after register and role.
var workflowSteps = []string{"create", "list", "detail", "history", "submit", "return", "resubmit", "approve", "reopen", "move", "export"}

// TestEveryRegisterWorkflow drives every register, generated from the
// schemas, through the app's screens as every role: the list offers 新建
// only to the roles that may create the register; the form, filled with
// demo values in the inputs the role may edit (the others are read-only
// and never sent), saves; the record is in the list, its detail shows the
// values and its history the author; then each lifecycle step the roles
// may take, by the buttons on the record and in the review queue
// (submit, return with a comment typed in the dialog, resubmit, approve,
// reopen by a grid staff edit, or a status move of a register without
// review); and the XLSX ledger of the export screen holds the record.
// The matrix of registers × roles × steps is logged at the end.
func TestEveryRegisterWorkflow(t *testing.T) {
	seeds := demo.Records(rand.New(rand.NewPCG(7, 9)), testCounty, 3000)
	var matrix [][]string
	for _, sc := range model.Registers() {
		for _, role := range admitcase.Roles {
			row := map[string]string{}
			for _, s := range workflowSteps {
				row[s] = stepNone
			}
			t.Run(sc.Name+"/"+string(role), func(t *testing.T) {
				w := &workflow{t: t, sc: sc, role: role, seeds: seeds, row: row}
				w.run()
			})
			line := []string{sc.Name, string(role)}
			for _, s := range workflowSteps {
				line = append(line, row[s])
			}
			matrix = append(matrix, line)
		}
	}
	var b strings.Builder
	b.WriteString("\n| register | role | " + strings.Join(workflowSteps, " | ") + " |\n")
	b.WriteString("|" + strings.Repeat(" --- |", len(workflowSteps)+2) + "\n")
	for _, l := range matrix {
		b.WriteString("| " + strings.Join(l, " | ") + " |\n")
	}
	t.Log(b.String())
}

// workflow is one register driven as one role.
type workflow struct {
	t     *testing.T
	sc    *model.Schema
	role  model.Role
	seeds []demo.Seed
	row   map[string]string

	a    *App
	sd   demo.Seed
	id   uuid.UUID
	vals map[string]model.Value
}

// as signs in the workflow user of role.
func (w *workflow) as(role model.Role) {
	w.t.Helper()
	u := User{Name: workflowUsers[role], Role: role, Township: "演示镇1", Village: "演示村1"}
	if err := w.a.users.save(u, "1234"); err != nil {
		w.t.Fatal(err)
	}
	got, err := w.a.users.check(u.Name, "1234")
	if err != nil {
		w.t.Fatal(err)
	}
	w.a.signIn(got)
	if w.a.role() != role {
		w.t.Fatalf("signed in as %s: role %s", role, w.a.role())
	}
}

// seed is the demo record the form is filled from: one already in the
// register's first review status when it has one (every field a
// submission needs), else one in its initial status.
func (w *workflow) seed() demo.Seed {
	want := []string{w.sc.Initial}
	if f := model.NewFlow(w.sc); f.Reviewable() {
		want = append([]string{f.Gates[0].Submitted}, want...)
	}
	// Records listing other records (the fire points a patrol found)
	// come last: those are not made from a form.
	lists := func(sd demo.Seed) bool {
		for _, f := range w.sc.Fields {
			if f.Kind == model.KindRefList && !sd.Fields[f.Key].IsNull() {
				return true
			}
		}
		return false
	}
	// A record the reviewer can approve: not one whose answers rule the
	// approved status out (an inspection with failed items is not
	// compliant).
	approvable := func(sd demo.Seed) bool {
		f := model.NewFlow(w.sc)
		if !f.Reviewable() {
			return true
		}
		fields := maps.Clone(sd.Fields)
		fields[model.FieldStatus] = model.Str(f.Gates[0].Approve.To)
		for _, fe := range w.sc.Validate(model.Record{Register: sd.Register, County: sd.County, Fields: fields}) {
			if fe.Field == model.FieldStatus {
				return false
			}
		}
		return true
	}
	for _, withLists := range []bool{false, true} {
		for _, st := range want {
			for _, sd := range w.seeds {
				if s, _ := sd.Fields[model.FieldStatus].AsText(); sd.Register == w.sc.Name && s == st && lists(sd) == withLists && approvable(sd) {
					return sd
				}
			}
		}
	}
	for _, sd := range w.seeds {
		if sd.Register == w.sc.Name {
			return sd
		}
	}
	w.t.Fatalf("no demo record of %s", w.sc.Name)
	return demo.Seed{}
}

// parents stores the records the seed refers to (the grid of a patrol,
// the farm of a facility), as the people who make them would, and
// returns the seed's values with the references to them.
func (w *workflow) parents(sd demo.Seed) map[string]model.Value {
	t := w.t
	vals := admitcase.Typed(w.sc, sd.Fields, w.role)
	for _, f := range w.sc.Fields {
		if f.Kind == model.KindRefList {
			delete(vals, f.Key) // lists of other records: not typed on a form
		}
		if f.Kind != model.KindRef || !f.EditableBy(w.role) {
			continue
		}
		ref, _ := sd.Fields[f.Key].AsText()
		if ref == "" && !f.Required {
			continue
		}
		var parent *demo.Seed
		for i := range w.seeds {
			if w.seeds[i].Register == f.Ref && (w.seeds[i].ID == ref || parent == nil) {
				parent = &w.seeds[i]
				if w.seeds[i].ID == ref {
					break
				}
			}
		}
		if parent == nil {
			t.Fatalf("no demo %s for %s", f.Ref, f.Key)
		}
		st, err := w.a.seedOne(*parent, workflowUsers[model.RoleGrid], "审核员")
		if err != nil {
			t.Fatalf("storing the %s the record refers to: %v", f.Ref, err)
		}
		vals[f.Key] = model.Str(st.Record.String())
	}
	return vals
}

func (w *workflow) run() {
	t, sc := w.t, w.sc
	w.a = newTestApp(t, LangZH, nil)
	w.as(w.role)
	w.sd = w.seed()
	w.vals = w.parents(w.sd)

	// 新建 in the list, only for the roles that may create the register.
	list := newListScreen(w.a, sc)
	w.a.shell.push(list)
	var add *widget.Button
	walk(list.root, func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == lang.L("New record") {
			add = b
		}
	})
	if add == nil {
		t.Fatal("the list has no 新建记录 button")
	}
	if !sc.MayCreate(w.role) {
		if add.Visible() {
			t.Errorf("%s may not create %s, but the list offers 新建记录", w.role, sc.Name)
		}
		w.row["create"] = stepNotOffered
		return
	}
	if !add.Visible() {
		t.Fatalf("%s may create %s, but the list offers no 新建记录", w.role, sc.Name)
	}
	test.Tap(add)
	form, ok := w.a.shell.current().(*formScreen)
	if !ok {
		t.Fatalf("新建记录 opened %T; want the form", w.a.shell.current())
	}
	typed := w.fill(form)
	test.Tap(form.save)
	if w.a.shell.current() == page(form) {
		t.Fatalf("the form did not save: %s", formMessages(form))
	}
	w.row["create"] = stepOK

	// The record is in the list.
	if w.a.shell.current() != page(list) {
		t.Fatalf("after saving: page %T; want the list", w.a.shell.current())
	}
	i := slices.IndexFunc(list.rows, func(st storeState) bool {
		return st.Fields[model.FieldCreatedBy].Value == model.Str(workflowUsers[w.role])
	})
	if i < 0 {
		t.Fatalf("the new record is not in the list (%d rows)", len(list.rows))
	}
	w.id = list.rows[i].Record
	w.row["list"] = stepOK
	st, err := w.a.st.Get(w.id)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range sc.Fields {
		if !f.Computed && !f.EditableBy(w.role) && !st.Value(f.Key).IsNull() {
			t.Errorf("%s holds %s = %s, a field %s may not edit", sc.Name, f.Key, st.Value(f.Key), w.role)
		}
	}

	// Its detail shows the values, its history the author.
	list.list.Select(widget.ListItemID(i))
	d, ok := w.a.shell.current().(*detailScreen)
	if !ok {
		t.Fatalf("tapping the row opened %T; want the record", w.a.shell.current())
	}
	shown := detailValues(d)
	for _, f := range sc.Fields {
		v, ok := typed[f.Key]
		if !ok || v.IsNull() || f.Kind == model.KindPhotos || f.Kind == model.KindRef {
			continue
		}
		if st.Value(f.Key) != v {
			t.Errorf("%s: typed %s, stored %s", f.Key, v, st.Value(f.Key))
		}
		label := f.Label.In(LangZH)
		if want := model.Display(&f, v, LangZH); shown[label] != want {
			t.Errorf("detail shows %s = %q; want %q", label, shown[label], want)
		}
	}
	w.row["detail"] = stepOK
	if !historyShows(d, workflowUsers[w.role]) {
		t.Errorf("the history does not name the author %s", workflowUsers[w.role])
	}
	w.row["history"] = stepOK

	f := model.NewFlow(sc)
	if f.Reviewable() {
		w.review(f)
	} else {
		w.move(d)
	}
	w.export()
}

// fill types the demo values into the inputs the role may edit, checks
// the others are read-only and not sent, and returns the values the form
// sends.
func (w *workflow) fill(form *formScreen) map[string]model.Value {
	t := w.t
	for _, in := range form.inputs {
		if !in.f.EditableBy(w.role) {
			if !disabled(in.obj) {
				t.Errorf("%s may not edit %s, but its input is enabled", w.role, in.f.Key)
			}
			continue
		}
		if v, ok := w.vals[in.f.Key]; ok {
			form.set(in.f.Key, v)
		}
	}
	vals, errs := form.collect()
	if len(errs) > 0 {
		t.Fatalf("the demo values do not parse: %s", formMessages(form))
	}
	sent := form.changes(vals)
	for k := range sent {
		if f, ok := w.sc.Field(k); ok && !f.EditableBy(w.role) {
			t.Errorf("the form sends %s, a field %s may not edit", k, w.role)
		}
	}
	return sent
}

// completeAsReviewer fills in, as the reviewer, by the record's 修改
// button, the fields only reviewers edit that the demo record holds and
// the record lacks (是否纳入年度任务 of a grid staff entry), from a demo
// record: an approval may need them. It returns their keys.
func (w *workflow) completeAsReviewer() []string {
	t := w.t
	st, _ := w.a.st.Get(w.id)
	var only []string
	for _, f := range w.sc.Fields {
		if !f.Computed && !f.EditableBy(w.role) && f.EditableBy(w.reviewer()) && st.Value(f.Key).IsNull() {
			only = append(only, f.Key)
		}
	}
	// Values of a demo record of the register that fit this record.
	cur := model.Record{Register: w.sc.Name, County: testCounty, Fields: map[string]model.Value{}}
	for k, f := range st.Fields {
		cur.Fields[k] = f.Value
	}
	var sd demo.Seed
	var keys []string
	// A yes/no decision of "no" (not in the annual task) needs no more.
	no := demo.Seed{Register: w.sc.Name, Fields: map[string]model.Value{}}
	for _, k := range only {
		if f, _ := w.sc.Field(k); f.Kind == model.KindBool {
			no.Fields[k] = model.Bool(false)
		}
	}
	for _, x := range append(w.seeds, no) {
		if x.Register != w.sc.Name {
			continue
		}
		set := map[string]model.Value{}
		for _, k := range only {
			if !x.Fields[k].IsNull() {
				set[k] = x.Fields[k]
			}
		}
		if len(set) <= len(keys) {
			continue
		}
		if _, err := model.Admit(w.sc, &cur, model.Change{Set: set, Now: w.a.opts.Now(),
			Author: model.Author{Name: workflowUsers[w.reviewer()], Role: w.reviewer()}}); err == nil {
			sd, keys = x, slices.Sorted(maps.Keys(set))
		}
	}
	if len(keys) == 0 {
		return nil
	}
	w.open(w.reviewer())
	test.Tap(find(w.a, func(b *widget.Button) bool { return b.Text == lang.L("Edit") }))
	form, ok := w.a.shell.current().(*formScreen)
	if !ok {
		t.Fatalf("修改 opened %T; want the form", w.a.shell.current())
	}
	for _, k := range keys {
		if disabled(form.byKey[k].obj) {
			t.Errorf("%s may edit %s, but its input is read-only", w.reviewer(), k)
		}
		form.set(k, sd.Fields[k])
	}
	test.Tap(form.save)
	if w.a.shell.current() == page(form) {
		t.Fatalf("the reviewer's edit did not save: %s", formMessages(form))
	}
	return keys
}

// status is the record's status now.
func (w *workflow) status() string {
	w.t.Helper()
	st, err := w.a.st.Get(w.id)
	if err != nil {
		w.t.Fatal(err)
	}
	s, _ := st.Value(model.FieldStatus).AsText()
	return s
}

// open signs in role and opens the record.
func (w *workflow) open(role model.Role) *detailScreen {
	w.as(role)
	d := newDetail(w.a, w.id)
	w.a.shell.push(d)
	return d
}

// walkTo taps the record's move buttons along the shortest path of
// moves role may make from the record's status to status; false when
// there is none.
func (w *workflow) walkTo(d *detailScreen, role model.Role, status string) bool {
	t := w.t
	if w.sc.Name == "fire_point" && status == model.FireVerified && w.status() != model.FireReturned {
		// A fire point reaches 已核查 by its check screen: the check's
		// fields apply only once staff are sent, so the plain moves
		// would stop at 核查中 with them missing.
		w.checkFire()
		return w.status() == status
	}
	path := rolePath(w.sc, role, w.status(), status)
	if path == nil {
		return false
	}
	for _, tr := range path {
		b := moveButton(d, tr.Label.In(LangZH))
		if b == nil {
			t.Fatalf("no %q button on a record in %s for %s", tr.Label.ZH, w.status(), role)
		}
		test.Tap(b)
		if got := w.status(); got != tr.To {
			// A move that needs fields the record was created without
			// (they apply only from a later status) stops here: the
			// matrix records it as a finding.
			w.row["blocked"] = fmt.Sprintf("%q stays %s: %s", tr.Label.ZH, got, overlayText(w.a))
			return false
		}
	}
	return true
}

// checkFire checks the fire point the way the verifier does, on its
// check screen: a false alarm with the position, a note and three
// photos. The save moves the point to 已核查.
func (w *workflow) checkFire() {
	t := w.t
	w.as(w.role)
	st, err := w.a.st.Get(w.id)
	if err != nil {
		t.Fatal(err)
	}
	c := newFireCheck(w.a, st)
	w.a.shell.push(c)
	checkFalseAlarm(t, w.a, c)
}

// reviewer is who reviews the record: the province reviews its own.
func (w *workflow) reviewer() model.Role {
	if w.role == model.RoleProvince {
		return model.RoleProvince
	}
	return model.RoleCounty
}

// review takes the record through the register's first review step:
// submit, return with a comment, resubmit, approve, reopen by an edit.
func (w *workflow) review(f *model.Flow) {
	t := w.t
	g := f.Gates[0]
	if w.status() != g.Submitted {
		d := w.open(w.role)
		if !w.walkTo(d, w.role, g.Submitted) {
			t.Fatalf("%s cannot submit a record in %s", w.role, w.status())
		}
		w.row["submit"] = stepOK
	} else {
		w.row["submit"] = "on save"
	}

	// Return with a comment, from the review queue.
	rs := w.queue()
	w.selectInQueue(rs)
	test.Tap(find(w.a, func(b *widget.Button) bool { return b.Text == lang.L("Return…") }))
	var entry *widget.Entry
	for _, o := range w.a.win.Canvas().Overlays().List() {
		walk(o, func(o fyne.CanvasObject) {
			if e, ok := o.(*widget.Entry); ok && entry == nil {
				entry = e
			}
		})
	}
	if entry == nil {
		t.Fatal("退回 asks for no comment")
	}
	test.Type(entry, "请补充现场照片")
	confirm := overlayButton(w.a, lang.L("Return"))
	if confirm == nil {
		t.Fatal("the comment dialog has no 退回 button")
	}
	test.Tap(confirm)
	if got := w.status(); got != g.Return.To {
		t.Fatalf("after returning: status %s; want %s", got, g.Return.To)
	}
	st, _ := w.a.st.Get(w.id)
	if c, _ := st.Value(model.FieldReviewComment).AsText(); c != "请补充现场照片" {
		t.Errorf("review comment %q after returning", c)
	}
	w.row["return"] = stepOK

	// The author sees the comment and resubmits.
	d := w.open(w.role)
	if !strings.Contains(labelsText(d.box), "请补充现场照片") {
		t.Errorf("the returned record does not show the review comment")
	}
	if !w.walkTo(d, w.role, g.Submitted) {
		t.Fatalf("%s cannot resubmit a record in %s", w.role, w.status())
	}
	w.row["resubmit"] = stepOK

	// Approve from the queue, once the reviewer has filled in what only
	// reviewers fill in.
	filled := w.completeAsReviewer()
	rs = w.queue()
	w.selectInQueue(rs)
	test.Tap(find(w.a, func(b *widget.Button) bool { return b.Text == lang.L("Approve") }))
	if got := w.status(); got != g.Approve.To {
		t.Fatalf("after approving: status %s; want %s", got, g.Approve.To)
	}
	st, _ = w.a.st.Get(w.id)
	if got := st.Value(model.FieldReviewedBy); got != model.Str(workflowUsers[w.reviewer()]) {
		t.Errorf("reviewed_by %s; want %s", got, workflowUsers[w.reviewer()])
	}
	w.row["approve"] = stepOK
	if len(filled) > 0 {
		w.row["approve"] = "ok (reviewer fills " + strings.Join(filled, ", ") + ")"
	}

	// Grid staff edit the approved record: it goes back to review, or
	// the register keeps it locked.
	d = w.open(model.RoleGrid)
	test.Tap(find(w.a, func(b *widget.Button) bool { return b.Text == lang.L("Edit") }))
	form, ok := w.a.shell.current().(*formScreen)
	if !ok {
		t.Fatalf("修改 opened %T; want the form", w.a.shell.current())
	}
	key := editKey(w.sc)
	form.set(key, model.Str("复核后补充说明"))
	test.Tap(form.save)
	to, reopens := f.Reopen(g.Approve.To)
	switch {
	case reopens:
		if got := w.status(); got != to {
			t.Fatalf("after a grid staff edit of an approved record: status %s; want %s (%s)", got, to, formMessages(form))
		}
		w.row["reopen"] = stepOK
	default:
		if w.a.shell.current() != page(form) || !form.topErr.Visible() {
			t.Fatalf("a locked record saved an edit")
		}
		w.row["reopen"] = stepLocked
	}
	_ = d
}

// move makes the first status move the creating role may make without a
// comment, by its button on the record (registers without review).
func (w *workflow) move(d *detailScreen) {
	from := w.status()
	for _, tr := range w.sc.Transitions {
		if tr.From != from || tr.Comment || !slices.Contains(tr.Roles, w.role) {
			continue
		}
		b := moveButton(d, tr.Label.In(LangZH))
		if b == nil {
			w.t.Fatalf("no %q button for %s", tr.Label.ZH, w.role)
		}
		test.Tap(b)
		if got := w.status(); got != tr.To {
			w.t.Fatalf("after %q: status %s; want %s (%s)", tr.Label.ZH, got, tr.To, overlayText(w.a))
		}
		w.row["move"] = tr.To
		return
	}
}

// queue opens the review queue as the reviewer.
func (w *workflow) queue() *county.ReviewScreen {
	w.as(w.reviewer())
	test.Tap(button(w.a, county.ReviewTitle()))
	p, ok := w.a.shell.current().(countyPage)
	if !ok {
		w.t.Fatalf("got page %T; want the review queue", w.a.shell.current())
	}
	rs, ok := p.s.(*county.ReviewScreen)
	if !ok {
		w.t.Fatalf("got screen %T; want the review queue", p.s)
	}
	return rs
}

// selectInQueue selects the record in the review queue's list.
func (w *workflow) selectInQueue(rs *county.ReviewScreen) {
	i := slices.IndexFunc(rs.Items(), func(it review.Item) bool { return it.State.Record == w.id })
	if i < 0 {
		w.t.Fatalf("the record (status %s) is not in the review queue", w.status())
	}
	l := find(w.a, func(*widget.List) bool { return true })
	if l == nil {
		w.t.Fatal("no list in the review queue")
	}
	l.Select(widget.ListItemID(i))
}

// export writes the register's XLSX ledger from the export screen, as a
// reviewer, and looks for the record in it.
func (w *workflow) export() {
	t := w.t
	w.as(w.reviewer())
	p := w.a.countyPageNamed("export")
	w.a.shell.show(p)
	es := p.(countyPage).s.(*county.ExportScreen)
	label := w.sc.Label.In(LangZH)
	walk(es.CanvasObject(), func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *widget.Select:
			if slices.Contains(x.Options, label) {
				x.SetSelected(label)
			}
		case *widget.Entry:
			x.SetText("") // every date
		}
	})
	req, err := es.Request()
	if err != nil {
		t.Fatal(err)
	}
	if req.Register != w.sc.Name {
		t.Fatalf("export screen chose %s; want %s", req.Register, w.sc.Name)
	}
	var buf bytes.Buffer
	es.Run(req, county.FormatXLSX, nopCloser{&buf})
	x, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatalf("the export is no XLSX: %v (%s)", err, es.Status())
	}
	defer x.Close()
	st, _ := w.a.st.Get(w.id)
	no, _ := st.Value(model.FieldRecordNo).AsText()
	if no == "" {
		no = w.id.String()
	}
	for _, sheet := range x.GetSheetList() {
		rows, _ := x.GetRows(sheet)
		for _, r := range rows {
			if slices.Contains(r, no) {
				w.row["export"] = stepOK
				return
			}
		}
	}
	t.Errorf("the XLSX ledger of %s has no row for record %s (%s)", w.sc.Name, no, es.Status())
}

// nopCloser is a WriteCloser over a buffer.
type nopCloser struct{ *bytes.Buffer }

func (nopCloser) Close() error { return nil }

// editKey is the field a grid staff edit changes: the remarks, else the
// first text field grid staff may edit.
func editKey(sc *model.Schema) string {
	if f, ok := sc.Field(model.FieldRemarks); ok && f.EditableBy(model.RoleGrid) {
		return f.Key
	}
	for _, f := range sc.Fields {
		if (f.Kind == model.KindText || f.Kind == model.KindLongText) && f.EditableBy(model.RoleGrid) {
			return f.Key
		}
	}
	return ""
}

// rolePath is the shortest chain of moves role may make from one status
// to another (returns need a comment, so they are left out), nil when
// there is none.
func rolePath(sc *model.Schema, role model.Role, from, to string) []model.Transition {
	return sc.Path(from, to, func(t model.Transition) bool { return !t.Comment && slices.Contains(t.Roles, role) })
}

func moveButton(d *detailScreen, label string) *widget.Button {
	for _, b := range d.moveButtons {
		if b.Text == label {
			return b
		}
	}
	return nil
}

// detailValues is the detail's Values form: label → text shown.
func detailValues(d *detailScreen) map[string]string {
	out := map[string]string{}
	walk(d.box, func(o fyne.CanvasObject) {
		if f, ok := o.(*widget.Form); ok {
			for _, it := range f.Items {
				if l, ok := it.Widget.(*widget.Label); ok {
					out[it.Text] = l.Text
				}
			}
		}
	})
	return out
}

// historyShows reports whether a history entry of the detail names who.
func historyShows(d *detailScreen, who string) bool {
	found := false
	walk(d.box, func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok && l.TextStyle.Italic && strings.HasSuffix(l.Text, "  "+who) {
			found = true
		}
	})
	return found
}

// labelsText is the text of every label below o.
func labelsText(o fyne.CanvasObject) string {
	var b strings.Builder
	walk(o, func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok {
			b.WriteString(l.Text + "\n")
		}
	})
	return b.String()
}

// overlayText is the text shown over the window (error dialogs).
func overlayText(a *App) string {
	var b strings.Builder
	for _, o := range a.win.Canvas().Overlays().List() {
		b.WriteString(labelsText(o))
	}
	return b.String()
}

// formMessages is what the form says is wrong.
func formMessages(f *formScreen) string {
	msgs := []string{f.topErr.Text}
	for _, in := range f.inputs {
		if in.errLabel.Visible() {
			msgs = append(msgs, fmt.Sprintf("%s: %s", in.f.Key, in.errLabel.Text))
		}
	}
	return strings.Join(msgs, "; ")
}
