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
// it explains are those of refused ops (PageOp.ScopePrev). The ops are
// held in memory while read.
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
	logs := map[uuid.UUID]*verify.Log{}
	for _, p := range s.gaz.Provinces() {
		var after uint64
		for {
			pg, err := s.st.Pull(ctx, protocol.Scope{Province: p.Code}, after, protocol.MaxPullBytes)
			if err != nil {
				return err
			}
			for _, po := range pg.Ops {
				var o oplog.Op
				if err := o.UnmarshalBinary(po.Raw); err != nil {
					id, _ := oplog.PeekID(po.Raw)
					o = oplog.Op{Device: id.Device, Seq: id.Seq} // reported malformed
				}
				l := logs[o.Device]
				if l == nil {
					l = &verify.Log{Device: o.Device, After: []uint64{}}
					logs[o.Device] = l
				}
				l.Ops = append(l.Ops, o)
				prev := po.ScopePrev
				if !pg.Links {
					prev = o.Seq - 1
				}
				l.After = append(l.After, prev)
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
		// Pages come in server seq order; a device's ops in seq order.
		idx := make([]int, len(l.Ops))
		for i := range idx {
			idx[i] = i
		}
		slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(l.Ops[a].Seq, l.Ops[b].Seq) })
		sorted := verify.Log{Device: id, Ops: make([]oplog.Op, len(idx)), After: make([]uint64, len(idx))}
		for i, j := range idx {
			sorted.Ops[i], sorted.After[i] = l.Ops[j], l.After[j]
		}
		delete(logs, id)
		if err := fn(sorted); err != nil {
			return err
		}
	}
	return nil
}
