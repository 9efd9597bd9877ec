package model

import (
	"encoding/json"
	"reflect"
	"testing"
)

// AsText's fast path for plain strings gives what the JSON decoder gives,
// and refuses what it refuses.
func FuzzAsText(f *testing.F) {
	for _, s := range []string{`"灵寿县"`, `""`, `"a\"b"`, `"a\\b"`, `"\u0041"`, "\"\x01\"", "\"\xff\"", `"`, `12`, `null`, `"a" `, `["a"]`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if v == "" {
			return // Null: the empty text, not JSON
		}
		got, err := Value(v).AsText()
		var want string
		wantErr := json.Unmarshal([]byte(v), &want)
		if (err != nil) != (wantErr != nil) {
			t.Fatalf("AsText(%q): error %v; the JSON decoder: %v", v, err, wantErr)
		}
		if err == nil && got != want {
			t.Fatalf("AsText(%q) = %q; the JSON decoder gives %q", v, got, want)
		}
	})
}

// AsList's fast path for arrays of plain strings gives what the JSON
// decoder gives (an empty array as an empty, non-nil list), and refuses
// what it refuses.
func FuzzAsList(f *testing.F) {
	for _, s := range []string{`["a","b"]`, `[]`, `["灵寿县"]`, `["a",]`, `[,"a"]`, `["a" ,"b"]`, `["a\"b"]`, `[1]`, `null`, `["a","b"`, "[\"\xff\"]", `[""]`, `["a"]]`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if v == "" {
			return // Null: the empty list, not JSON
		}
		got, err := Value(v).AsList()
		var want []string
		wantErr := json.Unmarshal([]byte(v), &want)
		if (err != nil) != (wantErr != nil) {
			t.Fatalf("AsList(%q): error %v; the JSON decoder: %v", v, err, wantErr)
		}
		if err == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("AsList(%q) = %#v; the JSON decoder gives %#v", v, got, want)
		}
	})
}
