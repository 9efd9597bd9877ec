package app

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"image/color"
	"math"
	"path/filepath"
	"strconv"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/lantian-tz/lantian/assets"
	"github.com/lantian-tz/lantian/model"
)

// TestTranslationsComplete checks that every literal passed to lang.L in
// the app has a Chinese and an English translation.
func TestTranslationsComplete(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]string{}
	fset := token.NewFileSet()
	for _, name := range files {
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(name) > 8 && name[len(name)-8:] == "_test.go" {
			continue
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || sel.Sel.Name != "L" {
				return true
			}
			if id, ok := sel.X.(*ast.Ident); !ok || id.Name != "lang" {
				return true
			}
			if lit, ok := call.Args[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
				s, _ := strconv.Unquote(lit.Value)
				keys[s] = fset.Position(lit.Pos()).String()
			}
			return true
		})
	}
	for _, v := range fireVerdicts {
		keys[v.label] = "fireVerdicts"
	}
	for _, file := range []string{"zh-Hans.json", "en.json"} {
		data, err := assets.Translations.ReadFile("translations/" + file)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]string
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		for k, pos := range keys {
			if m[k] == "" {
				t.Errorf("%s: no translation of %q (%s)", file, k, pos)
			}
		}
	}
}

// On first start the language follows the locale; afterwards the choice
// in Settings.
func TestLanguageFollowsLocaleOnFirstStart(t *testing.T) {
	for _, tt := range []struct{ lang, want string }{
		{"en_US.UTF-8", LangEN},
		{"zh_CN.UTF-8", LangZH},
		{"", LangZH},
	} {
		t.Run(tt.lang, func(t *testing.T) {
			t.Setenv("LC_ALL", "")
			t.Setenv("LC_MESSAGES", "")
			t.Setenv("LANG", tt.lang)
			t.Setenv("XDG_CACHE_HOME", t.TempDir())
			a := New(test.NewTempApp(t), Options{InMemory: true, inline: true})
			t.Cleanup(func() { a.Close() })
			if a.lang != tt.want {
				t.Errorf("LANG=%q: got %s; want %s", tt.lang, a.lang, tt.want)
			}
		})
	}
}

// A yes/no question answers 否 in Chinese, not Fyne's 不.
func TestConfirmSaysFou(t *testing.T) {
	newTestApp(t, LangZH, nil)
	if got := lang.L("No"); got != "否" {
		t.Errorf("No is %q; want 否", got)
	}
}

// List subtitles are drawn in a colour that reads against the background
// (contrast at least 4.5:1).
func TestListSubtitleContrast(t *testing.T) {
	a := newTestApp(t, LangZH, nil)
	seed(t, a, "straw_patrol", 3)
	sc, _ := model.Lookup("straw_patrol")
	list := newListScreen(a, sc)
	a.shell.push(list)
	row := list.list.CreateItem()
	sub := row.(*fyne.Container).Objects[0].(*fyne.Container).Objects[1].(*widget.Label)
	sub.SetText("演示村1 · 2023-10-04")
	var txt *canvas.Text
	var find func(o fyne.CanvasObject)
	find = func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *canvas.Text:
			if txt == nil {
				txt = x
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(x).Objects() {
				find(c)
			}
		}
	}
	find(sub)
	if txt == nil {
		t.Fatal("no text drawn by the subtitle")
	}
	th := a.fa.Settings().Theme()
	bg := th.Color(theme.ColorNameBackground, a.fa.Settings().ThemeVariant())
	if r := contrast(txt.Color, bg); r < 4.5 {
		t.Errorf("subtitle contrast %.1f:1; want ≥ 4.5:1", r)
	}
}

// contrast is the WCAG contrast ratio of two colours.
func contrast(a, b color.Color) float64 {
	lum := func(c color.Color) float64 {
		r, g, b, _ := c.RGBA()
		ch := func(v uint32) float64 {
			x := float64(v) / 0xffff
			if x <= 0.03928 {
				return x / 12.92
			}
			return math.Pow((x+0.055)/1.055, 2.4)
		}
		return 0.2126*ch(r) + 0.7152*ch(g) + 0.0722*ch(b)
	}
	la, lb := lum(a), lum(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}
