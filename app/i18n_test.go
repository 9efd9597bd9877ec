package app

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/lantian-tz/lantian/assets"
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
