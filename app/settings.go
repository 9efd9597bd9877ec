package app

import (
	"context"
	"errors"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/lantian-tz/lantian/model"
)

// settingsScreen holds the language, the server and enrollment, the
// store's passphrase state, the device's users and "about".
type settingsScreen struct {
	a        *App
	language *widget.RadioGroup
	root     fyne.CanvasObject
}

// languageNames are the choices of the language setting, each in its own
// language.
var languageNames = []string{"中文", "English"}

func newSettings(a *App) *settingsScreen {
	s := &settingsScreen{a: a}
	s.language = widget.NewRadioGroup(languageNames, func(v string) {
		code := LangZH
		if v == languageNames[1] {
			code = LangEN
		}
		if code != a.lang {
			a.SetLanguage(code)
		}
	})
	s.language.Horizontal = true
	if a.lang == LangEN {
		s.language.SetSelected(languageNames[1])
	} else {
		s.language.SetSelected(languageNames[0])
	}

	server := widget.NewLabel(lang.L("not enrolled (working offline)"))
	if b, err := a.st.GetMeta(metaServer); err == nil && len(b) > 0 {
		server.SetText(string(b))
	}
	enroll := widget.NewButton(lang.L("Enroll with a server…"), func() { a.enrollDialog(server) })

	encrypted := lang.L("No: the data on this device is not encrypted.")
	if fileExists(a.dataDir() + "/lantian.salt") {
		encrypted = lang.L("Yes: the data on this device is encrypted with a passphrase.")
	}
	passNote := widget.NewLabel(encrypted + "\n" + lang.L("The passphrase is chosen when the data folder is created; to change it, sync, then start with a new data folder."))
	passNote.Wrapping = fyne.TextWrapWord

	users := container.NewVBox(widget.NewButton(lang.L("Switch or add users…"), a.showLogin))
	if a.user != nil {
		users.Add(widget.NewButton(lang.L("Change my PIN…"), a.changePINDialog))
		users.Add(widget.NewButton(lang.L("Remove a user…"), a.removeUserDialog))
	}

	about := widget.NewForm(
		widget.NewFormItem(lang.L("Version"), widget.NewLabel(Version)),
		widget.NewFormItem(lang.L("Device"), widget.NewLabel(a.st.Device().String())),
		widget.NewFormItem(lang.L("County"), widget.NewLabel(a.county+" "+a.countyName())),
		widget.NewFormItem(lang.L("Data folder"), wrapLabel(a.dataDir())),
	)
	s.root = container.NewVScroll(container.NewPadded(container.NewVBox(
		heading(lang.L("Language")), s.language,
		widget.NewSeparator(), heading(lang.L("Server")), server, enroll,
		widget.NewSeparator(), heading(lang.L("Passphrase")), passNote,
		widget.NewSeparator(), heading(lang.L("Users")), users,
		widget.NewSeparator(), heading(lang.L("About")), about,
	)))
	return s
}

func (s *settingsScreen) title() string           { return lang.L("Settings") }
func (s *settingsScreen) view() fyne.CanvasObject { return s.root }

func wrapLabel(t string) *widget.Label {
	l := widget.NewLabel(t)
	l.Wrapping = fyne.TextWrapBreak
	return l
}

// SetLanguage switches the UI language (LangZH or LangEN), remembers it and
// rebuilds the screens.
func (a *App) SetLanguage(code string) {
	a.lang = code
	a.fa.Preferences().SetString(prefLanguage, code)
	setLanguage(code)
	a.win.SetTitle(lang.L("Lantian Registers"))
	if a.shell != nil {
		a.shell.rebuild()
		a.setContent(a.shell.root)
		a.shell.show(newSettings(a))
	}
}

// enrollDialog asks for a server address and a one-time code.
func (a *App) enrollDialog(server *widget.Label) {
	addr := widget.NewEntry()
	addr.SetPlaceHolder("https://sync.example.gov.cn")
	code := widget.NewEntry()
	msg := errorLabel()
	var pop *widget.PopUp
	var ok *widget.Button
	ok = widget.NewButton(lang.L("Enroll"), func() {
		ok.Disable()
		srv, c := addr.Text, code.Text
		a.b.run(func() error {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if err := a.syncer.Enroll(ctx, srv, c); err != nil {
				return err
			}
			return a.st.SetMeta(metaServer, []byte(srv))
		}, func(err error) {
			ok.Enable()
			if err != nil {
				msg.SetText(plainError(err))
				return
			}
			server.SetText(srv)
			pop.Hide()
			// Enrollment fixes the device's county.
			if c, err := a.st.GetMeta(metaCounty); err == nil && string(c) != a.county {
				a.county = string(c)
				a.shell.rebuild()
				a.setContent(a.shell.root)
				a.shell.show(newSettings(a))
			}
		})
	})
	ok.Importance = widget.HighImportance
	cancel := widget.NewButton(lang.L("Cancel"), func() { pop.Hide() })
	form := widget.NewForm(widget.NewFormItem(lang.L("Server"), addr), widget.NewFormItem(lang.L("Code"), code))
	pop = widget.NewModalPopUp(container.NewGridWrap(fyne.NewSize(420, 240),
		container.NewVBox(heading(lang.L("Enroll with a server")), form, msg, container.NewGridWithColumns(2, cancel, ok))), a.win.Canvas())
	pop.Show()
}

// changePINDialog asks the signed-in user for their PIN and a new one.
func (a *App) changePINDialog() {
	if a.user == nil {
		return
	}
	name := a.user.Name
	old, pin, pin2 := widget.NewPasswordEntry(), widget.NewPasswordEntry(), widget.NewPasswordEntry()
	msg := errorLabel()
	var pop *widget.PopUp
	var ok *widget.Button
	ok = widget.NewButton(lang.L("Change PIN"), func() {
		if bad := newPINProblem(pin.Text, pin2.Text); bad != "" {
			msg.SetText(bad)
			return
		}
		was, now := old.Text, pin.Text
		ok.Disable()
		a.b.run(func() error {
			u, err := a.users.check(name, was)
			if err != nil {
				return err
			}
			return a.users.save(u, now)
		}, func(err error) {
			ok.Enable()
			switch {
			case errors.Is(err, ErrBadPIN):
				msg.SetText(lang.L("The current PIN is wrong."))
			case err != nil:
				msg.SetText(plainError(err))
			default:
				pop.Hide()
			}
		})
	})
	ok.Importance = widget.HighImportance
	cancel := widget.NewButton(lang.L("Cancel"), func() { pop.Hide() })
	form := widget.NewForm(
		widget.NewFormItem(lang.L("Current PIN"), old),
		widget.NewFormItem(lang.L("New PIN"), pin),
		widget.NewFormItem(lang.L("Repeat PIN"), pin2),
	)
	pop = widget.NewModalPopUp(container.NewGridWrap(fyne.NewSize(420, 280),
		container.NewVBox(heading(lang.L("Change my PIN")+" · "+name), form, msg, container.NewGridWithColumns(2, cancel, ok))), a.win.Canvas())
	pop.Show()
}

// removeUserDialog removes another user of this device: with that user's
// PIN, or without it for a county reviewer. Their changes stay in the
// device's log and go to the server as before; only their sign-in goes.
func (a *App) removeUserDialog() {
	if a.user == nil {
		return
	}
	us, err := a.users.list()
	if err != nil {
		return
	}
	var names []string
	for _, u := range us {
		if u.Name != a.user.Name {
			names = append(names, u.Name)
		}
	}
	who := widget.NewSelect(names, nil)
	who.PlaceHolder = lang.L("(choose)")
	pin := widget.NewPasswordEntry()
	reviewer := a.role() != model.RoleGrid
	msg := errorLabel()
	if len(names) == 0 {
		msg.SetText(lang.L("There is no other user on this device."))
	}
	var pop *widget.PopUp
	var ok *widget.Button
	ok = widget.NewButton(lang.L("Remove user"), func() {
		name, p := who.Selected, pin.Text
		if name == "" {
			msg.SetText(lang.L("Choose a user."))
			return
		}
		ok.Disable()
		a.b.run(func() error {
			if !reviewer {
				if _, err := a.users.check(name, p); err != nil {
					return err
				}
			}
			return a.users.remove(name)
		}, func(err error) {
			ok.Enable()
			switch {
			case errors.Is(err, ErrBadPIN):
				msg.SetText(lang.L("Wrong name or PIN."))
			case err != nil:
				msg.SetText(plainError(err))
			default:
				pop.Hide()
			}
		})
	})
	ok.Importance = widget.DangerImportance
	cancel := widget.NewButton(lang.L("Cancel"), func() { pop.Hide() })
	items := []*widget.FormItem{widget.NewFormItem(lang.L("Name"), who)}
	if !reviewer {
		items = append(items, widget.NewFormItem(lang.L("Their PIN"), pin))
	}
	note := widget.NewLabel(lang.L("Their changes stay on this device and are synced as before; only their sign-in is removed."))
	note.Wrapping = fyne.TextWrapWord
	pop = widget.NewModalPopUp(container.NewGridWrap(fyne.NewSize(440, 300),
		container.NewVBox(heading(lang.L("Remove a user")), widget.NewForm(items...), note, msg, container.NewGridWithColumns(2, cancel, ok))), a.win.Canvas())
	pop.Show()
}
