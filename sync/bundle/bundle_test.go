package bundle_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"reflect"
	"strconv"
	"testing"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/bundle"
	"github.com/lantian-tz/lantian/sync/e2e/fixture"
)

// source returns a store with n facility records (one edited) and their
// ids.
func source(t *testing.T, n int) (*store.Store, []uuid.UUID) {
	t.Helper()
	st := fixture.Store(t)
	var ids []uuid.UUID
	for i := range n {
		ids = append(ids, fixture.Create(t, st, i+1))
	}
	fixture.Edit(t, st, ids[0], map[string]model.Value{"unit_count": model.Int(3)})
	return st, ids
}

func export(t *testing.T, st *store.Store, after uint64) []byte {
	t.Helper()
	var buf bytes.Buffer
	if _, err := bundle.Export(context.Background(), st, &buf, bundle.ExportOptions{AfterSeq: after, County: fixture.County, Label: "平板1"}); err != nil {
		t.Fatalf("export: %v", err)
	}
	return buf.Bytes()
}

func importBytes(st *store.Store, b []byte, province string) (bundle.Result, error) {
	return bundle.Import(context.Background(), st, bytes.NewReader(b), int64(len(b)), province)
}

// snapshot is what an import may change in a store.
type snapshot struct {
	VV    map[uuid.UUID]uint64
	Blobs int
}

func snap(t *testing.T, st *store.Store) snapshot {
	t.Helper()
	vv, err := st.VersionVector()
	if err != nil {
		t.Fatal(err)
	}
	return snapshot{VV: vv, Blobs: fixture.BlobFiles(t, st)}
}

func TestRoundTrip(t *testing.T) {
	src, ids := source(t, 3)
	b := export(t, src, 0)
	dst := fixture.Store(t)
	res, err := importBytes(dst, b, fixture.Province)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	if res.Applied != 4 || res.Blobs != 6 || res.Header.Ops != 4 || res.Header.Blobs != 6 {
		t.Errorf("result = %+v; want 4 applied, 6 blobs", res)
	}
	for _, id := range ids {
		want, err := src.Get(id)
		if err != nil {
			t.Fatal(err)
		}
		got, err := dst.Get(id)
		if err != nil {
			t.Fatalf("get %s: %v", id, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("record %s: got %+v; want %+v", id, got, want)
		}
		for _, sha := range mustList(t, got.Value("survey_photos")) {
			if !dst.HasBlob(sha) {
				t.Errorf("photo %s missing after import", sha)
			}
		}
	}
	before := snap(t, dst)
	res, err = importBytes(dst, b, fixture.Province)
	if err != nil {
		t.Fatalf("second import: %v", err)
	}
	if res.Applied != 0 || res.Duplicates != 4 || res.Blobs != 0 {
		t.Errorf("second import = %+v; want 0 applied, 4 duplicates, 0 blobs", res)
	}
	if after := snap(t, dst); !reflect.DeepEqual(after, before) {
		t.Errorf("second import changed the store: %+v; want %+v", after, before)
	}
}

func TestIncremental(t *testing.T) {
	src, _ := source(t, 2)
	dst := fixture.Store(t)
	if _, err := importBytes(dst, export(t, src, 0), fixture.Province); err != nil {
		t.Fatal(err)
	}
	id := fixture.Create(t, src, 9)
	b := export(t, src, 3)
	res, err := importBytes(dst, b, fixture.Province)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	if res.Header.FromSeq != 4 || res.Header.ToSeq != 4 || res.Applied != 1 {
		t.Errorf("result = %+v; want seq 4..4, 1 applied", res)
	}
	if _, err := dst.Get(id); err != nil {
		t.Errorf("new record: %v", err)
	}
}

func TestRefused(t *testing.T) {
	src, _ := source(t, 2)
	good := export(t, src, 0)
	other := fixture.Store(t)

	// A bundle whose signature is another device's.
	resigned := bytes.Clone(good)
	sigAt := len(resigned) - ed25519.SignatureSize
	copy(resigned[sigAt:], other.Sign(bundle.SigDigest(resigned[:sigAt])))

	tests := []struct {
		name     string
		data     []byte
		province string
		want     error
	}{
		{"empty", nil, fixture.Province, bundle.ErrNotBundle},
		{"not a bundle", []byte("PK\x03\x04 a zip file"), fixture.Province, bundle.ErrNotBundle},
		{"wrong signature", resigned, fixture.Province, bundle.ErrSignature},
		{"foreign province", good, "610000", bundle.ErrForeignProvince},
	}
	for i := 0; i < len(good); i++ {
		tests = append(tests, struct {
			name     string
			data     []byte
			province string
			want     error
		}{"cut at " + itoa(i), good[:i], fixture.Province, nil})
	}
	for i := 0; i < len(good); i++ {
		for _, bit := range []byte{0x01, 0x80} {
			flipped := bytes.Clone(good)
			flipped[i] ^= bit
			tests = append(tests, struct {
				name     string
				data     []byte
				province string
				want     error
			}{"flip at " + itoa(i), flipped, fixture.Province, nil})
		}
	}
	dst := fixture.Store(t)
	before := snap(t, dst)
	for _, tt := range tests {
		res, err := importBytes(dst, tt.data, tt.province)
		var be *model.Error
		if !errors.As(err, &be) || be.Op != "bundle" {
			t.Errorf("%s: err = %v (%+v); want a bundle *model.Error", tt.name, err, res)
			continue
		}
		if be.Msg.ZH == "" || be.Msg.EN == "" {
			t.Errorf("%s: error %v lacks a message in both languages", tt.name, err)
		}
		if tt.want != nil && !errors.Is(err, tt.want) {
			t.Errorf("%s: err = %v; want %v", tt.name, err, tt.want)
		}
	}
	if after := snap(t, dst); !reflect.DeepEqual(after, before) {
		t.Errorf("refused bundles changed the store: %+v; want %+v", after, before)
	}
	// The intact bundle does change it: the comparison above can fail.
	if res, err := importBytes(dst, good, fixture.Province); err != nil || res.Applied == 0 {
		t.Fatalf("intact bundle = %+v, %v; want ops applied", res, err)
	}
	if after := snap(t, dst); reflect.DeepEqual(after, before) {
		t.Errorf("intact bundle left the store unchanged")
	}
}

// TestRefusalKinds: a refused bundle is matched by the kind of its
// error as well as by its sentinel, as the app matches it.
func TestRefusalKinds(t *testing.T) {
	src, _ := source(t, 1)
	good := export(t, src, 0)
	resigned := bytes.Clone(good)
	sigAt := len(resigned) - ed25519.SignatureSize
	copy(resigned[sigAt:], fixture.Store(t).Sign(bundle.SigDigest(resigned[:sigAt])))
	tests := []struct {
		name     string
		data     []byte
		province string
		want     error
		kind     model.ErrorKind
	}{
		{"not a bundle", []byte("PK\x03\x04 a zip file"), fixture.Province, bundle.ErrNotBundle, model.ErrBadInput},
		{"cut", good[:len(good)/2], fixture.Province, bundle.ErrTruncated, model.ErrBadInput},
		{"wrong signature", resigned, fixture.Province, bundle.ErrSignature, model.ErrSignature},
		{"foreign province", good, "610000", bundle.ErrForeignProvince, model.ErrScope},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := importBytes(fixture.Store(t), tt.data, tt.province)
			if !errors.Is(err, tt.want) || !errors.Is(err, tt.kind) || model.KindOf(err) != tt.kind {
				t.Errorf("err = %v (kind %v); want %v of kind %v", err, model.KindOf(err), tt.want, tt.kind)
			}
			if msg, ok := model.MsgOf(err); !ok || msg != tt.want.(*model.Error).Msg {
				t.Errorf("message = %+v; want the sentinel's", msg)
			}
		})
	}
}

func TestForeignOpsRefusedAtExport(t *testing.T) {
	st := fixture.Store(t)
	fixture.Create(t, st, 1)
	var buf bytes.Buffer
	_, err := bundle.Export(context.Background(), st, &buf, bundle.ExportOptions{Province: "610000"})
	if err == nil {
		t.Fatal("export of Hebei ops as a Shaanxi bundle succeeded; want an error")
	}
}

func TestBlobRefs(t *testing.T) {
	a := "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	b := "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	tests := []struct {
		name     string
		register string
		set      map[string]model.Value
		want     []string
	}{
		{"no photos", fixture.Register, map[string]model.Value{"remarks": model.Str(a)}, nil},
		{"photo fields", fixture.Register, map[string]model.Value{"survey_photos": model.List(b, a), "after_photos": model.List(a)}, []string{a, b}},
		{"hash-like text list", fixture.Register, map[string]model.Value{"remarks": model.List(a)}, nil},
		{"not a name", fixture.Register, map[string]model.Value{"survey_photos": model.List(a, "AAAA")}, []string{a}},
		{"unknown register", "no_such_register", map[string]model.Value{"survey_photos": model.List(a)}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			op := oplog.Op{Register: tt.register, Set: tt.set}
			if got := bundle.BlobRefs(&op); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v; want %v", got, tt.want)
			}
		})
	}
}

func mustList(t *testing.T, v model.Value) []string {
	t.Helper()
	l, err := v.AsList()
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func itoa(i int) string { return strconv.Itoa(i) }
