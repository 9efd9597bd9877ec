package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/protocol"
)

// maxStaleRetries bounds how often a batch is verified again because the
// device's log moved (two pushes of one device racing).
const maxStaleRetries = 8

func (s *Server) handlePush(w http.ResponseWriter, r *http.Request) error {
	d, err := s.authDevice(r)
	if err != nil {
		return err
	}
	b, err := readBody(r, protocol.ContentTypeOps)
	if err != nil {
		return err
	}
	req, raws, hashes, err := protocol.DecodePushHashed(b)
	if err != nil {
		return err
	}
	if req.Device != d.ID {
		return protocol.ErrDeviceMismatch.Withf("batch of %s pushed by %s", req.Device, d.ID)
	}
	for i := range req.Ops {
		// Stamps are the server's: stored ops carry none from the device.
		if o := &req.Ops[i]; o.Eff != 0 || o.ServerSeq != 0 {
			o.Eff, o.ServerSeq = 0, 0
			if raws[i], err = o.MarshalBinary(); err != nil {
				return protocol.ErrBadFrame.With("op "+strconv.Itoa(i), err)
			}
		}
	}
	var devTime int64
	if h := r.Header.Get(protocol.HeaderDeviceTime); h != "" {
		devTime, _ = strconv.ParseInt(h, 10, 64)
	}
	// A batch that started is finished even if the client goes away.
	resp, err := s.ingest(context.WithoutCancel(r.Context()), d, req.Ops, raws, hashes, devTime)
	if err != nil {
		return err
	}
	if h := r.Header.Get(protocol.HeaderPullCursor); h != "" {
		if cursor, err := strconv.ParseUint(h, 10, 64); err == nil {
			resp.PullCursor = s.upToDate(r.Context(), d, cursor, resp.Acked, r.Header.Get(protocol.HeaderWithdrawals))
		}
	}
	s.writeJSON(w, r, http.StatusOK, resp)
	return nil
}

// Ingest stores a batch of a device's ops exactly as a push does (same
// verification, receipts and stamps): the hook for ops that arrive by other
// ways than HTTP, such as offline bundles. The device must be enrolled and
// not revoked.
func (s *Server) Ingest(ctx context.Context, device uuid.UUID, ops []oplog.Op) (protocol.PushResponse, error) {
	d, err := s.store.Device(ctx, device)
	if err != nil {
		return protocol.PushResponse{}, err
	}
	if d.Revoked {
		return protocol.PushResponse{}, protocol.ErrRevoked.Withf("device %s", device)
	}
	if len(ops) > protocol.MaxOpsPerBatch {
		return protocol.PushResponse{}, protocol.ErrTooManyOps.Withf("%d ops; at most %d", len(ops), protocol.MaxOpsPerBatch)
	}
	ops = slices.Clone(ops)
	raws := make([][]byte, len(ops))
	for i := range ops {
		ops[i].Eff, ops[i].ServerSeq = 0, 0 // the server's to stamp
		if raws[i], err = ops[i].MarshalBinary(); err != nil {
			return protocol.PushResponse{}, fmt.Errorf("server: ingest op %d: %w", ops[i].Seq, err)
		}
	}
	return s.ingest(ctx, d, ops, raws, nil, 0)
}

// verdict is the outcome of the checks that need no log state.
type verdict struct {
	hash  oplog.Hash
	shape error
	// sig is nil when the op is authentic: its hash is named by the next
	// op of a chained run whose last op's signature verifies (see
	// verify), or, where a run's last signature fails, its own signature
	// verifies. An op that ends a run as some receiver is served it (see
	// servedEnd) must have its own signature verify too.
	sig error
	// own reports that the op's own signature was checked (sig is its
	// result); otherwise the op is vouched for by a later op's.
	own bool
	// content is the refusal of an op's content (scope, schema, role),
	// nil when it is accepted; it counts only for an authentic op.
	content *protocol.Receipt
}

// verifyBlock is how many ops a verifying goroutine takes at a time.
const verifyBlock = 16

// verify checks shape, content and authenticity of ops[from:].
//
// A push batch is a contiguous run of one device's ops, each naming the
// hash of the one before, so it is authenticated as devices authenticate
// runs (oplog.VerifyRunHashed): the batch is split where an op does not
// link to its predecessor (another device, a seq gap, a wrong prev, a
// malformed op), and each chained run costs one signature check, its last
// op's; the hash chain binds the content of every op before it. The
// interior ops' own signatures are stored with them and stay checkable
// one by one (oplog.VerifyEach). Only when a run's last signature fails
// is every op of the run checked on its own, so the receipts name the
// first op at fault exactly as before. The link of the batch's first new
// op to the device's stored head is checked by classify.
//
// Receivers do not get the batch's runs whole: each gets the ops of its
// scope that were not refused, and checks the runs those form (one
// signature each, the same way). So an op inside a run whose successor
// some receiver does not get (see servedEnd) ends a run there, and its
// own signature is checked too: the server never serves an op that a
// receiver would refuse. A batch of one county with nothing refused, the
// common case, still costs one signature per run.
func (s *Server) verify(d Device, ops []oplog.Op, hashes []oplog.Hash, from int) []verdict {
	out := make([]verdict, len(ops))
	s.each(from, len(ops), func(i int) {
		v, op := &out[i], &ops[i]
		if v.shape = op.CheckShape(); v.shape != nil {
			return
		}
		if hashes != nil {
			v.hash = hashes[i]
		} else {
			v.hash = op.Hash()
		}
		v.content = s.checkContent(d, op)
	})
	ps := make([]*oplog.Op, 0, len(ops)-from)
	hs := make([]oplog.Hash, 0, len(ops)-from)
	var ends []int // served run ends inside verified runs
	for lo := from; lo < len(ops); {
		if out[lo].shape != nil {
			lo++
			continue
		}
		hi := lo + 1
		for hi < len(ops) && out[hi].shape == nil && oplog.CheckLink(oplog.LinkAfter(&ops[hi-1], out[hi-1].hash), &ops[hi]) == nil {
			hi++
		}
		ps, hs = ps[:0], hs[:0]
		for i := lo; i < hi; i++ {
			ps, hs = append(ps, &ops[i]), append(hs, out[i].hash)
		}
		if oplog.VerifyRunHashed(d.PublicKey, nil, ps, hs) != nil {
			s.each(lo, hi, func(i int) { out[i].sig, out[i].own = ops[i].VerifySig(d.PublicKey), true })
		} else {
			out[hi-1].own = true
			for i := lo; i < hi-1; i++ {
				if servedEnd(&ops[i], out[i].content, &ops[i+1], out[i+1].content) {
					ends = append(ends, i)
				}
			}
		}
		lo = hi
	}
	s.each(0, len(ends), func(j int) { i := ends[j]; out[i].sig, out[i].own = ops[i].VerifySig(d.PublicKey), true })
	return out
}

// verifyOwn checks the own signatures of the ops at seqs, which a backend
// found would end a served run (UnverifiedEnds: the next op moves its
// record). It reports false when one of them was checked already, which
// would make the append loop forever.
func verifyOwn(d Device, ops []oplog.Op, verdicts []verdict, seqs []uint64) bool {
	for _, seq := range seqs {
		i := slices.IndexFunc(ops, func(o oplog.Op) bool { return o.Seq == seq })
		if i < 0 || verdicts[i].own {
			return false
		}
		verdicts[i].sig, verdicts[i].own = ops[i].VerifySig(d.PublicKey), true
	}
	return true
}

// servedEnd reports whether op, followed in its chained run by next, is
// the last op of a run as some receiver is served it: op is served (not
// refused), and next is refused (served to no one) or of another county
// (a receiver of op's county, or of its province when the province
// differs, gets op without next).
func servedEnd(op *oplog.Op, refused *protocol.Receipt, next *oplog.Op, nextRefused *protocol.Receipt) bool {
	return refused == nil && (nextRefused != nil || next.County != op.County)
}

// each runs fn(i) for i in [from, to) on up to s.workers goroutines,
// which take blocks of indices as they go, so a goroutine slowed down by
// a busy core holds up the rest by one block at most.
func (s *Server) each(from, to int, fn func(i int)) {
	workers := min(s.workers, (to-from+63)/64)
	if workers <= 1 {
		for i := from; i < to; i++ {
			fn(i)
		}
		return
	}
	var next atomic.Int64
	next.Store(int64(from))
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				lo := int(next.Add(verifyBlock)) - verifyBlock
				if lo >= to {
					return
				}
				for i := lo; i < min(lo+verifyBlock, to); i++ {
					fn(i)
				}
			}
		})
	}
	wg.Wait()
}

// ingest verifies and stores a batch for device d.
// ingest stores a batch; hashes are the ops' hashes when the caller has
// them (nil: computed).
func (s *Server) ingest(ctx context.Context, d Device, ops []oplog.Op, raws [][]byte, hashes []oplog.Hash, devTime int64) (protocol.PushResponse, error) {
	var verdicts []verdict
	verifiedFrom := -1
	for attempt := 0; ; attempt++ {
		now := s.now()
		head, err := s.store.Head(ctx, d.ID)
		if err != nil {
			return protocol.PushResponse{}, err
		}
		// Ops above the acknowledged seq need verifying (once).
		first := slices.IndexFunc(ops, func(o oplog.Op) bool { return o.Seq > head.Acked })
		if first >= 0 && (verifiedFrom < 0 || first < verifiedFrom) {
			verdicts = s.verify(d, ops, hashes, first)
			verifiedFrom = first
		}
		resp, entries, idx, err := s.classify(ctx, d, head, ops, raws, verdicts, now)
		if err != nil {
			return protocol.PushResponse{}, err
		}
		if len(entries) > 0 {
			sss, err := s.store.Append(ctx, d.ID, head, entries)
			if errors.Is(err, ErrStaleHead) && attempt < maxStaleRetries {
				continue
			}
			// An op vouched for by the one after it, which moves its
			// record: its own signature decides (classified again, it is
			// rejected if it fails, and so is the rest of the batch).
			if ue := (*UnverifiedEnds)(nil); errors.As(err, &ue) && verifyOwn(d, ops, verdicts, ue.Seqs) {
				attempt--
				continue
			}
			if err != nil {
				return protocol.PushResponse{}, err
			}
			for j, i := range idx {
				switch e := &entries[j]; {
				case !e.Refused:
					resp.Receipts[i].ServerSeq = sss[j]
				case e.Refusal != nil:
					// Refused here or by Append (a record moved).
					resp.Receipts[i] = *e.Refusal
				}
			}
			resp.Acked = entries[len(entries)-1].Seq
		}
		resp.ServerTime = protocol.Millis(now)
		resp.ClockOffset = clockOffset(ops, devTime, now.UnixMilli())
		s.count(resp.Receipts)
		s.log.Info("push", "device", d.ID, "ops", len(ops), "acked", resp.Acked, "offset_ms", resp.ClockOffset)
		return resp, nil
	}
}

// classify decides each op's receipt against the device's head and returns
// the log entries to append with the index of each entry's op.
func (s *Server) classify(ctx context.Context, d Device, head Head, ops []oplog.Op, raws [][]byte, verdicts []verdict, now time.Time) (protocol.PushResponse, []LogEntry, []int, error) {
	resp := protocol.PushResponse{Acked: head.Acked, Receipts: make([]protocol.Receipt, len(ops))}
	logged, err := s.loggedDuplicates(ctx, d.ID, head, ops)
	if err != nil {
		return resp, nil, nil, err
	}
	var entries []LogEntry
	var idx []int
	expect, prev, rejected := head.Acked+1, head.Hash, false
	reject := func(i int, code string, msg model.Text) {
		resp.Receipts[i] = protocol.Receipt{Seq: ops[i].Seq, Status: protocol.StatusRejected, Code: code, Msg: &msg}
		rejected = true
	}
	for i := range ops {
		op := &ops[i]
		switch {
		case op.Device != d.ID:
			reject(i, protocol.RejectedDevice, textDevice)
			continue
		case op.Seq <= head.Acked:
			if e, ok := logged[op.Seq]; ok && e.Hash != op.Hash() {
				s.log.Warn("forked device log", "device", d.ID, "seq", op.Seq)
				reject(i, protocol.RejectedFork, textFork)
				continue
			}
			resp.Receipts[i] = duplicateReceipt(op.Seq, logged[op.Seq])
			continue
		case rejected:
			resp.Receipts[i] = protocol.Receipt{Seq: op.Seq, Status: protocol.StatusRejected, Code: protocol.RejectedAfter, Msg: &textAfter}
			continue
		case op.Seq != expect && len(entries) == 0:
			e := protocol.ErrGap.Withf("op seq %d; server has %d", op.Seq, head.Acked)
			e.Expected = expect
			return resp, nil, nil, e
		case op.Seq != expect:
			reject(i, protocol.RejectedSequence, textSequence)
			continue
		}
		v := verdicts[i]
		switch {
		case v.shape != nil:
			reject(i, protocol.RejectedShape, model.Text{ZH: "操作格式错误：" + v.shape.Error(), EN: "malformed op: " + v.shape.Error()})
			continue
		case oplog.CheckLink(oplog.Link{Device: d.ID, Seq: expect - 1, Hash: prev}, op) != nil:
			reject(i, protocol.RejectedChain, textChain)
			continue
		case v.sig != nil:
			reject(i, protocol.RejectedSig, textSig)
			continue
		}
		e := LogEntry{Seq: op.Seq, Hash: v.hash, Record: op.Record, Register: op.Register, County: op.County, Eff: oplog.EffectiveTime(op.HLC, now, s.tolerance), Raw: raws[i], Vouched: !v.own, Accepted: now}
		if v.content != nil {
			refusal := *v.content
			refusal.Seq = op.Seq
			e.Refused, e.Refusal = true, &refusal
			resp.Receipts[i] = refusal
		} else {
			p, _ := s.gaz.ProvinceOf(op.County)
			e.Province = p.Code
			e.Blobs = protocol.BlobRefs(op)
			resp.Receipts[i] = protocol.Receipt{Seq: op.Seq, Status: protocol.StatusApplied, Eff: e.Eff}
		}
		entries = append(entries, e)
		idx = append(idx, i)
		prev, expect = v.hash, expect+1
	}
	return resp, entries, idx, nil
}

// loggedDuplicates returns the log entries of the batch's ops at or below
// the head, by seq.
func (s *Server) loggedDuplicates(ctx context.Context, id uuid.UUID, head Head, ops []oplog.Op) (map[uint64]LogEntry, error) {
	lo, hi := uint64(0), uint64(0)
	for _, o := range ops {
		if o.Seq <= head.Acked && o.Seq > 0 {
			if lo == 0 || o.Seq < lo {
				lo = o.Seq
			}
			hi = max(hi, o.Seq)
		}
	}
	if lo == 0 {
		return nil, nil
	}
	es, err := s.store.Log(ctx, id, lo, hi)
	if err != nil {
		return nil, err
	}
	m := make(map[uint64]LogEntry, len(es))
	for _, e := range es {
		m[e.Seq] = e
	}
	return m, nil
}

// duplicateReceipt answers a resent op as it was answered the first time:
// refused again, or duplicate with its stamps.
func duplicateReceipt(seq uint64, e LogEntry) protocol.Receipt {
	if e.Refused && e.Refusal != nil {
		r := *e.Refusal
		r.Seq = seq
		return r
	}
	return protocol.Receipt{Seq: seq, Status: protocol.StatusDuplicate, ServerSeq: e.ServerSeq, Eff: e.Eff}
}

// clockOffset is the device clock minus the server's, in milliseconds:
// from the device's own header when sent, else from the newest op when it
// is ahead of the server (an older op says nothing about the clock).
func clockOffset(ops []oplog.Op, devTime, nowMs int64) int64 {
	if devTime > 0 {
		return devTime - nowMs
	}
	var newest int64
	for i := range ops {
		newest = max(newest, ops[i].HLC.Wall())
	}
	if newest > nowMs {
		return newest - nowMs
	}
	return 0
}

func (s *Server) count(rs []protocol.Receipt) {
	var n = map[protocol.Status]int{}
	for _, r := range rs {
		n[r.Status]++
	}
	for st, c := range n {
		s.metrics.ops.WithLabelValues(string(st)).Add(float64(c))
	}
}

// Messages of rejected ops.
var (
	textDevice   = model.Text{ZH: "操作不属于此设备", EN: "op belongs to another device"}
	textAfter    = model.Text{ZH: "同批次中前面的操作被拒绝，此操作未处理", EN: "an earlier op of the batch was rejected; not processed"}
	textSequence = model.Text{ZH: "操作序号不连续", EN: "op sequence numbers are not consecutive"}
	textChain    = model.Text{ZH: "操作链校验失败：与上一条操作不衔接", EN: "hash chain broken: prev does not match the previous op"}
	textSig      = model.Text{ZH: "签名校验失败", EN: "signature does not verify with the enrolled key"}
	textFork     = model.Text{ZH: "服务器已有此序号的另一条操作（设备数据可能从旧备份恢复），请联系管理员", EN: "the server holds another op with this seq (device restored from an old backup?); contact the administrator"}
)
