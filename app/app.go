package app

import (
	"context"
	"crypto/ed25519"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"
	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/assets"
	"github.com/lantian-tz/lantian/internal/demo"
	"github.com/lantian-tz/lantian/internal/evidencecheck"
	"github.com/lantian-tz/lantian/internal/review"
	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/client"
)

// ID is the app id (preferences, storage root, packaging).
const ID = "cn.lantian.app"

// Version is the app version shown in settings (FyneApp.toml's).
const Version = "0.1.0"

// DemoCounty is the county --demo opens on: 灵寿县, 石家庄市, 河北省.
const DemoCounty = "130126"

// Options configure the app.
type Options struct {
	// DataDir is the store's folder; the app's storage root when empty.
	DataDir string
	// Demo opens on DemoCounty with generated demo records (created once,
	// when the store is empty), on a clock that starts at demo.Today.
	Demo bool
	// DemoRecords is how many demo records to create (400 when zero).
	DemoRecords int
	// DemoUser names the demo user signed in by Demo: the grid worker when
	// empty; "county" (or the reviewer's name) starts as the county
	// reviewer.
	DemoUser string
	// InMemory keeps the store in memory (tests, benchmarks).
	InMemory bool
	// Syncer talks to the provincial server; offline when nil.
	Syncer Syncer
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Logger receives warnings; slog.Default() when nil.
	Logger *slog.Logger

	// Touch forces the touch layout; mobile devices always get it.
	Touch bool
	// Screen names a screen to open after sign-in (see Main's -screen).
	Screen string
	// ProvinceKeys are the province public keys evidence packs are
	// checked against; the keys the app ships (assets/province-keys.txt)
	// when nil.
	ProvinceKeys []ed25519.PublicKey

	// inline runs background work on the caller's goroutine (tests).
	inline bool
}

// App is the running UI: the window, the store and the screen shown.
type App struct {
	fa   fyne.App
	win  fyne.Window
	opts Options
	b    *bridge

	st  deviceStore
	own *store.Store // the store the app opened: for the sync client and Close
	// evidence checks the records' photos (EXIF read once per photo; the
	// reuse index read again after store changes).
	evidence *evidencecheck.Live
	syncer   Syncer
	gaz      *model.Gazetteer
	lang     string // LangZH or LangEN
	county   string // the device's county code
	user     *User
	users    *userBook
	touch    bool

	shell *shell
	// photoPicker, when set, replaces the photo file dialog (tests).
	photoPicker func(use func(io.ReadCloser))
	cancelSub   func()
	changed     changes // records changed by store events not yet redrawn
	syncState   *syncState
	autoSync    bool          // periodic sync started
	notice      *widget.PopUp // the transient notice shown (notify)
}

// Main parses the command line, runs the app until its window closes and
// closes the store.
func Main(args []string) error {
	if len(args) > 0 && args[0] == "verify" {
		return runVerify(args[1:], os.Stdout)
	}
	if len(args) > 0 && args[0] == "places" {
		return runPlaces(args[1:], os.Stdout)
	}
	fl := flag.NewFlagSet("lantian", flag.ContinueOnError)
	demo := fl.Bool("demo", false, "open on a demo county with generated records")
	data := fl.String("data", "", "folder of the local store (default: the app's storage folder)")
	n := fl.Int("demo-records", 400, "number of demo records to generate")
	demoUser := fl.String("demo-user", "", "with -demo, sign in as this demo user ("+demoGridUser+" or "+demoReviewerUser+")")
	role := fl.String("role", "", "with -demo, sign in as the demo user of this role (grid or county)")
	touch := fl.Bool("touch", false, "touch layout (bigger text and targets, navigation at the bottom), e.g. on Windows tablets")
	screen := fl.String("screen", "", "open on a screen after sign-in (registers, list:REGISTER, record:REGISTER, form:REGISTER, patrol, fire, sync, held, settings; for county users review, dashboard, export, fireimport); for screenshots")
	if err := fl.Parse(args); err != nil {
		return err
	}
	setMemoryLimit()
	fa := fyneapp.NewWithID(ID)
	if *demoUser == "" && *role != "" {
		*demoUser = *role
	}
	a := New(fa, Options{DataDir: *data, Demo: *demo, DemoRecords: *n, DemoUser: *demoUser, Screen: *screen, Touch: *touch})
	a.Start()
	a.win.ShowAndRun()
	return a.Close()
}

// New builds the app on fa (fyneapp.NewWithID, or test.NewTempApp in
// tests) and its main window, not yet shown.
func New(fa fyne.App, opts Options) *App {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Demo {
		// One clock for every screen, the store included: the demo's
		// today, so that forms, home, lists and the county screens agree
		// on the day and the demo records fall in the current month.
		real := opts.Now
		offset := demo.Today().Sub(real())
		opts.Now = func() time.Time { return real().Add(offset) }
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.DemoRecords <= 0 {
		opts.DemoRecords = 400
	}
	a := &App{fa: fa, opts: opts, b: newBridge(opts.inline), syncer: opts.Syncer}
	a.touch = opts.Touch || fyne.CurrentDevice().IsMobile()
	a.lang = fa.Preferences().StringWithFallback(prefLanguage, systemLanguage())
	setLanguage(a.lang)
	fa.Settings().SetTheme(NewTheme(a.touch))
	fa.SetIcon(appIcon)
	if g, err := model.LoadGazetteer(assets.ScopeJSON); err == nil {
		a.gaz = g
		model.SetGazetteer(g)
	} else {
		opts.Logger.Error("gazetteer", "err", err)
	}
	model.SetPlacesData(assets.PlacesTSVGz)
	go model.DefaultPlaces() // decode in the background before a form needs them
	a.win = fa.NewWindow(lang.L("Lantian Registers"))
	a.win.SetIcon(appIcon)
	// Fyne cannot ask a desktop for its screen size, so the window opens
	// at a size that fits the smallest screens it is used on: 1280×800
	// laptops less a taskbar, and with the touch layout 800 px wide
	// portrait tablets too. Every screen fits 800 px; the user (or a
	// tablet's window manager) maximises the window.
	size := fyne.NewSize(1000, 700)
	if a.touch {
		size.Width = 800
	}
	a.win.Resize(size)
	a.win.SetCloseIntercept(func() {
		a.b.flush() // drafts typed a moment ago
		a.win.Close()
	})
	a.syncState = &syncState{}
	a.addSaveShortcut()
	return a
}

// systemLanguage is the language of the user's locale (LC_ALL,
// LC_MESSAGES, then LANG): English for en_*, else Chinese. The app starts
// in it until the user picks one in Settings.
func systemLanguage() string {
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if l := os.Getenv(v); l != "" {
			if strings.HasPrefix(l, "en") {
				return LangEN
			}
			return LangZH
		}
	}
	return LangZH
}

// Preference keys (fyne.Preferences; per machine, not per store).
const (
	prefLanguage = "language"
)

// Meta keys in the store (per device). The enrollment's are the sync
// client's (client.Enrollment keeps them).
const (
	metaCounty   = client.MetaCounty
	metaServer   = client.MetaServer
	metaLastSync = "app.last_sync"
	metaEnrolled = "app.enrolled"
	metaRole     = client.MetaRole // the role the device was enrolled with
)

// dataDir is the store folder.
func (a *App) dataDir() string {
	if a.opts.DataDir != "" {
		return a.opts.DataDir
	}
	root := a.fa.Storage().RootURI()
	if root == nil {
		return filepath.Join(os.TempDir(), "lantian")
	}
	return filepath.Join(root.Path(), "store")
}

// Start shows the first screen: a passphrase prompt for an encrypted
// store, first-run setup for an empty folder, else it opens the store.
func (a *App) Start() {
	if a.opts.InMemory {
		a.openStore("", nil)
		return
	}
	dir := a.dataDir()
	switch {
	case fileExists(filepath.Join(dir, "lantian.salt")):
		a.showPassphrase()
	case !a.opts.Demo && dirEmpty(dir):
		a.showFirstRun()
	default:
		a.openStore("", nil)
	}
}

// openStore opens the store off the UI goroutine; onErr (or a message
// screen) receives a failure.
func (a *App) openStore(pass string, onErr func(error)) {
	a.setContent(busyView(lang.L("Opening the register store…")))
	var st *store.Store
	a.b.run(func() error {
		var err error
		st, err = store.Open(store.Options{
			Dir: a.dataDir(), InMemory: a.opts.InMemory, Passphrase: pass,
			Logger: a.opts.Logger, Now: a.opts.Now,
		})
		return err
	}, func(err error) {
		if err != nil {
			if onErr != nil {
				onErr(err)
				return
			}
			a.setContent(messageView(lang.L("The register store cannot be opened"), plainError(err)))
			return
		}
		a.attach(st)
	})
}

// attach takes over an open store and continues start-up.
func (a *App) attach(st *store.Store) {
	a.st, a.own = st, st
	a.evidence = evidencecheck.NewLive(st, evidencecheck.Options{})
	a.users = newUserBook(st)
	if a.syncer == nil {
		a.syncer = newRemoteSyncer(st, a.opts.Logger, func() string { return a.county })
	}
	a.cancelSub = st.Subscribe(func(ev store.Event) {
		a.evidence.Changed(ev.Records, ev.All)
		a.b.post(func() {
			a.changed.add(ev)
			a.b.debounce("store-event", 250*time.Millisecond, a.dataChanged)
		})
	})
	if c, err := st.GetMeta(metaCounty); err == nil {
		a.county = string(c)
	}
	if a.opts.Demo {
		if a.county == "" {
			a.county = DemoCounty
			_ = st.SetMeta(metaCounty, []byte(a.county))
		}
		a.seedDemo(func() { a.afterSetup() })
		return
	}
	if a.county == "" {
		a.showSetup()
		return
	}
	a.afterSetup()
}

// afterSetup asks who is using the device, then shows home.
func (a *App) afterSetup() {
	users, err := a.users.list()
	if err != nil {
		a.setContent(messageView(lang.L("The register store cannot be opened"), plainError(err)))
		return
	}
	if a.opts.Demo {
		if u, ok := a.users.find(demoUserName(a)); ok {
			a.signIn(u)
			return
		}
	}
	if len(users) == 0 {
		a.showAddUser(true)
		return
	}
	a.showLogin()
}

// signIn makes u the current user and shows home.
func (a *App) signIn(u User) {
	a.user = &u
	if a.shell == nil {
		a.shell = newShell(a)
	}
	a.shell.rebuild()
	a.setContent(a.shell.root)
	a.shell.goHome()
	a.startAutoSync()
	if a.opts.Screen != "" {
		a.openScreen(a.opts.Screen)
		a.opts.Screen = ""
	}
}

// openScreen opens a screen by name: registers, list:REGISTER,
// record:REGISTER (its latest record), form:REGISTER, patrol, fire, sync,
// held, settings.
func (a *App) openScreen(name string) {
	kind, reg, _ := strings.Cut(name, ":")
	sc, _ := model.Lookup(reg)
	switch {
	case kind == "registers":
		a.shell.show(newRegisters(a))
	case kind == "list" && sc != nil:
		a.shell.show(newRegisters(a))
		a.shell.push(newListScreen(a, sc))
	case kind == "record" && sc != nil:
		page, err := a.st.List(store.Query{Register: sc.Name, County: a.county, Limit: 1})
		if err == nil && len(page.Records) > 0 {
			a.shell.push(newDetail(a, page.Records[0].Record))
		}
	case kind == "form" && sc != nil:
		a.shell.push(newForm(a, sc, uuid.Nil, a.defaults(sc)))
	case kind == "patrol":
		a.shell.push(newPatrolLog(a))
	case kind == "fire":
		a.shell.show(newFirePoints(a))
	case kind == "sync":
		a.shell.show(newSyncScreen(a))
	case kind == "held":
		a.shell.show(newQuarantine(a))
	case kind == "settings":
		a.shell.show(newSettings(a))
	default:
		if p := a.countyPageNamed(kind); p != nil {
			a.shell.show(p)
		}
	}
}

// Close stops listening and closes the store.
func (a *App) Close() error {
	a.b.stop()
	a.b.flush()
	a.b.wait()
	if a.cancelSub != nil {
		a.cancelSub()
	}
	if a.own != nil {
		return a.own.Close()
	}
	return nil
}

// Window returns the main window.
func (a *App) Window() fyne.Window { return a.win }

// setContent replaces the window's content.
func (a *App) setContent(o fyne.CanvasObject) { a.win.SetContent(o) }

// dataChanged refreshes what is on screen after store events: the rows
// of the records they changed where the page can, else the page.
func (a *App) dataChanged() {
	ch := a.changed.take()
	if a.shell != nil {
		a.shell.refreshChanged(ch)
	}
}

// textLang is the model.Text language of the UI.
func (a *App) textLang() string { return textLang(a.lang) }

// role is the current user's role, capped by the role the device was
// enrolled with: a grid staff tablet cannot approve whoever signs in (the
// server would refuse it anyway). A device never enrolled is not capped.
func (a *App) role() model.Role {
	r := model.RoleGrid
	if a.user != nil && a.user.Role != "" {
		r = a.user.Role
	}
	return r.CappedBy(a.deviceRole())
}

// deviceRole is the role of the device's enrollment ("" when never
// enrolled).
func (a *App) deviceRole() model.Role {
	e, err := client.LoadEnrollment(a.st)
	if err != nil {
		return ""
	}
	return e.Role
}

// author is the current user's name for ops.
func (a *App) author() string {
	if a.user == nil {
		return ""
	}
	return a.user.Name
}

// countyName is the device county's name.
func (a *App) countyName() string {
	if a.gaz != nil {
		if c, ok := a.gaz.County(a.county); ok {
			return c.Name
		}
	}
	return a.county
}

// append writes a change as the current user, off the UI goroutine.
func (a *App) append(ch store.Change, done func(st storeState, err error)) {
	ch.Author = a.author()
	ch.Role = a.role()
	ch.Now = a.opts.Now()
	if ch.Record == uuid.Nil && ch.County == "" {
		ch.County = a.county
	}
	var res storeState
	a.b.run(func() error {
		// model.Admit decides; review.Edit names a locked approved record.
		st, err := review.Edit(context.Background(), a.st, ch)
		res = st
		return err
	}, func(err error) { done(res, err) })
}

// busyView is a centred progress message.
func busyView(msg string) fyne.CanvasObject {
	bar := widget.NewProgressBarInfinite()
	return container.NewCenter(container.NewVBox(widget.NewLabel(msg), bar))
}

// messageView is a centred title and explanation.
func messageView(title, msg string) fyne.CanvasObject {
	t := widget.NewLabelWithStyle(title, fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	m := widget.NewLabel(msg)
	m.Wrapping = fyne.TextWrapWord
	m.Alignment = fyne.TextAlignCenter
	return container.NewCenter(container.NewVBox(t, m))
}

// plainError says what went wrong in the user's language: invalid fields
// point to their messages; an error with words of its own (a server's
// refusal, a bundle's, the sync client's) says them; otherwise the first
// entry of plainMessages that err matches, by sentinel or by kind.
func plainError(err error) string {
	switch {
	case err == nil:
		return ""
	case len(model.FieldErrors(err)) > 0:
		return lang.L("Some fields are not valid; see the messages under them.")
	}
	if msg, ok := model.MsgOf(err); ok {
		return msg.In(currentTextLang)
	}
	for _, m := range plainMessages() {
		if errors.Is(err, m.is) {
			return m.msg
		}
	}
	var te *model.TransitionError
	if errors.As(err, &te) {
		return te.Msg.In(currentTextLang)
	}
	return fmt.Sprintf("%s (%v)", lang.L("Something went wrong."), err)
}

// plainMessage is what plainError says of an error that is, or is of
// the kind, is.
type plainMessage struct {
	is  error
	msg string
}

// plainMessages is plainError's table, in the UI language: sentinels
// first, then kinds (model.ErrorKind), the most particular first.
func plainMessages() []plainMessage {
	return []plainMessage{
		{review.ErrLocked, lang.L("This record has been approved and can no longer be edited.")},
		{store.ErrWrongPassphrase, lang.L("The passphrase is wrong.")},
		{store.ErrPassphraseRequired, lang.L("This store is encrypted; enter its passphrase.")},
		{store.ErrNotEncrypted, lang.L("This store was created without a passphrase; leave the passphrase empty.")},
		{ErrNotEnrolled, lang.L("This device is not enrolled with a server yet. Enroll it in Settings, or hand over changes with a bundle file.")},
		{ErrUnavailable, lang.L("This is not available in this version yet.")},
		{context.DeadlineExceeded, lang.L("The server took too long to answer. Try again later.")},
		{model.ErrNetwork, lang.L("The server cannot be reached. Your changes are kept on this device; try again when there is a network.")},
		{model.ErrUnauthorized, lang.L("The server refused this device. Ask the county bureau to check its enrollment.")},
		{model.ErrForbidden, lang.L("Your role may not make this change.")},
		{model.ErrDeleted, lang.L("This record has been deleted.")},
	}
}

// currentTextLang is the language plainError renders model texts in;
// set with the UI language.
var currentTextLang = "zh"

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

func dirEmpty(dir string) bool {
	es, err := os.ReadDir(dir)
	return err != nil || len(es) == 0
}
