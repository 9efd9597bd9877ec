package app

import (
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
	top := a.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no PIN dialog")
	}
	var entries []*widget.Entry
	var ok *widget.Button
	var msg *widget.Label
	walk(top, func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *widget.Entry:
			entries = append(entries, x)
		case *widget.Button:
			if x.Text == lang.L("Change PIN") {
				ok = x
			}
		case *widget.Label:
			if x.Importance == widget.DangerImportance {
				msg = x
			}
		}
	})
	if len(entries) != 3 || ok == nil || msg == nil {
		t.Fatalf("dialog has %d entries, button %v, message %v", len(entries), ok != nil, msg != nil)
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
