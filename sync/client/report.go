package client

import (
	"context"
	"net/http"

	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/sync/protocol"
)

// report tells the server of the received ops the store set aside that
// it has not been told of yet (protocol.PathReport), a report at a time,
// and marks them reported. Reporting is the server's to know, not the
// user's to wait for: a server that does not take reports (an older
// one) or a failed request leaves them for the next sync without failing
// this one; the store's own failures and ctx's end still fail it.
func (c *Client) report(ctx context.Context, res *Result) error {
	st := c.cfg.Store
	count := func(n int64) { res.Bytes += n }
	for {
		un, err := st.Unreported(protocol.MaxReportedOps)
		if err != nil {
			return storeErr("report", err)
		}
		if len(un) == 0 {
			return nil
		}
		req := protocol.ReportRequest{Ops: make([]protocol.ReportedOp, len(un))}
		ids := make([]oplog.OpID, len(un))
		for i, u := range un {
			req.Ops[i] = protocol.ReportedOp{Device: u.ID.Device, Seq: u.ID.Seq, Code: u.Code}
			ids[i] = u.ID
		}
		body, err := protocol.EncodeJSON(req)
		if err != nil {
			return err
		}
		if _, err := c.do(ctx, call{op: "report", method: http.MethodPost, path: protocol.PathReport,
			body: body, contentType: protocol.ContentTypeJSON}, count); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			c.log.Warn("sync: reporting received ops set aside failed; trying again next sync", "ops", len(un), "err", err)
			return nil
		}
		if err := st.MarkReported(ids); err != nil {
			return storeErr("report", err)
		}
		if len(un) < protocol.MaxReportedOps {
			return nil
		}
	}
}
