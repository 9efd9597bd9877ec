package server

import (
	"cmp"
	"context"
	"slices"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/internal/verify"
	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/protocol"
)

// VerifySource is the server's store as a verify.Source: its enrolled
// devices with their keys, roles and scopes, and every op it serves (the
// applied ops of every province of gaz), read as a province device pulls
// them. Each device's log is the ops the server serves of it; the gaps
// it explains are those of refused ops (PageOp.ScopePrev). Every op's
// bytes are held in memory while the store is read; each device's log is
// decoded only when it is handed on.
func VerifySource(st Storage, gaz *model.Gazetteer) verify.Source {
	return serverSource{st: st, gaz: gaz}
}

type serverSource struct {
	st  Storage
	gaz *model.Gazetteer
}

func (s serverSource) Devices(ctx context.Context) (map[uuid.UUID]verify.Device, error) {
	ds, err := s.st.Devices(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID]verify.Device, len(ds))
	for _, d := range ds {
		out[d.ID] = verify.Device{ID: d.ID, Key: d.PublicKey, Role: d.Role, County: d.Scope.County, Province: d.Scope.Province,
			Statement: d.Statement}
	}
	return out, nil
}

func (s serverSource) Logs(ctx context.Context, fn func(verify.Log) error) error {
	// Ops are held as read (their bytes) and decoded one device at a time
	// as its log is handed on: a decoded op takes several times its
	// encoded size. An op is filed under the device its bytes name.
	logs := map[uuid.UUID]*rawLog{}
	for _, p := range s.gaz.Provinces() {
		var after uint64
		for {
			pg, err := s.st.Pull(ctx, protocol.Scope{Province: p.Code}, after, protocol.MaxPullBytes)
			if err != nil {
				return err
			}
			for _, po := range pg.Ops {
				id, _ := oplog.PeekID(po.Raw)
				l := logs[id.Device]
				if l == nil {
					l = &rawLog{}
					logs[id.Device] = l
				}
				prev := po.ScopePrev
				if !pg.Links {
					prev = id.Seq - 1
				}
				l.ops = append(l.ops, rawOp{raw: po.Raw, seq: id.Seq, after: prev})
			}
			if pg.Cursor == after || !pg.More {
				break
			}
			after = pg.Cursor
		}
	}
	ids := make([]uuid.UUID, 0, len(logs))
	for id := range logs {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b uuid.UUID) int { return slices.Compare(a[:], b[:]) })
	for _, id := range ids {
		l := logs[id]
		delete(logs, id)
		// Pages come in server seq order; a device's ops in seq order.
		slices.SortStableFunc(l.ops, func(a, b rawOp) int { return cmp.Compare(a.seq, b.seq) })
		out := verify.Log{Device: id, Ops: make([]oplog.Op, len(l.ops)), After: make([]uint64, len(l.ops))}
		for i, r := range l.ops {
			if err := out.Ops[i].UnmarshalBinary(r.raw); err != nil {
				out.Ops[i] = oplog.Op{Device: id, Seq: r.seq} // reported malformed
			}
			out.After[i] = r.after
		}
		if err := fn(out); err != nil {
			return err
		}
	}
	return nil
}

// rawLog is a device's ops as read, not yet decoded.
type rawLog struct{ ops []rawOp }

// rawOp is one op's bytes, its device seq (as its bytes name it) and the
// seq of the op before it in the device's log as served (the gap it
// explains).
type rawOp struct {
	raw        []byte
	seq, after uint64
}
