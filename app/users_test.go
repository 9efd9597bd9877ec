package app

import (
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/lantian-tz/lantian/model"
)

// A user changes their PIN in the settings: the current PIN is checked,
// and afterwards only the new one signs them in.
func TestChangePIN(t *testing.T) {
	a := newTestApp(t, LangZH, nil)
	signInAs(t, a, "王网格", model.RoleGrid)
	a.shell.show(newSettings(a))
	test.Tap(button(a, lang.L("Change my PIN…")))
	entries, _, ok, msg := dialogParts(t, a, lang.L("Change PIN"))
	if len(entries) != 3 {
		t.Fatalf("dialog has %d entries; want the current PIN and the new one twice", len(entries))
	}
	set := func(cur, pin, pin2 string) {
		entries[0].SetText(cur)
		entries[1].SetText(pin)
		entries[2].SetText(pin2)
		test.Tap(ok)
		a.b.wait()
	}
	set("0000", "5678", "5678")
	if msg.Text != "当前密码不正确。" {
		t.Errorf("wrong current PIN: message %q", msg.Text)
	}
	set("1234", "5678", "5679")
	if msg.Text != "两次输入的密码不一致。" {
		t.Errorf("different new PINs: message %q", msg.Text)
	}
	set("1234", "5678", "5678")
	if a.win.Canvas().Overlays().Top() != nil {
		t.Errorf("dialog still open after a good change: %q", msg.Text)
	}
	if _, err := a.users.check("王网格", "5678"); err != nil {
		t.Errorf("new PIN refused: %v", err)
	}
	if _, err := a.users.check("王网格", "1234"); err == nil {
		t.Error("old PIN still accepted")
	}
}

// dialogParts finds the entries, selects, danger button and message of
// the topmost pop-up.
func dialogParts(t *testing.T, a *App, button string) (entries []*widget.Entry, sel *widget.Select, ok *widget.Button, msg *widget.Label) {
	t.Helper()
	top := a.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no dialog")
	}
	walk(top, func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *widget.Entry:
			entries = append(entries, x)
		case *widget.Select:
			sel = x
		case *widget.Button:
			if x.Text == button {
				ok = x
			}
		case *widget.Label:
			if x.Importance == widget.DangerImportance {
				msg = x
			}
		}
	})
	if ok == nil || msg == nil {
		t.Fatalf("dialog lacks its %q button or message", button)
	}
	return entries, sel, ok, msg
}

// A user leaving the shared tablet is removed with their PIN; what they
// changed stays and is still to be synced.
func TestRemoveUserKeepsTheirWork(t *testing.T) {
	a := newTestApp(t, LangZH, nil)
	signInAs(t, a, "李网格", model.RoleGrid)
	seed(t, a, "straw_grid", 1)
	pending, err := a.st.Pending()
	if err != nil || pending == 0 {
		t.Fatalf("pending %d, %v; want 李网格's change", pending, err)
	}
	signInAs(t, a, "王网格", model.RoleGrid)
	a.shell.show(newSettings(a))
	test.Tap(button(a, lang.L("Remove a user…")))
	entries, sel, ok, msg := dialogParts(t, a, lang.L("Remove user"))
	if sel == nil || !slices.Contains(sel.Options, "李网格") || slices.Contains(sel.Options, "王网格") || len(entries) != 1 {
		t.Fatalf("choices %v and %d PIN entries; want 李网格 and not the signed-in user, and a PIN", sel.Options, len(entries))
	}
	sel.SetSelected("李网格")
	entries[0].SetText("0000")
	test.Tap(ok)
	a.b.wait()
	if msg.Text != "姓名或密码错误。" {
		t.Errorf("wrong PIN: message %q", msg.Text)
	}
	if _, found := a.users.find("李网格"); !found {
		t.Fatal("removed with a wrong PIN")
	}
	entries[0].SetText("1234")
	test.Tap(ok)
	a.b.wait()
	if _, found := a.users.find("李网格"); found {
		t.Errorf("still a user after removal: %q", msg.Text)
	}
	if n, _ := a.st.Pending(); n != pending {
		t.Errorf("pending %d after removing the user; want %d", n, pending)
	}

	// A county reviewer removes without the PIN.
	signInAs(t, a, "赵科长", model.RoleCounty)
	a.shell.show(newSettings(a))
	test.Tap(button(a, lang.L("Remove a user…")))
	entries, sel, ok, _ = dialogParts(t, a, lang.L("Remove user"))
	if len(entries) != 0 {
		t.Errorf("reviewer asked for %d PINs; want none", len(entries))
	}
	sel.SetSelected("王网格")
	test.Tap(ok)
	a.b.wait()
	if _, found := a.users.find("王网格"); found {
		t.Error("reviewer could not remove a user")
	}
}

// Switching user can be called off: Cancel on the login screen returns
// to the page left, with the same user.
func TestLoginCancel(t *testing.T) {
	a := newTestApp(t, LangZH, nil)
	a.shell.show(newSettings(a))
	test.Tap(a.shell.userBtn)
	cancel := button(a, lang.L("Cancel"))
	if cancel == nil {
		t.Fatal("no Cancel on the login screen")
	}
	test.Tap(cancel)
	if a.win.Content() != a.shell.root || a.user == nil || a.user.Name != "张伟" {
		t.Errorf("after Cancel: content %T, user %+v; want the shell with 张伟", a.win.Content(), a.user)
	}
	if _, ok := a.shell.current().(*settingsScreen); !ok {
		t.Errorf("after Cancel: page %T; want settings, the page left", a.shell.current())
	}
}
