package client

import (
	"context"
	"crypto/ed25519"
	"encoding/binary"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/internal/vouch"
	"github.com/lantian-tz/lantian/sync/bundle"
	"github.com/lantian-tz/lantian/sync/protocol"
)

// pull saves the pages of ops after the store's cursor until the server
// has no more. Each page's ops and cursor go into the store together (one
// transaction, or several for a page too big for one, the cursor with the
// last); the photos they reference are noted for the blob phase first.
// An op that fails the store's checks is set aside there and the rest of
// its page saved (see store.ApplyPage); report tells the server. The
// next page is fetched and decoded while one is saved.
func (c *Client) pull(ctx context.Context, res *Result, progress func(Progress)) error {
	st := c.cfg.Store
	cursor, err := st.Cursor()
	if err != nil {
		return storeErr("pull", err)
	}
	withdrawn, err := st.WithdrawalCursor()
	if err != nil {
		return storeErr("pull", err)
	}
	fctx, cancel := context.WithCancel(ctx)
	var bytes atomic.Int64
	pages := make(chan fetched, 1)
	var fetchErr error
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(pages)
		fetchErr = c.fetchPages(fctx, cursor, withdrawn, &bytes, pages, &res.serverLost)
	})
	defer wg.Wait()
	defer cancel()

	var got int
	for page := range pages {
		if err := ctx.Err(); err != nil {
			return err
		}
		// The server's time, learned at every pull (also when there was
		// nothing to push): the store's clock follows it, before the
		// page's times are adopted, and the user is warned when the
		// device clock is off.
		if page.ServerTime > 0 {
			if !res.clockKnown {
				res.ClockOffset, res.clockKnown = page.offset, true
			}
			st.FollowServerClock(page.offset)
		}
		// The role and scope a device was enrolled for (from a server
		// that sends them) let the store admit its ops as the server
		// does.
		for _, k := range page.Keys {
			// The province's statement of each device, kept for the
			// device's evidence packs (a revocation signs a new one).
			if len(k.Statement) > 0 && string(c.statements[k.Device]) != string(k.Statement) {
				if err := st.SetMeta(vouch.MetaKey(k.Device), k.Statement); err != nil {
					return storeErr("pull", err)
				}
				c.statements[k.Device] = k.Statement
			}
			if c.known[k.Device] || k.Device == st.Device() {
				continue
			}
			en := store.Enrolled{Role: k.Role, County: k.Scope.County, Province: k.Scope.Province}
			if err := st.RegisterDeviceAs(k.Device, ed25519.PublicKey(k.Key), "", en); err != nil {
				return storeErr("pull", err)
			}
			c.known[k.Device] = true
		}
		if err := c.wantBlobs(page.Ops); err != nil {
			return storeErr("pull", err)
		}
		// The ops' scope links let the store bridge the holes in a
		// device's chain that this scope never receives (refused ops,
		// other counties); the server verified the chain across them.
		// A page without links (a backend that does not track them)
		// is checked strictly: an op after a hole is held.
		var ar store.ApplyResult
		if page.ScopePrev == nil {
			ar, err = st.ApplyPage(ctx, page.Ops, page.Cursor)
		} else {
			ar, err = st.ApplyPageScoped(ctx, page.Ops, page.ScopePrev, page.Cursor)
		}
		if err != nil {
			return storeErr("pull", err)
		}
		res.Pulled += ar.Applied
		res.SetAside += ar.Quarantined
		// Withdrawals come after the page's ops (an op of the page may
		// be among them) and are saved with their cursor; should the
		// device stop in between, the next pull brings them again.
		if page.HasWithdrawals && (len(page.Withdrawals) > 0 || page.Withdrawn != withdrawn) {
			ws := make([]store.Withdrawal, len(page.Withdrawals))
			for i, w := range page.Withdrawals {
				ws[i] = store.Withdrawal{Device: w.Device, Seqs: w.Seqs, Reason: w.Reason}
			}
			n, err := st.Withdraw(ctx, ws, page.Withdrawn)
			if err != nil {
				return storeErr("pull", err)
			}
			res.Withdrawn += n
			withdrawn = page.Withdrawn
		}
		got += len(page.Ops)
		if progress != nil {
			progress(Progress{Phase: PhasePull, Ops: got, Bytes: bytes.Load()})
		}
	}
	// The pages are closed: the fetching is over.
	if fetchErr != nil {
		return fetchErr
	}
	res.Bytes += bytes.Load()
	return nil
}

// fetched is a pull page with the device clock's offset from the
// server's, measured by its request: the device time halfway through the
// request minus the server's time in the page.
type fetched struct {
	protocol.PullResponse
	offset time.Duration
}

// fetchPages sends the pages after cursor to pages until the server has
// no more, an error, or ctx is done.
//
// The first request carries the device's acked seq: a server that holds
// fewer of the device's ops (restored from an earlier backup) answers a
// gap, and the device takes the server's seq as acked, marks the photos
// of the ops after it for upload again, sets lost so that Sync pushes
// them again, and pulls from the start (the other devices push again what
// the server lost too, numbered where its cursor may already be).
func (c *Client) fetchPages(ctx context.Context, cursor, withdrawn uint64, bytes *atomic.Int64, pages chan<- fetched, lost *bool) error {
	st := c.cfg.Store
	count := func(n int64) { bytes.Add(n) }
	acked, err := st.Acked()
	if err != nil {
		return storeErr("pull", err)
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		// The device's own ops come back only above its local seq
		// (after a restore from an old backup): it holds the others,
		// stamped by its push receipts.
		// The withdrawals after the last one seen come with the page.
		body, err := protocol.EncodeJSON(protocol.PullRequest{Cursor: cursor, MaxBytes: c.cfg.PullBytes, Own: st.LocalSeq(), Withdrawals: &withdrawn,
			Statements: true, Acked: acked})
		if err != nil {
			return storeErr("pull", err)
		}
		sent := c.cfg.Now()
		rp, err := c.do(ctx, call{
			op: "pull", method: http.MethodPost, path: protocol.PathPull,
			body: body, contentType: protocol.ContentTypeJSON,
		}, count)
		mid := sent.Add(c.cfg.Now().Sub(sent) / 2)
		if errors.Is(err, protocol.ErrCursorAhead) && cursor != 0 {
			// The server was restored from a backup: pull everything
			// again (applying is idempotent) rather than miss the ops
			// it will number after its last seq.
			c.log.Warn("sync: pull cursor ahead of the server; pulling from the start", "cursor", cursor)
			cursor = 0
			continue
		}
		var perr *protocol.Error
		if errors.As(err, &perr) && perr.Code == protocol.CodeGap && perr.Expected > 0 && !*lost {
			if err := c.serverLost(perr.Expected - 1); err != nil {
				return err
			}
			*lost = true
			cursor, acked = 0, 0
			continue
		}
		if err != nil {
			return err
		}
		acked = 0 // checked once
		page, err := protocol.DecodePull(rp.body)
		if err != nil {
			return serverErr("pull", "pull page: %w", err)
		}
		if page.Cursor < cursor {
			return serverErr("pull", "page cursor %d before %d", page.Cursor, cursor)
		}
		select {
		case pages <- fetched{page, mid.Sub(time.UnixMilli(page.ServerTime))}:
		case <-ctx.Done():
			return ctx.Err()
		}
		if page.HasWithdrawals {
			withdrawn = page.Withdrawn
		}
		if !page.More {
			return nil
		}
		if page.Cursor == cursor {
			return serverErr("pull", "page without progress with more to come")
		}
		cursor = page.Cursor
	}
}

// wantBlobs adds the photos ops reference that the device lacks to the
// download list.
func (c *Client) wantBlobs(ops []oplog.Op) error {
	st := c.cfg.Store
	seen := map[string]bool{}
	var add []string
	for i := range ops {
		if ops[i].Device == st.Device() {
			continue
		}
		for _, sha := range bundle.BlobRefs(&ops[i]) {
			if !seen[sha] {
				seen[sha] = true // one file check per photo and page
				if !st.HasBlob(sha) {
					add = append(add, sha)
				}
			}
		}
	}
	if len(add) == 0 {
		return nil
	}
	return st.AddToMetaSet(metaWant, add)
}

// serverLost records that the server holds the device's ops only up to
// seq: the ones after it are pending again, with their photos.
func (c *Client) serverLost(seq uint64) error {
	st := c.cfg.Store
	acked, err := st.Acked()
	if err != nil {
		return storeErr("pull", err)
	}
	if seq >= acked {
		return nil
	}
	c.log.Warn("sync: the server lost ops of this device (restored from a backup?); sending them again", "acked", acked, "server", seq)
	if err := st.LostAfter(seq); err != nil {
		return storeErr("pull", err)
	}
	upTo, err := c.metaSeq(metaUpTo)
	if err != nil {
		return storeErr("pull", err)
	}
	if upTo > seq {
		if err := st.SetMeta(metaUpTo, binary.BigEndian.AppendUint64(nil, seq)); err != nil {
			return storeErr("pull", err)
		}
	}
	return nil
}
