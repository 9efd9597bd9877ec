package app

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"

	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/bundle"
	"github.com/lantian-tz/lantian/sync/client"
	"github.com/lantian-tz/lantian/sync/protocol"
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
	return out, wrapRemote(err)
}

// ExportBundle writes this device's ops and photos as a signed bundle.
func (r *remoteSyncer) ExportBundle(ctx context.Context, w io.Writer) error {
	county := r.county()
	_, err := bundle.Export(ctx, r.st, w, bundle.ExportOptions{County: county, Province: bundle.ProvinceOf(county)})
	return wrapRemote(err)
}

// ImportBundle verifies and applies a bundle of another device.
func (r *remoteSyncer) ImportBundle(ctx context.Context, rd io.Reader) (Result, error) {
	data, err := io.ReadAll(rd)
	if err != nil {
		return Result{}, err
	}
	res, err := bundle.Import(ctx, r.st, bytes.NewReader(data), int64(len(data)), bundle.ProvinceOf(r.county()))
	if err != nil {
		return Result{}, wrapRemote(err)
	}
	return Result{Pulled: res.Applied}, nil
}

// Enroll registers the device with a one-time code and keeps the token,
// the server, the role and the county of the device's scope.
func (r *remoteSyncer) Enroll(ctx context.Context, server, code string) error {
	c := client.New(client.Config{BaseURL: server, Store: r.st, Logger: r.log})
	resp, err := c.Enroll(ctx, code, "lantian "+Version)
	if err != nil {
		return wrapRemote(err)
	}
	if err := client.NewEnrollment(server, resp).Save(r.st); err != nil {
		return err
	}
	r.mu.Lock()
	r.c = c
	r.mu.Unlock()
	return nil
}

var _ Syncer = (*remoteSyncer)(nil)

// remoteError carries the sync side's own words for the user and the
// app's kind of failure (ErrUnreachable, ErrUnauthorized, ErrBadCode).
type remoteError struct {
	msg  model.Text
	kind error
	err  error
}

// Error is the underlying error's text (for logs).
func (e *remoteError) Error() string { return e.err.Error() }

// Unwrap returns the app's kind of failure, if any, and the cause.
func (e *remoteError) Unwrap() []error {
	if e.kind != nil {
		return []error{e.kind, e.err}
	}
	return []error{e.err}
}

// wrapRemote classifies a client, protocol or bundle error.
func wrapRemote(err error) error {
	if err == nil {
		return nil
	}
	var ce *client.Error
	var pe *protocol.Error
	var be *bundle.Error
	switch {
	case errors.As(err, &ce):
		var kind error
		if ce.Kind == client.KindNetwork {
			kind = ErrUnreachable
		}
		if errors.As(err, &pe) {
			return wrapProtocol(pe, err)
		}
		return &remoteError{msg: ce.Msg, kind: kind, err: err}
	case errors.As(err, &pe):
		return wrapProtocol(pe, err)
	case errors.As(err, &be):
		return &remoteError{msg: be.Msg, err: err}
	}
	return err
}

func wrapProtocol(pe *protocol.Error, err error) error {
	var kind error
	switch {
	case errors.Is(pe, protocol.ErrUnauthorized), errors.Is(pe, protocol.ErrRevoked):
		kind = ErrUnauthorized
	case errors.Is(pe, protocol.ErrEnrollUnknown), errors.Is(pe, protocol.ErrEnrollUsed), errors.Is(pe, protocol.ErrEnrollExpired):
		kind = ErrBadCode
	}
	return &remoteError{msg: pe.Msg, kind: kind, err: err}
}
