package county

import (
	"context"
	"fmt"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/lantian-tz/lantian/internal/review"
	"github.com/lantian-tz/lantian/model"
)

// fillable returns the fields an approval was refused for when the
// reviewer may fill every one of them in (是否纳入年度任务 of a grid staff
// entry, which only the county sets); nil when the refusal has another
// cause, which is shown as it is.
func fillable(sc *model.Schema, role model.Role, err error) []*model.Field {
	fes := model.FieldErrors(err)
	if len(fes) == 0 {
		return nil
	}
	var out []*model.Field
	for _, fe := range fes {
		f, ok := sc.Field(fe.Field)
		if !ok || !f.EditableBy(role) {
			return nil
		}
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

// approveFill is the dialog that asks the reviewer for the fields an
// approval needs and approves with them in one op. A field that becomes
// required by an answer (任务年度 once 是否纳入年度任务 is 是) is asked
// next, with the answers kept.
type approveFill struct {
	s      *ReviewScreen
	it     review.Item
	title  string
	fields []*model.Field
	// get reads each field's input; errs shows its message.
	get  map[string]func() (model.Value, *model.FieldError)
	errs map[string]*widget.Label
	vals map[string]model.Value
	dlg  dialog.Dialog
}

func (s *ReviewScreen) askAndApprove(it review.Item, title string, fields []*model.Field, vals map[string]model.Value, refusal error) {
	a := &approveFill{s: s, it: it, title: title, fields: fields, vals: vals,
		get: map[string]func() (model.Value, *model.FieldError){}, errs: map[string]*widget.Label{}}
	tl := s.d.Lang
	var items []*widget.FormItem
	for _, f := range fields {
		in, get := a.input(f, vals[f.Key])
		a.get[f.Key] = get
		e := widget.NewLabel("")
		e.Importance = widget.DangerImportance
		e.Wrapping = fyne.TextWrapWord
		for _, fe := range model.FieldErrors(refusal) {
			if fe.Field == f.Key {
				e.SetText(fe.Msg.In(tl))
			}
		}
		a.errs[f.Key] = e
		items = append(items, widget.NewFormItem(f.Label.In(tl), in), widget.NewFormItem("", e))
	}
	intro := widget.NewLabel(fmt.Sprintf(lang.L("Fill in before approving %s:"), title))
	intro.Wrapping = fyne.TextWrapWord
	form := widget.NewForm(items...)
	content := widget.NewForm(widget.NewFormItem("", intro))
	a.dlg = dialog.NewCustomConfirm(lang.L("Approve"), lang.L("Approve"), lang.L("Cancel"),
		container.NewVBox(content, form), func(ok bool) {
			if ok {
				a.approve()
			}
		}, s.d.Window)
	a.dlg.Resize(fyne.NewSize(520, a.dlg.MinSize().Height))
	a.dlg.Show()
}

// input is the input of one field: 是/否 for a yes/no, a choice for an
// enum, text parsed by the field's rules otherwise.
func (a *approveFill) input(f *model.Field, cur model.Value) (fyne.CanvasObject, func() (model.Value, *model.FieldError)) {
	tl := a.s.d.Lang
	switch f.Kind {
	case model.KindBool:
		yes, no := lang.L("Yes"), lang.L("No")
		r := widget.NewRadioGroup([]string{yes, no}, nil)
		r.Horizontal = true
		if b, err := cur.AsBool(); err == nil {
			r.SetSelected(map[bool]string{true: yes, false: no}[b])
		}
		return r, func() (model.Value, *model.FieldError) {
			switch r.Selected {
			case yes:
				return model.Bool(true), nil
			case no:
				return model.Bool(false), nil
			}
			return model.Null, nil
		}
	case model.KindEnum:
		var labels []string
		for _, o := range f.Options {
			labels = append(labels, o.Label.In(tl))
		}
		sel := widget.NewSelect(labels, nil)
		if k, _ := cur.AsText(); k != "" {
			for _, o := range f.Options {
				if o.Key == k {
					sel.SetSelected(o.Label.In(tl))
				}
			}
		}
		return sel, func() (model.Value, *model.FieldError) {
			i := sel.SelectedIndex()
			if i < 0 {
				return model.Null, nil
			}
			return model.Str(f.Options[i].Key), nil
		}
	}
	e := widget.NewEntry()
	if !cur.IsNull() {
		e.SetText(model.Display(f, cur, tl))
	}
	return e, func() (model.Value, *model.FieldError) { return model.ParseInput(f, e.Text) }
}

// approve reads the answers and approves with them; a refusal for fields
// the reviewer can fill asks again.
func (a *approveFill) approve() {
	s := a.s
	vals := map[string]model.Value{}
	for k, v := range a.vals {
		vals[k] = v
	}
	for _, f := range a.fields {
		v, fe := a.get[f.Key]()
		if fe != nil {
			s.askAndApprove(a.it, a.title, a.fields, vals, model.Fields("approve", model.ErrInvalid, []model.FieldError{*fe}))
			return
		}
		if v.IsNull() {
			delete(vals, f.Key)
		} else {
			vals[f.Key] = v
		}
	}
	id := a.it.State.Record
	now := s.d.now()
	s.d.run(func() error {
		_, err := review.ApproveWith(context.Background(), s.d.Store, id, s.d.User, s.d.Role, now, vals)
		return err
	}, func(err error) {
		if err != nil {
			if more := fillable(a.it.Flow.Schema, s.d.Role, err); more != nil {
				for _, f := range a.fields {
					if !slices.Contains(more, f) {
						more = append(more, f)
					}
				}
				sc := a.it.Flow.Schema
				slices.SortStableFunc(more, func(x, y *model.Field) int { return fieldIndex(sc, x) - fieldIndex(sc, y) })
				s.askAndApprove(a.it, a.title, more, vals, err)
				return
			}
			s.showError(err)
		} else {
			s.d.notify(fmt.Sprintf(lang.L("Approved: %s"), a.title))
		}
		s.Reload()
	})
}

// fieldIndex is f's place in the schema's order.
func fieldIndex(sc *model.Schema, f *model.Field) int {
	return slices.IndexFunc(sc.Fields, func(g model.Field) bool { return g.Key == f.Key })
}
