package client

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/bundle"
	"github.com/lantian-tz/lantian/sync/protocol"
)

// maxGapRetries bounds how often one push follows the server's expected
// seq before giving up (the server should never move it twice).
const maxGapRetries = 3

// push sends the ops above the acknowledged seq in batches, noting in seen
// the photos they reference. It is a pipeline of three goroutines: one
// reads and encodes the next batch while the current one is on the
// network, and one records the server's receipts of the previous batch
// (stamps, quarantine, then the acknowledged seq) meanwhile, so the
// device's work overlaps the server's instead of adding to it. A batch is
// sent only after the server answered the one before.
//
// The last batch carries the device's pull cursor; when the server
// answers that its scope holds nothing new but the device's own ops, push
// returns the cursor a pull would have reached, and Sync saves it instead
// of pulling.
func (c *Client) push(ctx context.Context, res *Result, seen *ownRefs, progress func(Progress)) (*uint64, error) {
	st := c.cfg.Store
	acked, err := st.Acked()
	if err != nil {
		return nil, storeErr("push", err)
	}
	pp := &pushProgress{total: int(st.LocalSeq() - acked), fn: progress}
	if cur, err := st.Cursor(); err == nil {
		if pp.withdrawn, err = st.WithdrawalCursor(); err == nil {
			pp.cursor = &cur
		}
	}
	*seen = ownRefs{after: acked, upTo: acked}
	gaps := 0
	for acked < st.LocalSeq() {
		next, err := c.pushRun(ctx, acked, res, seen, pp)
		var gap *gapError
		switch {
		case errors.As(err, &gap):
			// The server holds a different acknowledged seq than we
			// do: resend from where it expects.
			perr := gap.err
			gaps++
			if gaps > maxGapRetries || perr.Expected == 0 || perr.Expected-1 > st.LocalSeq() {
				return nil, perr
			}
			c.log.Info("sync: push gap, resending from the server's seq", "expected", perr.Expected, "acked", next)
			acked = perr.Expected - 1
			if err := st.SetAcked(acked); err != nil {
				return nil, storeErr("push", err)
			}
		case err != nil:
			return nil, err
		case next == acked:
			res.Bytes += pp.bytes.Load()
			return pp.pullCursor, nil
		default:
			acked = next
		}
	}
	res.Bytes += pp.bytes.Load()
	return pp.pullCursor, nil
}

// pushProgress is what push reports as it goes.
type pushProgress struct {
	total int
	sent  int // ops acknowledged (the receipts goroutine's)
	bytes atomic.Int64
	fn    func(Progress)
	// cursor is the device's pull cursor, sent with the last batch;
	// pullCursor the server's answer to the last batch sent (nil: pull).
	cursor, pullCursor *uint64
	// withdrawn is the last withdrawal seq saved, sent with cursor: the
	// server does not spare the pull while later withdrawals concern
	// the device.
	withdrawn uint64
}

// gapError is the server's answer that it expects another seq.
type gapError struct{ err *protocol.Error }

func (e *gapError) Error() string { return e.err.Error() }

// pushBatch is a batch of ops ready to send.
type pushBatch struct {
	first, last uint64 // seqs of its first and last op
	final       bool   // the last pending op when it was read
	refs        []seqRef
	body        []byte
	enc         string
}

// pushRun sends batches from the one after acked until the device's log
// is sent, an error, or an answer that acknowledges other than the whole
// batch. It returns the acknowledged seq it reached, after every receipt
// it got is recorded.
func (c *Client) pushRun(ctx context.Context, acked uint64, res *Result, seen *ownRefs, pp *pushProgress) (uint64, error) {
	st := c.cfg.Store
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()

	// Reader: the next batch, encoded and compressed.
	batches := make(chan pushBatch, 1)
	readErr := make(chan error, 1)
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(batches)
		for from := acked; from < st.LocalSeq(); {
			ops, err := st.Ops(st.Device(), from, c.cfg.BatchSize)
			if err == nil && len(ops) == 0 {
				return
			}
			var b pushBatch
			if err == nil {
				b, err = encodeBatch(st.Device(), ops)
				b.final = b.last >= st.LocalSeq()
			}
			if err != nil {
				readErr <- storeErr("push", err)
				return
			}
			select {
			case batches <- b:
			case <-rctx.Done():
				return
			}
			from = b.last
		}
	})

	// Receipts: recorded in batch order.
	answers := make(chan protocol.PushResponse, 1)
	var stamped uint64 = acked
	var stampErr atomic.Pointer[error]
	wg.Go(func() {
		for pr := range answers {
			if stampErr.Load() != nil {
				continue
			}
			newAcked, err := c.receipts(ctx, pr, stamped, res)
			if err == nil && newAcked <= stamped {
				err = serverErr("push", "server acknowledged seq %d after %d; no progress", pr.Acked, stamped)
			}
			if err != nil {
				stampErr.Store(&err)
				cancel()
				continue
			}
			res.ClockOffset = time.Duration(pr.ClockOffset) * time.Millisecond
			res.clockKnown = true
			st.FollowServerClock(res.ClockOffset)
			pp.sent += int(newAcked - stamped)
			stamped = newAcked
			if pp.fn != nil {
				pp.fn(Progress{Phase: PhasePush, Ops: pp.sent, Bytes: pp.bytes.Load(), Total: pp.total})
			}
		}
	})
	finish := func(err error) (uint64, error) {
		close(answers)
		cancel()
		wg.Wait()
		if e := stampErr.Load(); e != nil {
			return stamped, *e
		}
		return stamped, err
	}

	count := func(n int64) { pp.bytes.Add(n) }
	for b := range batches {
		if err := ctx.Err(); err != nil {
			return finish(err)
		}
		if stampErr.Load() != nil {
			return finish(nil)
		}
		seen.add(b.first, b.last, b.refs)
		headers := map[string]string{protocol.HeaderDeviceTime: strconv.FormatInt(c.cfg.Now().UnixMilli(), 10)}
		if b.final && pp.cursor != nil {
			headers[protocol.HeaderPullCursor] = strconv.FormatUint(*pp.cursor, 10)
			headers[protocol.HeaderWithdrawals] = strconv.FormatUint(pp.withdrawn, 10)
		}
		rp, err := c.do(rctx, call{
			op: "push", method: http.MethodPost, path: protocol.PathPush,
			body: b.body, contentType: protocol.ContentTypeOps, encoding: b.enc,
			headers: headers,
		}, count)
		var perr *protocol.Error
		if errors.As(err, &perr) && perr.Code == protocol.CodeGap {
			return finish(&gapError{perr})
		}
		if err != nil {
			return finish(err)
		}
		pr, err := protocol.DecodePushResponse(rp.body)
		if err != nil {
			return finish(serverErr("push", "push response: %w", err))
		}
		pp.pullCursor = nil
		if b.final {
			pp.pullCursor = pr.PullCursor
		}
		answers <- pr
		if pr.Acked != b.last {
			// Not the whole batch (or more than it): go on from what
			// the server holds once these receipts are recorded.
			return finish(nil)
		}
	}
	select {
	case err := <-readErr:
		return finish(err)
	default:
		return finish(nil)
	}
}

// encodeBatch frames and compresses ops, the device's own in seq order, as
// a push request, noting the photos they reference.
func encodeBatch(self uuid.UUID, ops []oplog.Op) (pushBatch, error) {
	frame, err := protocol.EncodePush(protocol.PushRequest{Device: self, Ops: ops})
	if err != nil {
		return pushBatch{}, err
	}
	b := pushBatch{first: ops[0].Seq, last: ops[len(ops)-1].Seq}
	b.body, b.enc = protocol.Compress(protocol.EncodingZstd, frame)
	for i := range ops {
		for _, sha := range bundle.BlobRefs(&ops[i]) {
			b.refs = append(b.refs, seqRef{ops[i].Seq, sha})
		}
	}
	return b, nil
}

// receipts records a push answer: quarantines refused ops, stamps applied
// ones, and then advances the acknowledged seq (in that order, so a cut in
// between only repeats work). A rejected op stops the push with an error.
func (c *Client) receipts(ctx context.Context, pr protocol.PushResponse, acked uint64, res *Result) (uint64, error) {
	st := c.cfg.Store
	self := st.Device()
	var stamps []store.Stamp
	var rejected *protocol.Receipt
	for i := range pr.Receipts {
		r := &pr.Receipts[i]
		id := opID(self, r.Seq)
		switch r.Status {
		case protocol.StatusApplied, protocol.StatusDuplicate:
			if r.Seq > acked {
				res.Pushed++
			}
			if r.ServerSeq != 0 {
				stamps = append(stamps, store.Stamp{ID: id, Eff: r.Eff, ServerSeq: r.ServerSeq})
			}
		case protocol.StatusRefused:
			reason := model.Text{ZH: "服务器拒绝了此修改", EN: "the server refused this change"}
			if r.Msg != nil {
				reason = *r.Msg
			}
			if err := st.Quarantine(id, reason); err != nil {
				return 0, storeErr("push", err)
			}
			res.Quarantined++
		case protocol.StatusRejected:
			if rejected == nil {
				rejected = r
			}
		}
	}
	if len(stamps) > 0 {
		if err := st.Stamp(ctx, stamps); err != nil {
			return 0, storeErr("push", err)
		}
	}
	newAcked := min(pr.Acked, st.LocalSeq())
	if newAcked > acked {
		if err := st.SetAcked(newAcked); err != nil {
			return 0, storeErr("push", err)
		}
	}
	if rejected != nil {
		msg := model.Text{ZH: "服务器不接受本机的操作记录（签名或链校验失败），请联系管理员", EN: "the server does not accept this device's log (signature or chain check failed); contact the administrator"}
		if rejected.Msg != nil {
			msg = *rejected.Msg // e.g. a forked log: restored from an old backup
		}
		kind := model.ErrChain
		if rejected.Code == protocol.RejectedSig {
			kind = model.ErrSignature
		}
		return 0, &model.Error{Op: "push", Kind: kind, Code: codeRejected, Msg: msg, Err: errors.New("op " + strconv.FormatUint(rejected.Seq, 10) + " rejected: " + rejected.Code)}
	}
	return newAcked, nil
}
