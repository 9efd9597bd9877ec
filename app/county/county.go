// Package county holds the county bureau's and the province's screens: the
// review queue, the targets dashboard with its charts, ledger and summary
// exports, and the import of satellite fire points. The app shell adds
// them as tabs or pages; each screen is a struct holding its widgets,
// built by a New…Screen constructor and shown through CanvasObject.
package county

import (
	"context"
	"embed"
	"log/slog"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/evidencecheck"
	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/model"
)

//go:embed translations/*.json
var translations embed.FS

// LoadTranslations adds this package's UI strings (zh-Hans, en) to Fyne's
// translations; call it once at start-up, after the app's own.
func LoadTranslations() error {
	return lang.AddTranslationsFS(translations, "translations")
}

// Store is what the screens need of the device store (*store.Store):
// records for the review queue, the dashboard, exports and fire points,
// and the meta data where targets are kept.
type Store interface {
	List(q store.Query) (store.Page, error)
	Get(id uuid.UUID) (oplog.State, error)
	Append(ctx context.Context, ch store.Change) (oplog.State, error)
	GetMeta(key string) ([]byte, error)
	SetMeta(key string, v []byte) error
	// History is a record's ops, oldest first (changes after approval).
	History(id uuid.UUID) ([]store.HistoryEntry, error)
}

// Bridge is the app's one adapter between background work and the UI
// goroutine; the screens start no goroutines of their own.
type Bridge interface {
	// Run runs work off the UI goroutine and then done (when not nil) on
	// it.
	Run(work func() error, done func(error))
	// Post runs fn on the UI goroutine (progress from work in flight).
	Post(fn func())
}

// Deps is what the screens need from the app.
type Deps struct {
	// Store is the device store.
	Store Store
	// County is the device's county code; "" on a province device (every
	// county).
	County string
	// CountyName names County (or the province) in titles and exports.
	CountyName string
	// User and Role of the signed-in user.
	User string
	Role model.Role
	// Lang is the model.Text language: "zh" or "en".
	Lang string
	// Window hosts dialogs.
	Window fyne.Window
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Logger; slog.Default() when nil.
	Logger *slog.Logger
	// Bridge runs work off the UI goroutine and brings results back to
	// it (the app's bridge; required). Tests pass one that calls in line.
	Bridge Bridge
	// Names turns a county code into its name (the gazetteer's); the code
	// is shown when nil.
	Names func(code string) string
	// Open, when set, shows a record in the app's detail screen (the
	// review queue's Open button).
	Open func(register string, id uuid.UUID)
	// Notify, when set, briefly confirms a done action (an approval).
	Notify func(msg string)
	// Evidence, when set, checks the records' photos (the review queue
	// marks the records with doubtful photos).
	Evidence *evidencecheck.Live
}

// notify confirms a done action through Notify, when set.
func (d *Deps) notify(msg string) {
	if d.Notify != nil {
		d.Notify(msg)
	}
}

func (d *Deps) now() time.Time {
	if d.Now == nil {
		return time.Now()
	}
	return d.Now()
}

func (d *Deps) logger() *slog.Logger {
	if d.Logger == nil {
		return slog.Default()
	}
	return d.Logger
}

// run runs work off the UI goroutine and then done on it, through the
// bridge.
func (d *Deps) run(work func() error, done func(error)) { d.Bridge.Run(work, done) }

func (d *Deps) name(code string) string {
	if d.Names != nil {
		if n := d.Names(code); n != "" {
			return n
		}
	}
	return code
}

func (d *Deps) en() bool { return strings.HasPrefix(d.Lang, "en") }

// reviewer reports whether the user may review (county or province).
func (d *Deps) reviewer() bool { return d.Role == model.RoleCounty || d.Role == model.RoleProvince }

// ReviewTitle is the review queue's title.
func ReviewTitle() string { return lang.L("Review queue") }

// DashboardTitle is the dashboard's title.
func DashboardTitle() string { return lang.L("Dashboard") }

// ExportTitle is the export screen's title.
func ExportTitle() string { return lang.L("Export ledger") }

// FireImportTitle is the fire-point import screen's title.
func FireImportTitle() string { return lang.L("Import fire points") }

// Title is the review queue's title.
func (s *ReviewScreen) Title() string { return ReviewTitle() }

// Title is the dashboard's title.
func (s *DashboardScreen) Title() string { return DashboardTitle() }

// Title is the export screen's title.
func (s *ExportScreen) Title() string { return ExportTitle() }

// Title is the fire-point import screen's title.
func (s *FireImportScreen) Title() string { return FireImportTitle() }
