package county

import "fyne.io/fyne/v2/dialog"

// post runs fn on the UI goroutine, through the bridge.
func post(d *Deps, fn func()) { d.Bridge.Post(fn) }

// showError shows err in a dialog (logged when there is no window).
func showError(d *Deps, err error) {
	d.logger().Warn("county screen", "err", err)
	if d.Window != nil {
		dialog.ShowError(err, d.Window)
	}
}
