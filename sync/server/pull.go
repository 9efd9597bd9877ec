package server

import (
	"context"
	"net/http"
	"strconv"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/sync/protocol"
)

func (s *Server) handlePull(w http.ResponseWriter, r *http.Request) error {
	d, err := s.authDevice(r)
	if err != nil {
		return err
	}
	b, err := readBody(r, protocol.ContentTypeJSON)
	if err != nil {
		return err
	}
	req, err := protocol.DecodePullRequest(b)
	if err != nil {
		return err
	}
	body, err := s.page(r, d, req)
	if err != nil {
		return err
	}
	writeBody(w, r, http.StatusOK, protocol.ContentTypeOps, body)
	return nil
}

// page reads one pull page of d's scope and encodes it with the keys of
// the devices it references.
func (s *Server) page(r *http.Request, d Device, req protocol.PullRequest) ([]byte, error) {
	now := s.now()
	pg, err := s.store.Pull(r.Context(), d.Scope, req.Cursor, req.Limit())
	if err != nil {
		return nil, err
	}
	if pg.LastKnown && req.Cursor > pg.Last {
		e := protocol.ErrCursorAhead.Withf("cursor %d; last server seq %d", req.Cursor, pg.Last)
		e.Expected = pg.Last
		return nil, e
	}
	if req.Acked > 0 {
		// The device was told that the server holds its ops up to
		// Acked: a server restored from an earlier backup has lost
		// some, and asks for them again.
		h, err := s.store.Head(r.Context(), d.ID)
		if err != nil {
			return nil, err
		}
		if h.Acked < req.Acked {
			e := protocol.ErrGap.Withf("device acked %d; server holds %d of its ops", req.Acked, h.Acked)
			e.Expected = h.Acked + 1
			return nil, e
		}
	}
	if req.Own > 0 {
		dropOwn(&pg, d.ID, req.Own)
	}
	seen := make(map[uuid.UUID]bool)
	var ids []uuid.UUID
	for _, id := range pg.Devices {
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	var keys []protocol.DeviceKey
	if len(ids) > 0 {
		if keys, err = s.store.Keys(r.Context(), ids); err != nil {
			return nil, err
		}
	}
	size := 64 + 48*len(keys)
	for _, o := range pg.Ops {
		size += protocol.PageOpSize(o)
	}
	if req.Statements {
		for i := range keys {
			if len(keys[i].Statement) > protocol.MaxStatementBytes {
				keys[i].Statement = nil // not a statement this server signs
			}
			size += len(keys[i].Statement) + 2
		}
	} else {
		for i := range keys {
			keys[i].Statement = nil
		}
	}
	frame := protocol.PageFrame{Cursor: pg.Cursor, More: pg.More, Links: pg.Links, ServerTime: protocol.Millis(now), Keys: keys,
		HasStatements: req.Statements, Ops: pg.Ops}
	// The withdrawals are read after the page: an op of the page
	// withdrawn since its read is in them (the device applies them after
	// the page's ops).
	if req.Withdrawals != nil {
		frame.HasWithdrawals = true
		if frame.Withdrawals, frame.Withdrawn, err = s.withdrawals(r.Context(), d.Scope, *req.Withdrawals); err != nil {
			return nil, err
		}
		size += protocol.WithdrawalsSize(frame.Withdrawals)
	}
	return protocol.AppendPageFrame(make([]byte, 0, size), frame), nil
}

// dropOwn leaves out of pg the ops of device dev up to seq own, which it
// holds already (its stamps came in its push receipts). The page's cursor
// and the other ops' scope links stay as they are.
func dropOwn(pg *Page, dev uuid.UUID, own uint64) {
	ops, devs := pg.Ops[:0], pg.Devices[:0]
	for i, o := range pg.Ops {
		if pg.Devices[i] == dev {
			if id, ok := oplog.PeekID(o.Raw); ok && id.Device == dev && id.Seq <= own {
				continue
			}
		}
		ops, devs = append(ops, o), append(devs, pg.Devices[i])
	}
	pg.Ops, pg.Devices = ops, devs
}

// upToDate returns the cursor a pull from cursor would end at when d's
// scope holds nothing after it but d's own ops up to own (the device has
// those), and no withdrawal after withdrawn (the last the device saved,
// as sent; "" from a device that does not know withdrawals) concerns
// the scope; nil when there is more, or on any error (the device then
// pulls as usual). It reads the page a pull would.
func (s *Server) upToDate(ctx context.Context, d Device, cursor, own uint64, withdrawn string) *uint64 {
	pg, err := s.store.Pull(ctx, d.Scope, cursor, protocol.DefaultPullBytes)
	if err != nil || (pg.LastKnown && cursor > pg.Last) {
		return nil
	}
	if withdrawn != "" {
		after, err := strconv.ParseUint(withdrawn, 10, 64)
		if err != nil {
			return nil
		}
		ws, _, err := s.withdrawals(ctx, d.Scope, after)
		if err != nil || len(ws) > 0 {
			return nil
		}
	}
	dropOwn(&pg, d.ID, own)
	if len(pg.Ops) > 0 || pg.More {
		return nil
	}
	c := pg.Cursor
	return &c
}
