package app

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"sync"

	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/sync/bundle"
	"github.com/lantian-tz/lantian/sync/client"
)

// remoteSyncer is the Syncer over sync/client and sync/bundle. Before
// enrollment Sync says the device is not enrolled; bundles work anyway.
type remoteSyncer struct {
	st     *store.Store
	log    *slog.Logger
	county func() string

	mu sync.Mutex
	c  *client.Client // nil until enrolled
}

// newRemoteSyncer makes the syncer of st, picking up an earlier
// enrollment from the store's meta data.
func newRemoteSyncer(st *store.Store, log *slog.Logger, county func() string) *remoteSyncer {
	r := &remoteSyncer{st: st, log: log, county: county}
	e, err := client.LoadEnrollment(st)
	if err != nil {
		log.Warn("loading the enrollment", "err", err)
	}
	if e.Enrolled() {
		r.c = client.New(client.Config{BaseURL: e.Server, Token: e.Token, Store: st, Logger: log})
	}
	return r
}

func (r *remoteSyncer) client() *client.Client {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.c
}

// Sync runs one sync with the server.
func (r *remoteSyncer) Sync(ctx context.Context, progress func(Progress)) (Result, error) {
	c := r.client()
	if c == nil {
		return Result{}, ErrNotEnrolled
	}
	res, err := c.Sync(ctx, func(p client.Progress) {
		progress(Progress{Phase: string(p.Phase), Ops: int64(p.Ops), Bytes: p.Bytes, Total: int64(p.Total)})
	})
	out := Result{Pushed: res.Pushed, Pulled: res.Pulled, Summary: res.Summary().In(currentTextLang)}
	if res.ClockWarning() {
		out.ClockOffset = res.ClockOffset
	}
	return out, err
}

// ExportBundle writes this device's ops and photos as a signed bundle.
func (r *remoteSyncer) ExportBundle(ctx context.Context, w io.Writer) error {
	county := r.county()
	_, err := bundle.Export(ctx, r.st, w, bundle.ExportOptions{County: county, Province: bundle.ProvinceOf(county)})
	return err
}

// ImportBundle verifies and applies a bundle of another device.
func (r *remoteSyncer) ImportBundle(ctx context.Context, rd io.Reader) (Result, error) {
	data, err := io.ReadAll(rd)
	if err != nil {
		return Result{}, err
	}
	res, err := bundle.Import(ctx, r.st, bytes.NewReader(data), int64(len(data)), bundle.ProvinceOf(r.county()))
	if err != nil {
		return Result{}, err
	}
	return Result{Pulled: res.Applied}, nil
}

// Enroll registers the device with a one-time code and keeps the token,
// the server, the role and the county of the device's scope.
func (r *remoteSyncer) Enroll(ctx context.Context, server, code string) error {
	c := client.New(client.Config{BaseURL: server, Store: r.st, Logger: r.log})
	resp, err := c.Enroll(ctx, code, "lantian "+Version)
	if err != nil {
		return err
	}
	if err := client.NewEnrollment(server, resp).Save(r.st); err != nil {
		return err
	}
	if err := client.SaveStatement(r.st, resp); err != nil {
		return err
	}
	r.mu.Lock()
	r.c = c
	r.mu.Unlock()
	return nil
}

var _ Syncer = (*remoteSyncer)(nil)
