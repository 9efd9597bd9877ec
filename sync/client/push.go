package client

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/protocol"
)

// maxGapRetries bounds how often one push follows the server's expected
// seq before giving up (the server should never move it twice).
const maxGapRetries = 3

// push sends the ops above the acknowledged seq in batches.
func (c *Client) push(ctx context.Context, res *Result, progress func(Progress)) error {
	st := c.cfg.Store
	self := st.Device()
	acked, err := st.Acked()
	if err != nil {
		return storeErr("push", err)
	}
	total := int(st.LocalSeq() - acked)
	var sent int
	var bytes int64
	count := func(n int64) { bytes += n }
	gaps := 0
	for acked < st.LocalSeq() {
		if err := ctx.Err(); err != nil {
			return err
		}
		ops, err := st.Ops(self, acked, c.cfg.BatchSize)
		if err != nil {
			return storeErr("push", err)
		}
		if len(ops) == 0 {
			break
		}
		frame, err := protocol.EncodePush(protocol.PushRequest{Device: self, Ops: ops})
		if err != nil {
			return storeErr("push", err)
		}
		body, enc := protocol.Compress(protocol.EncodingZstd, frame)
		rp, err := c.do(ctx, call{
			op: "push", method: http.MethodPost, path: protocol.PathPush,
			body: body, contentType: protocol.ContentTypeOps, encoding: enc,
			headers: map[string]string{protocol.HeaderDeviceTime: strconv.FormatInt(c.cfg.Now().UnixMilli(), 10)},
		}, count)
		var perr *protocol.Error
		if errors.As(err, &perr) && perr.Code == protocol.CodeGap {
			// The server holds a different acknowledged seq than we
			// do: resend from where it expects.
			gaps++
			if gaps > maxGapRetries || perr.Expected == 0 || perr.Expected-1 > st.LocalSeq() {
				return err
			}
			c.log.Info("sync: push gap, resending from the server's seq", "expected", perr.Expected, "acked", acked)
			acked = perr.Expected - 1
			if err := st.SetAcked(acked); err != nil {
				return storeErr("push", err)
			}
			continue
		}
		if err != nil {
			return err
		}
		pr, err := protocol.DecodePushResponse(rp.body)
		if err != nil {
			return serverErr("push", "push response: %w", err)
		}
		newAcked, err := c.receipts(ctx, pr, acked, res)
		if err != nil {
			return err
		}
		res.ClockOffset = time.Duration(pr.ClockOffset) * time.Millisecond
		res.clockKnown = true
		if newAcked <= acked {
			return serverErr("push", "server acknowledged seq %d after %d; no progress", pr.Acked, acked)
		}
		sent += int(newAcked - acked)
		acked = newAcked
		if progress != nil {
			progress(Progress{Phase: PhasePush, Ops: sent, Bytes: bytes, Total: total})
		}
	}
	res.Bytes += bytes
	return nil
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
		return 0, &Error{Op: "push", Kind: KindServer, Msg: msg, Err: errors.New("op " + strconv.FormatUint(rejected.Seq, 10) + " rejected: " + rejected.Code)}
	}
	return newAcked, nil
}
