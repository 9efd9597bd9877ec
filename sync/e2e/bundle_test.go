package e2e

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/bundle"
	"github.com/lantian-tz/lantian/sync/e2e/fixture"
	"github.com/lantian-tz/lantian/sync/server"
)

// exportAll writes d's whole log as a bundle.
func exportAll(t *testing.T, d *device) []byte {
	t.Helper()
	var buf bytes.Buffer
	if _, err := bundle.Export(context.Background(), d.st, &buf, bundle.ExportOptions{County: fixture.County, Label: d.name}); err != nil {
		t.Fatalf("export %s: %v", d.name, err)
	}
	return buf.Bytes()
}

// importServer ingests b at the server as `lantian-server import` does.
func (e *env) importServer(t *testing.T, d *device, b []byte) (bundle.ServerResult, error) {
	t.Helper()
	dev := bundle.EnrolledDevice{PublicKey: d.st.PublicKey(), Province: fixture.Province}
	return bundle.ImportServer(context.Background(), e.srv, server.DeviceBlobs{Blobs: e.blobs, Device: d.st.Device()}, dev, bytes.NewReader(b), int64(len(b)))
}

// A device that never reaches the network hands its work over as a
// bundle: to a colleague's device, and to the server; afterwards normal
// sync sees it all once.
func TestBundleRoundTrips(t *testing.T) {
	e := newEnv(t)
	a := e.enroll("甲", fixture.County, model.RoleGrid, nil)
	for i := range 3 {
		fixture.Create(t, a.st, i+1)
	}
	b := exportAll(t, a)

	// Device to device.
	c := e.enroll("丙", fixture.County, model.RoleGrid, nil)
	res, err := bundle.Import(context.Background(), c.st, bytes.NewReader(b), int64(len(b)), fixture.Province)
	if err != nil || res.Applied != 3 || res.Blobs != 6 {
		t.Fatalf("device import = %+v, %v; want 3 ops and 6 photos", res, err)
	}
	sameRecords(t, records(t, a.st), c)

	// Tampered and truncated bundles leave the server as it was.
	flipped := bytes.Clone(b)
	flipped[len(flipped)/2] ^= 0x10
	for name, bad := range map[string][]byte{"tampered": flipped, "truncated": b[:len(b)-100]} {
		_, err := e.importServer(t, a, bad)
		var be *model.Error
		if !errors.As(err, &be) || be.Op != "bundle" {
			t.Errorf("%s bundle: err = %v; want a bundle *model.Error", name, err)
		}
		if got := e.serverOps(t); got != 0 {
			t.Fatalf("%s bundle: server holds %d ops; want 0", name, got)
		}
	}
	// A bundle for another province is refused.
	dev := bundle.EnrolledDevice{PublicKey: a.st.PublicKey(), Province: "610000"}
	if _, err := bundle.ImportServer(context.Background(), e.srv, server.DeviceBlobs{Blobs: e.blobs, Device: a.st.Device()}, dev, bytes.NewReader(b), int64(len(b))); !errors.Is(err, bundle.ErrForeignProvince) {
		t.Errorf("foreign province: err = %v; want %v", err, bundle.ErrForeignProvince)
	}

	// Device to server, twice: the second import changes nothing.
	sr, err := e.importServer(t, a, b)
	if err != nil || sr.Applied != 3 || sr.Blobs != 6 || sr.Acked != 3 {
		t.Fatalf("server import = %+v, %v; want 3 applied, 6 photos, acked 3", sr, err)
	}
	sr, err = e.importServer(t, a, b)
	if err != nil || sr.Applied != 0 || sr.Duplicates != 3 || sr.Blobs != 0 {
		t.Fatalf("second server import = %+v, %v; want 3 duplicates", sr, err)
	}

	// Everyone syncs: nothing lost, nothing twice.
	other := e.enroll("乙", fixture.County, model.RoleGrid, nil)
	if res := other.sync(t); res.BlobsDown != 6 || res.Pulled != 3 {
		t.Errorf("other device pulled %d ops and %d photos; want 3 and 6", res.Pulled, res.BlobsDown)
	}
	settle(t, a, c, other)
	sameRecords(t, records(t, a.st), c, other)
	noLossNoDup(t, e, a, c, other)
}
