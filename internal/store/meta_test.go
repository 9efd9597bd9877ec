package store

import (
	"bytes"
	"errors"
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
