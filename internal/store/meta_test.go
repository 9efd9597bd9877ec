package store

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"testing"
)

func TestMeta(t *testing.T) {
	dir := t.TempDir()
	s, err := openDir(t, dir, "")
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		key  string
		set  []byte
		want []byte // nil: ErrNotFound
	}{
		{"server_url", []byte("https://sthj.example.cn/lantian"), []byte("https://sthj.example.cn/lantian")},
		{"users", []byte(`[{"name":"王伟"}]`), []byte(`[{"name":"王伟"}]`)},
		{"server_url", nil, nil},
	}
	for _, st := range steps {
		if err := s.SetMeta(st.key, st.set); err != nil {
			t.Fatalf("SetMeta(%s): %v", st.key, err)
		}
	}
	dev := s.Device()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = openDir(t, dir, "")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Device() != dev {
		t.Fatalf("device after reopen = %s; want %s", s.Device(), dev)
	}
	for _, key := range []string{"users", "server_url"} {
		var want []byte
		for _, st := range steps {
			if st.key == key {
				want = st.want
			}
		}
		got, err := s.GetMeta(key)
		if want == nil {
			if !errors.Is(err, ErrNotFound) {
				t.Errorf("GetMeta(%s) = %q, %v; want ErrNotFound", key, got, err)
			}
			continue
		}
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("GetMeta(%s) = %q, %v; want %q", key, got, err, want)
		}
	}
}

// A meta set keeps distinct members, sorted, across chunked transactions,
// apart from the meta value of the same name.
func TestMetaSet(t *testing.T) {
	s := openMem(t)
	var many []string
	for i := range 2500 {
		many = append(many, fmt.Sprintf("%064x", i))
	}
	if err := s.SetMeta("want", []byte(`["old"]`)); err != nil {
		t.Fatal(err)
	}
	if err := s.AddToMetaSet("want", many); err != nil {
		t.Fatal(err)
	}
	if err := s.AddToMetaSet("want", many[:10]); err != nil { // again
		t.Fatal(err)
	}
	got, err := s.MetaSet("want")
	if err != nil || len(got) != 2500 || !slices.IsSorted(got) || got[0] != many[0] || got[2499] != many[2499] {
		t.Fatalf("set: %d members, sorted %v, %v; want 2500", len(got), slices.IsSorted(got), err)
	}
	if v, err := s.GetMeta("want"); err != nil || string(v) != `["old"]` {
		t.Errorf("meta value of the same name: %q, %v", v, err)
	}
	if err := s.RemoveFromMetaSet("want", many[:2400]); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.MetaSet("want"); !slices.Equal(got, many[2400:]) {
		t.Errorf("after removing 2400: %d members; want the last 100", len(got))
	}
	if got, _ := s.MetaSet("other"); len(got) != 0 {
		t.Errorf("another set: %v; want empty", got)
	}
}
