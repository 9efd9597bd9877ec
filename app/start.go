package app

import (
	"context"
	"sort"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/lantian-tz/lantian/model"
)

// card frames a start-up form in the middle of the window.
func startCard(title, subtitle string, body fyne.CanvasObject) fyne.CanvasObject {
	c := widget.NewCard(title, subtitle, body)
	return container.NewCenter(container.NewGridWrap(fyne.NewSize(460, c.MinSize().Height), c))
}

// showPassphrase asks for the passphrase of an encrypted store.
func (a *App) showPassphrase() {
	pass := widget.NewPasswordEntry()
	msg := errorLabel()
	var open func()
	btn := widget.NewButton(lang.L("Open"), func() { open() })
	btn.Importance = widget.HighImportance
	open = func() {
		btn.Disable()
		msg.SetText(lang.L("Checking the passphrase…"))
		a.openStore(pass.Text, func(err error) {
			a.showPassphraseWith(plainError(err))
		})
	}
	pass.OnSubmitted = func(string) { open() }
	a.setContent(startCard(lang.L("Lantian Registers"), lang.L("The data on this device is encrypted."),
		container.NewVBox(widget.NewLabel(lang.L("Passphrase")), pass, msg, btn)))
	a.win.Canvas().Focus(pass)
}

// showPassphraseWith shows the passphrase prompt with an error.
func (a *App) showPassphraseWith(errMsg string) {
	a.showPassphrase()
	// The message label is the third object of the card's box.
	if c, ok := a.win.Content().(*fyne.Container); ok {
		walk(c, func(o fyne.CanvasObject) {
			if l, ok := o.(*widget.Label); ok && l.Importance == widget.DangerImportance {
				l.SetText(errMsg)
			}
		})
	}
}

// walk visits o and every object inside containers below it.
func walk(o fyne.CanvasObject, fn func(fyne.CanvasObject)) {
	fn(o)
	switch c := o.(type) {
	case *fyne.Container:
		for _, ch := range c.Objects {
			walk(ch, fn)
		}
	case *widget.Form:
		for _, it := range c.Items {
			walk(it.Widget, fn)
		}
	case *widget.PopUp:
		walk(c.Content, fn)
	case *container.Scroll:
		walk(c.Content, fn)
	case *widget.Card:
		if c.Content != nil {
			walk(c.Content, fn)
		}
	}
}

// showFirstRun offers, on an empty data folder, to protect the data with a
// passphrase and then opens (creates) the store.
func (a *App) showFirstRun() {
	pass := widget.NewPasswordEntry()
	pass.SetPlaceHolder(lang.L("optional"))
	pass2 := widget.NewPasswordEntry()
	msg := widget.NewLabel("")
	msg.Importance = widget.DangerImportance
	btn := widget.NewButton(lang.L("Continue"), func() {
		if pass.Text != pass2.Text {
			msg.SetText(lang.L("The two passphrases differ."))
			return
		}
		a.openStore(pass.Text, nil)
	})
	btn.Importance = widget.HighImportance
	info := widget.NewLabel(lang.L("A passphrase encrypts the registers on this device. It cannot be recovered: keep it safe. Leave it empty to store the data unencrypted."))
	info.Wrapping = fyne.TextWrapWord
	form := widget.NewForm(
		widget.NewFormItem(lang.L("Passphrase"), pass),
		widget.NewFormItem(lang.L("Repeat"), pass2),
	)
	a.setContent(startCard(lang.L("Welcome to Lantian Registers"), lang.L("First start on this device"),
		container.NewVBox(info, form, msg, btn)))
}

// showSetup asks, once the store is open, which county the device works
// for: enrolled with the county's server, or offline.
func (a *App) showSetup() {
	server := widget.NewEntry()
	server.SetPlaceHolder("https://sync.example.gov.cn")
	code := widget.NewEntry()
	code.SetPlaceHolder(lang.L("one-time code from the county bureau"))
	msg := errorLabel()

	counties := a.countyChoices()
	pick := widget.NewSelectEntry(counties)
	pick.SetPlaceHolder(lang.L("county name or code, e.g. 灵寿县"))

	var enroll *widget.Button
	enroll = widget.NewButton(lang.L("Enroll with the county"), func() {
		enroll.Disable()
		msg.SetText(lang.L("Enrolling…"))
		var county string
		a.b.run(func() error {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if err := a.syncer.Enroll(ctx, strings.TrimSpace(server.Text), strings.TrimSpace(code.Text)); err != nil {
				return err
			}
			if c, err := a.st.GetMeta(metaCounty); err == nil {
				county = string(c)
			}
			_ = a.st.SetMeta(metaServer, []byte(strings.TrimSpace(server.Text)))
			return a.st.SetMeta(metaEnrolled, []byte("1"))
		}, func(err error) {
			enroll.Enable()
			if err != nil {
				msg.SetText(plainError(err))
				return
			}
			if county == "" {
				county = countyCode(pick.Text)
			}
			a.setCounty(county, msg)
		})
	})
	enroll.Importance = widget.HighImportance
	offline := widget.NewButton(lang.L("Start offline"), func() {
		a.setCounty(countyCode(pick.Text), msg)
	})
	info := widget.NewLabel(lang.L("Enroll this device with the county's sync server, or start offline and hand over changes with bundle files."))
	info.Wrapping = fyne.TextWrapWord
	form := widget.NewForm(
		widget.NewFormItem(lang.L("County"), pick),
		widget.NewFormItem(lang.L("Server"), server),
		widget.NewFormItem(lang.L("Code"), code),
	)
	a.setContent(startCard(lang.L("Set up this device"), "",
		container.NewVBox(info, form, msg, container.NewGridWithColumns(2, offline, enroll))))
}

// setCounty stores the device county if it is in the gazetteer.
func (a *App) setCounty(code string, msg *widget.Label) {
	if a.gaz != nil {
		if _, ok := a.gaz.County(code); !ok {
			msg.SetText(lang.L("Choose a county of the plan's scope from the list."))
			return
		}
	}
	a.county = code
	a.b.run(func() error { return a.st.SetMeta(metaCounty, []byte(code)) }, func(err error) {
		if err != nil {
			msg.SetText(plainError(err))
			return
		}
		a.afterSetup()
	})
}

// countyChoices lists "code name" for every county in scope.
func (a *App) countyChoices() []string {
	if a.gaz == nil {
		return nil
	}
	var out []string
	for _, c := range a.gaz.Counties() {
		out = append(out, c.Code+" "+c.Name)
	}
	sort.Strings(out)
	return out
}

// countyCode extracts the code from a choice, or looks a name up.
func countyCode(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, ' '); i > 0 {
		return s[:i]
	}
	if g := model.DefaultGazetteer(); g != nil {
		for _, c := range g.Counties() {
			if c.Name == s {
				return c.Code
			}
		}
	}
	return s
}

// showLogin lets one of the device's users sign in with their PIN.
// Switching user keeps every unsynced change: they belong to the device.
func (a *App) showLogin() {
	users, err := a.users.list()
	if err != nil {
		a.setContent(messageView(lang.L("The register store cannot be opened"), plainError(err)))
		return
	}
	names := make([]string, len(users))
	for i, u := range users {
		names[i] = u.Name
	}
	who := widget.NewSelect(names, nil)
	who.PlaceHolder = lang.L("Choose your name")
	if a.user != nil {
		who.SetSelected(a.user.Name)
	} else if len(names) == 1 {
		who.SetSelected(names[0])
	}
	pin := widget.NewPasswordEntry()
	msg := widget.NewLabel("")
	msg.Importance = widget.DangerImportance
	var ok *widget.Button
	try := func() {
		ok.Disable()
		var u User
		name, p := who.Selected, pin.Text
		a.b.run(func() error {
			var err error
			u, err = a.users.check(name, p)
			return err
		}, func(err error) {
			ok.Enable()
			if err != nil {
				msg.SetText(lang.L("Wrong name or PIN."))
				pin.SetText("")
				return
			}
			a.signIn(u)
		})
	}
	ok = widget.NewButton(lang.L("Sign in"), try)
	ok.Importance = widget.HighImportance
	pin.OnSubmitted = func(string) { try() }
	add := widget.NewButton(lang.L("Add a user"), func() { a.showAddUser(false) })
	form := widget.NewForm(
		widget.NewFormItem(lang.L("Name"), who),
		widget.NewFormItem(lang.L("PIN"), pin),
	)
	note := widget.NewLabel(lang.L("Several people can share this device. Unsynced changes stay on the device whoever signs in."))
	note.Wrapping = fyne.TextWrapWord
	box := container.NewVBox(form, msg, ok, widget.NewSeparator(), note, add)
	if a.user != nil && a.shell != nil {
		// Switching user can be called off: back to the page left.
		box.Add(widget.NewButton(lang.L("Cancel"), func() { a.setContent(a.shell.root) }))
	}
	if a.opts.Demo {
		hint := widget.NewLabel(lang.L("Demo: {{.Grid}} (grid staff) and {{.Reviewer}} (county reviewer), PIN {{.PIN}}.",
			map[string]any{"Grid": demoGridUser, "Reviewer": demoReviewerUser, "PIN": demoPIN}))
		hint.Wrapping = fyne.TextWrapWord
		hint.Importance = widget.WarningImportance
		box.Objects = append([]fyne.CanvasObject{hint}, box.Objects...)
	}
	a.setContent(startCard(lang.L("Who is using this device?"), a.countyName(), box))
}

// showAddUser asks for a new user's name, village, role and PIN (twice),
// then signs them in.
func (a *App) showAddUser(first bool) {
	name := widget.NewEntry()
	township := widget.NewEntry()
	village := widget.NewEntry()
	roles := []string{lang.L("Grid staff"), lang.L("County bureau")}
	if a.deviceRole() == model.RoleGrid {
		roles = roles[:1] // enrolled for grid staff: nobody reviews here
	}
	role := widget.NewRadioGroup(roles, nil)
	role.Horizontal = true
	role.SetSelected(roles[0])
	pin := widget.NewPasswordEntry()
	pin2 := widget.NewPasswordEntry()
	msg := errorLabel()
	var save *widget.Button
	save = widget.NewButton(lang.L("Save user"), func() {
		n := strings.TrimSpace(name.Text)
		if n == "" {
			msg.SetText(lang.L("Enter a name."))
			return
		}
		if bad := newPINProblem(pin.Text, pin2.Text); bad != "" {
			msg.SetText(bad)
			return
		}
		if _, dup := a.users.find(n); dup {
			msg.SetText(lang.L("A user of this name exists already."))
			return
		}
		u := User{Name: n, Role: model.RoleGrid, Township: strings.TrimSpace(township.Text), Village: strings.TrimSpace(village.Text)}
		if len(roles) > 1 && role.Selected == roles[1] {
			u.Role = model.RoleCounty
		}
		p := pin.Text
		save.Disable()
		var saved User
		a.b.run(func() error {
			if err := a.users.save(u, p); err != nil {
				return err
			}
			var err error
			saved, err = a.users.check(u.Name, p)
			return err
		}, func(err error) {
			save.Enable()
			if err != nil {
				msg.SetText(plainError(err))
				return
			}
			// The PIN was just typed twice: no third time to sign in.
			a.signIn(saved)
		})
	})
	save.Importance = widget.HighImportance
	form := widget.NewForm(
		widget.NewFormItem(lang.L("Name"), name),
		widget.NewFormItem(lang.L("Township"), township),
		widget.NewFormItem(lang.L("Village"), village),
		widget.NewFormItem(lang.L("Role"), role),
		widget.NewFormItem(lang.L("PIN"), pin),
		widget.NewFormItem(lang.L("Repeat PIN"), pin2),
	)
	box := container.NewVBox(form, msg, save)
	if !first {
		box.Add(widget.NewButton(lang.L("Cancel"), a.showLogin))
	}
	title := lang.L("Add a user")
	if first {
		title = lang.L("Who will use this device?")
	}
	a.setContent(startCard(title, a.countyName(), box))
}
