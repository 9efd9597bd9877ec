package server

import (
	"context"
	"errors"
	"io"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/evidence"
	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/protocol"
)

// EvidenceSource is the server's store and blobs as an evidence.Source:
// a record's applied ops (their stored bytes, read as a province device
// pulls them), its devices' enrollment statements and its photos.
func EvidenceSource(st Storage, blobs BlobStorage, gaz *model.Gazetteer) evidence.Source {
	return evidenceSource{st: st, blobs: blobs, gaz: gaz}
}

type evidenceSource struct {
	st    Storage
	blobs BlobStorage
	gaz   *model.Gazetteer
}

func (s evidenceSource) RecordOps(ctx context.Context, record uuid.UUID) ([][]byte, error) {
	var out [][]byte
	for _, p := range s.gaz.Provinces() {
		var after uint64
		for {
			pg, err := s.st.Pull(ctx, protocol.Scope{Province: p.Code}, after, protocol.MaxPullBytes)
			if err != nil {
				return nil, err
			}
			for _, po := range pg.Ops {
				var o oplog.Op
				if o.UnmarshalBinary(po.Raw) == nil && o.Record == record {
					out = append(out, append([]byte(nil), po.Raw...))
				}
			}
			if pg.Cursor == after || !pg.More {
				break
			}
			after = pg.Cursor
		}
	}
	return out, nil
}

func (s evidenceSource) Statements(ctx context.Context, devices []uuid.UUID) (map[uuid.UUID][]byte, error) {
	out := map[uuid.UUID][]byte{}
	for _, id := range devices {
		d, err := s.st.Device(ctx, id)
		if errors.Is(err, protocol.ErrNotFound) {
			continue // not enrolled here: the pack says it has no statement
		}
		if err != nil {
			return nil, err
		}
		if len(d.Statement) > 0 {
			out[id] = d.Statement
		}
	}
	return out, nil
}

func (s evidenceSource) Photo(_ context.Context, id string) ([]byte, error) {
	r, _, err := s.blobs.Open(id)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}
