package app

import (
	"encoding/json"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"golang.org/x/image/font/sfnt"

	"github.com/lantian-tz/lantian/assets"
	"github.com/lantian-tz/lantian/internal/demo"
	"github.com/lantian-tz/lantian/model"
)

// TestFontsCoverAppText: Fyne draws each style with the one font the
// theme gives (falling back only to its Latin font and the system's), so
// the bundled regular and bold faces must hold every character of the
// schemas' labels, help, units, options, statuses and actions, of the
// translations, of the gazetteer's names and of the demo data. Rerun
// packaging/fonts/make-cjk-fonts.py when this fails.
func TestFontsCoverAppText(t *testing.T) {
	need := map[rune]string{}
	add := func(where, s string) {
		for _, r := range s {
			if !unicode.IsSpace(r) && unicode.IsPrint(r) {
				if _, ok := need[r]; !ok {
					need[r] = where
				}
			}
		}
	}
	addText := func(where string, t model.Text) { add(where, t.ZH); add(where, t.EN) }
	for _, sc := range model.Registers() {
		addText(sc.Name, sc.Label)
		for _, f := range sc.Fields {
			w := sc.Name + "." + f.Key
			addText(w, f.Label)
			addText(w, f.Help)
			addText(w, f.Unit)
			for _, o := range f.Options {
				addText(w, o.Label)
			}
		}
		for _, st := range sc.Statuses {
			addText(sc.Name+" status", st.Label)
		}
		for _, tr := range sc.Transitions {
			addText(sc.Name+" transition", tr.Label)
		}
	}
	var walkJSON func(where string, v any)
	walkJSON = func(where string, v any) {
		switch x := v.(type) {
		case string:
			add(where, x)
		case []any:
			for _, e := range x {
				walkJSON(where, e)
			}
		case map[string]any:
			for k, e := range x {
				add(where, k)
				walkJSON(where, e)
			}
		}
	}
	readJSON := func(where string, data []byte) {
		var v any
		if err := json.Unmarshal(data, &v); err != nil {
			t.Fatalf("%s: %v", where, err)
		}
		walkJSON(where, v)
	}
	readJSON("scope.json", assets.ScopeJSON)
	err := fs.WalkDir(assets.Translations, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(assets.Translations, p)
		readJSON(p, data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	county, _ := filepath.Glob("county/translations/*.json")
	if len(county) == 0 {
		t.Fatal("no county translations")
	}
	for _, p := range county {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		readJSON(p, data)
	}
	for _, sd := range demo.Records(rand.New(rand.NewPCG(1, 2)), DemoCounty, 600) {
		for k, v := range sd.Fields {
			if s, err := v.AsText(); err == nil {
				add("demo "+sd.Register+"."+k, s)
			}
		}
	}
	places, err := model.LoadPlaces(assets.PlacesTSVGz)
	if err != nil {
		t.Fatal(err)
	}
	gaz, err := model.LoadGazetteer(assets.ScopeJSON)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range gaz.Counties() {
		for _, pl := range append(places.Townships(c.Code), places.VillagesOfCounty(c.Code)...) {
			add("places "+pl.Code, pl.Name)
		}
	}
	if len(need) < 1000 {
		t.Fatalf("got %d characters to check; the sources were not read", len(need))
	}
	parse := func(font fyne.Resource) *sfnt.Font {
		f, err := sfnt.Parse(font.Content())
		if err != nil {
			t.Fatalf("%s: %v", font.Name(), err)
		}
		return f
	}
	var buf sfnt.Buffer
	has := func(f *sfnt.Font, r rune) bool {
		gi, err := f.GlyphIndex(&buf, r)
		return err == nil && gi != 0
	}
	// Fyne's own font (Latin, Greek, subscripts) backs each face up.
	for _, pair := range [][2]fyne.Resource{{cjkFont, theme.DefaultTextFont()}, {cjkFontBold, theme.DefaultTextBoldFont()}} {
		font, f, fallback := pair[0], parse(pair[0]), parse(pair[1])
		missing := 0
		for r, where := range need {
			if !has(f, r) && !has(fallback, r) {
				if missing++; missing <= 20 {
					t.Errorf("%s has no %q (U+%04X), used in %s", font.Name(), r, r, where)
				}
			}
		}
		if missing > 20 {
			t.Errorf("%s: %d characters missing in all", font.Name(), missing)
		}
	}
}

// TestThemeBoldFace: bold text gets the bold face, other styles the
// regular one.
func TestThemeBoldFace(t *testing.T) {
	th := NewTheme(false)
	if got := th.Font(fyne.TextStyle{Bold: true}); got != cjkFontBold {
		t.Errorf("bold: got %s; want %s", got.Name(), cjkFontBold.Name())
	}
	for _, s := range []fyne.TextStyle{{}, {Italic: true}, {Monospace: true}} {
		if got := th.Font(s); got != cjkFont {
			t.Errorf("%+v: got %s; want %s", s, got.Name(), cjkFont.Name())
		}
	}
}
