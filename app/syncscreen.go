package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/client"
)

// clockWarn is the clock offset from the server above which the sync
// screen warns.
const clockWarn = 5 * time.Minute

// syncState is what the app remembers of syncing while it runs.
type syncState struct {
	running bool
	online  bool // the last attempt reached the server
	tried   bool
	lastErr error
	offset  time.Duration
}

// syncScreen shows whether the device is online, the unsynced changes,
// the last successful sync and a progress bar while syncing, errors in
// plain words, a warning when the device clock is off, and bundle file
// export and import.
type syncScreen struct {
	a *App

	state    *widget.Label
	pending  *widget.Label
	last     *widget.Label
	phase    *widget.Label
	bar      *widget.ProgressBar
	errLabel *widget.Label
	clock    *widget.Label
	syncBtn  *widget.Button
	export   *widget.Button
	importB  *widget.Button
	root     fyne.CanvasObject
}

func newSyncScreen(a *App) *syncScreen {
	s := &syncScreen{a: a}
	s.state = heading("")
	s.pending = widget.NewLabel("")
	s.last = widget.NewLabel("")
	s.phase = widget.NewLabel("")
	s.bar = widget.NewProgressBar()
	s.bar.Hide()
	s.errLabel = widget.NewLabel("")
	s.errLabel.Wrapping = fyne.TextWrapWord
	s.errLabel.Importance = widget.DangerImportance
	s.clock = widget.NewLabel("")
	s.clock.Wrapping = fyne.TextWrapWord
	s.clock.Importance = widget.WarningImportance
	s.syncBtn = widget.NewButton(lang.L("Sync now"), s.start)
	s.syncBtn.Importance = widget.HighImportance
	s.export = widget.NewButton(lang.L("Export bundle file…"), s.exportBundle)
	s.importB = widget.NewButton(lang.L("Import bundle file…"), s.importBundle)
	bundles := widget.NewLabel(lang.L("Without a network, hand changes over on a USB stick: export a bundle here and import it on a device or at the county."))
	bundles.Wrapping = fyne.TextWrapWord
	s.root = container.NewVScroll(container.NewPadded(container.NewVBox(
		s.state, s.pending, s.last, s.clock,
		s.syncBtn, s.phase, s.bar, s.errLabel,
		widget.NewSeparator(), heading(lang.L("Bundle files")), bundles,
		container.NewGridWithColumns(2, s.export, s.importB),
	)))
	s.refresh()
	return s
}

func (s *syncScreen) title() string           { return lang.L("Sync") }
func (s *syncScreen) view() fyne.CanvasObject { return s.root }

// refresh shows the remembered state and reloads the counts.
func (s *syncScreen) refresh() {
	a, ss := s.a, s.a.syncState
	switch {
	case ss.running:
		s.state.SetText(lang.L("Syncing…"))
	case ss.tried && ss.online:
		s.state.SetText(lang.L("Online"))
	case ss.tried:
		s.state.SetText(lang.L("Offline"))
	default:
		s.state.SetText(lang.L("Not synced since the app started"))
	}
	if ss.lastErr != nil {
		s.errLabel.SetText(plainError(ss.lastErr))
		s.errLabel.Show()
	} else {
		s.errLabel.Hide()
	}
	if ss.offset > clockWarn || ss.offset < -clockWarn {
		s.clock.SetText(lang.L("This device's clock is {{.Off}} off the server's. Set the date and time in the system settings.", map[string]any{"Off": roundDur(ss.offset)}))
		s.clock.Show()
	} else {
		s.clock.Hide()
	}
	var n int
	var last string
	a.b.run(func() error {
		var err error
		if n, err = a.st.Pending(); err != nil {
			return err
		}
		if b, err := a.st.GetMeta(metaLastSync); err == nil {
			last = string(b)
		}
		return nil
	}, func(err error) {
		if err != nil {
			s.pending.SetText(plainError(err))
			return
		}
		s.pending.SetText(lang.L("Changes not yet synced: {{.N}}", map[string]any{"N": n}))
		if last == "" {
			s.last.SetText(lang.L("Last successful sync: never"))
		} else if t, err := time.Parse(time.RFC3339, last); err == nil {
			s.last.SetText(lang.L("Last successful sync: {{.Time}}", map[string]any{"Time": t.In(model.Beijing).Format("2006-01-02 15:04")}))
		}
	})
}

func roundDur(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	switch {
	case d >= time.Hour*24:
		return lang.L("{{.N}} days", map[string]any{"N": int(d.Hours() / 24)})
	case d >= time.Hour:
		return lang.L("{{.N}} hours", map[string]any{"N": int(d.Hours())})
	}
	return lang.L("{{.N}} minutes", map[string]any{"N": int(d.Minutes())})
}

// start runs a sync; progress reaches the bar through App.syncNow.
func (s *syncScreen) start() {
	if s.a.syncState.running {
		return
	}
	s.syncBtn.Disable()
	s.bar.SetValue(0)
	s.bar.Show()
	s.phase.SetText(lang.L("Connecting…"))
	s.a.syncNow(s.finish)
}

// finish shows how a sync ended.
func (s *syncScreen) finish(res Result, err error) {
	if err == nil {
		s.phase.SetText(resultText(res))
		s.bar.SetValue(1)
	} else {
		s.phase.SetText("")
		s.bar.Hide()
	}
	s.syncBtn.Enable()
	s.refresh()
}

// syncNow runs one sync off the UI goroutine unless one is running.
// Progress goes to the sync screen when it is shown; done (may be nil)
// runs on the UI goroutine at the end. It reports whether a sync started.
func (a *App) syncNow(done func(Result, error)) bool {
	ss := a.syncState
	if ss.running || a.syncer == nil {
		return false
	}
	ss.running = true
	var res Result
	a.b.run(func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		var err error
		res, err = a.syncer.Sync(ctx, func(p Progress) {
			a.b.post(func() {
				if a.shell == nil {
					return
				}
				if s, ok := a.shell.current().(*syncScreen); ok {
					s.progress(p)
				}
			})
		})
		if err == nil {
			_ = a.st.SetMeta(metaLastSync, []byte(a.opts.Now().UTC().Format(time.RFC3339)))
		}
		return err
	}, func(err error) {
		ss.running, ss.tried = false, true
		ss.lastErr = err
		ss.online = err == nil || !(errors.Is(err, ErrUnreachable) || errors.Is(err, ErrNotEnrolled) || errors.Is(err, context.DeadlineExceeded))
		if err == nil {
			ss.offset = res.ClockOffset
		}
		if done != nil {
			done(res, err)
		}
		if a.shell != nil {
			a.shell.refresh()
		}
	})
	return true
}

// autoSyncEvery is the period of background syncs of an enrolled device.
const autoSyncEvery = 15 * time.Minute

// startAutoSync syncs an enrolled device now and then every
// autoSyncEvery while the app runs (not in tests).
func (a *App) startAutoSync() {
	if a.autoSync || a.opts.inline {
		return
	}
	if e, err := client.LoadEnrollment(a.st); err != nil || !e.Enrolled() {
		return
	}
	a.autoSync = true
	a.syncNow(nil)
	a.b.every(autoSyncEvery, func() { a.syncNow(nil) })
}

// progress shows one progress event.
func (s *syncScreen) progress(p Progress) {
	phase := map[string]string{
		"push":  lang.L("Sending changes"),
		"pull":  lang.L("Receiving changes"),
		"blobs": lang.L("Transferring photos"),
	}[p.Phase]
	if phase == "" {
		phase = p.Phase
	}
	if p.Total > 0 {
		s.bar.SetValue(float64(p.Ops) / float64(p.Total))
		s.phase.SetText(fmt.Sprintf("%s: %d / %d", phase, p.Ops, p.Total))
	} else {
		s.phase.SetText(fmt.Sprintf("%s: %d", phase, p.Ops))
	}
}

// resultText is a sync result in plain words.
func resultText(r Result) string {
	if r.Summary != "" {
		return r.Summary
	}
	return lang.L("Done: {{.Pushed}} changes sent, {{.Pulled}} received.", map[string]any{"Pushed": r.Pushed, "Pulled": r.Pulled})
}

// exportBundle writes a bundle file chosen by the user.
func (s *syncScreen) exportBundle() {
	a := s.a
	d := dialog.NewFileSave(func(wc fyne.URIWriteCloser, err error) {
		if err != nil || wc == nil {
			return
		}
		a.b.run(func() error {
			defer wc.Close()
			return a.syncer.ExportBundle(context.Background(), wc)
		}, func(err error) {
			if err != nil {
				a.showErr(err)
				return
			}
			dialog.ShowInformation(lang.L("Bundle file"), lang.L("The bundle file was written."), a.win)
		})
	}, a.win)
	d.SetFileName(fmt.Sprintf("lantian-%s-%s.ltb", a.county, a.opts.Now().In(model.Beijing).Format("20060102-1504")))
	d.Show()
}

// importBundle applies a bundle file chosen by the user.
func (s *syncScreen) importBundle() {
	a := s.a
	dialog.ShowFileOpen(func(rc fyne.URIReadCloser, err error) {
		if err != nil || rc == nil {
			return
		}
		var res Result
		a.b.run(func() error {
			defer rc.Close()
			var err error
			res, err = a.syncer.ImportBundle(context.Background(), rc)
			return err
		}, func(err error) {
			if err != nil {
				a.showErr(err)
				return
			}
			dialog.ShowInformation(lang.L("Bundle file"), resultText(res), a.win)
			s.refresh()
		})
	}, a.win)
}
