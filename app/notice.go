package app

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// noticeFor is how long a notice stays.
const noticeFor = 3 * time.Second

// notify shows msg briefly at the bottom of the window, over the page
// and without taking the focus: the confirmation that something was
// saved. A new notice replaces the one shown.
func (a *App) notify(msg string) {
	if a.notice != nil {
		a.notice.Hide()
	}
	l := widget.NewLabel(msg)
	l.Wrapping = fyne.TextWrapWord
	l.Importance = widget.SuccessImportance
	c := a.win.Canvas()
	width := min(float32(480), c.Size().Width-4*theme.Padding())
	content := container.NewGridWrap(fyne.NewSize(width, l.MinSize().Height*2), container.NewHBox(widget.NewIcon(theme.ConfirmIcon()), l))
	pop := widget.NewPopUp(content, c)
	size := pop.MinSize()
	pop.ShowAtPosition(fyne.NewPos((c.Size().Width-size.Width)/2, c.Size().Height-size.Height-8*theme.Padding()))
	a.notice = pop
	a.b.after(noticeFor, func() {
		if a.notice == pop {
			pop.Hide()
			a.notice = nil
		}
	})
}
