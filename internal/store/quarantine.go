package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/model"
)

// QuarantinedOp is a change held back. Either a local op the server
// refused, kept for the user to fix (the op stays in the log; the
// quarantine is a to-do list), or a received op (Received) of another
// device that failed this device's checks: it is not applied, and the
// later ops of its device wait behind it.
type QuarantinedOp struct {
	Op     oplog.Op
	Reason model.Text
	At     time.Time
	// Received marks an op of another device that this device set aside;
	// Code says why (one of the Refused* codes).
	Received bool
	Code     string
}

// Codes of received ops set aside (QuarantinedOp.Code), the words the
// server's push receipts use for the same faults.
const (
	RefusedSignature    = "signature"    // the op's run is not signed by its device's key
	RefusedChain        = "chain"        // the op does not follow its device's previous op
	RefusedEquivocation = "equivocation" // another op with the same device and seq is stored
	RefusedShape        = "shape"        // malformed op
	RefusedSchema       = "schema"       // unknown register or field, or invalid value
	RefusedScope        = "scope"        // county outside the author's scope, or not the record's
	RefusedRole         = "role"         // field or status the author's role may not set
	RefusedDevice       = "device"       // the device's key was never registered
)

type quarantineEntry struct {
	Reason model.Text `json:"reason"`
	At     time.Time  `json:"at"`
}

// receivedEntry is a received op set aside, with the op itself (it is not
// in the log).
type receivedEntry struct {
	Reason model.Text `json:"reason"`
	Code   string     `json:"code"`
	At     time.Time  `json:"at"`
	// Op is the op in the log's encoding and Hash its hash, when it
	// encodes; else the few fields below say what it was.
	Op       []byte    `json:"op,omitempty"`
	Hash     []byte    `json:"hash,omitempty"`
	Record   uuid.UUID `json:"record,omitzero"`
	Register string    `json:"register,omitempty"`
	County   string    `json:"county,omitempty"`
	Author   string    `json:"author,omitempty"`
	// Reported: the server has been told (MarkReported).
	Reported bool `json:"reported,omitempty"`
}

// op returns the entry's op, stored at id.
func (e *receivedEntry) op(id oplog.OpID) (oplog.Op, error) {
	if e.Op != nil {
		return decodeOp(e.Op)
	}
	return oplog.Op{Device: id.Device, Seq: id.Seq, Record: e.Record, Register: e.Register, County: e.County, Author: e.Author}, nil
}

// refusal returns the code and the reason, in words for the user, of
// err, a check of a received op that failed.
func refusal(err error) (string, model.Text) {
	var code string
	var t model.Text
	switch {
	case errors.Is(err, ErrEquivocation):
		code, t = RefusedEquivocation, model.Text{ZH: "同一设备的同一序号已有另一条修改（设备数据可能被复制或从旧备份恢复）", EN: "another change with the same device and number is stored (device cloned or restored from an old backup?)"}
	case errors.Is(err, ErrBadSignature):
		code, t = RefusedSignature, model.Text{ZH: "签名校验失败", EN: "the signature does not verify with the device's key"}
	case errors.Is(err, ErrBrokenChain):
		code, t = RefusedChain, model.Text{ZH: "操作链校验失败：与该设备的上一条修改不衔接", EN: "hash chain broken: it does not follow the device's previous change"}
	case errors.Is(err, ErrUnknownDevice):
		code, t = RefusedDevice, model.Text{ZH: "来自未注册的设备", EN: "from a device whose key is not known here"}
	case errors.Is(err, oplog.ErrMalformed):
		code, t = RefusedShape, model.Text{ZH: "修改格式错误", EN: "malformed change"}
	default:
		switch model.KindOf(err) {
		case model.ErrScope:
			code = RefusedScope
		case model.ErrForbidden:
			code = RefusedRole
		default:
			code = RefusedSchema
		}
		t = model.Text{ZH: "修改内容不被接受", EN: "the change is not admitted"}
		if m, ok := model.MsgOf(err); ok {
			t = m
		}
	}
	return code, model.Text{ZH: "收到的修改已搁置：" + t.ZH, EN: "received change set aside: " + t.EN}
}

// Quarantine records that the server refused op id for reason.
func (s *Store) Quarantine(id oplog.OpID, reason model.Text) error {
	v, err := json.Marshal(quarantineEntry{Reason: reason, At: s.opts.Now().UTC()})
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.update(func(txn *badger.Txn) error {
		if _, err := getValue(txn, logKey(id)); err != nil {
			return fmt.Errorf("store: quarantine op %s/%d: %w", id.Device, id.Seq, err)
		}
		return txn.Set(quarantineKey(id), v)
	})
}

// setAside records in the batch that the received op r failed a check
// (cause) and is not applied. The same op set aside again counts as a
// duplicate.
func (b *batch) setAside(r *remoteOp, cause error) error {
	id := r.op.ID()
	k := receivedKey(id)
	v, err := b.get(k)
	switch {
	case err == nil:
		var e receivedEntry
		if err := json.Unmarshal(v, &e); err != nil {
			return fmt.Errorf("%w: received op %s/%d: %v", errCorrupt, id.Device, id.Seq, err)
		}
		if r.enc != nil && bytes.Equal(e.Hash, r.hash[:]) {
			b.res.Duplicates++
			return nil
		}
	case !errors.Is(err, ErrNotFound):
		return err
	}
	code, reason := refusal(cause)
	e := receivedEntry{Reason: reason, Code: code, At: b.s.opts.Now().UTC()}
	if r.enc != nil {
		e.Op, e.Hash = r.enc, r.hash[:]
	} else {
		e.Record, e.Register, e.County, e.Author = r.op.Record, r.op.Register, r.op.County, r.op.Author
	}
	v, err = json.Marshal(e)
	if err != nil {
		return err
	}
	b.s.log.Warn("store: received op set aside", "device", id.Device, "seq", id.Seq, "code", code, "err", cause)
	b.res.Quarantined++
	return b.Set(k, v)
}

// Quarantined returns the held changes, the local ones the server
// refused and the received ones set aside, in (device, seq) order.
func (s *Store) Quarantined() ([]QuarantinedOp, error) {
	var local, recv []QuarantinedOp
	err := s.view(func(txn *badger.Txn) error {
		err := eachEntry(txn, pfxQuarantine, func(id oplog.OpID, v []byte) error {
			var e quarantineEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("%w: quarantine entry: %v", errCorrupt, err)
			}
			op, err := getOp(txn, id)
			if err != nil {
				return fmt.Errorf("store: quarantined op %s/%d: %w", id.Device, id.Seq, err)
			}
			local = append(local, QuarantinedOp{Op: op, Reason: e.Reason, At: e.At})
			return nil
		})
		if err != nil {
			return err
		}
		return eachEntry(txn, pfxReceived, func(id oplog.OpID, v []byte) error {
			var e receivedEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("%w: received op %s/%d: %v", errCorrupt, id.Device, id.Seq, err)
			}
			op, err := e.op(id)
			if err != nil {
				return fmt.Errorf("store: received op %s/%d: %w", id.Device, id.Seq, err)
			}
			recv = append(recv, QuarantinedOp{Op: op, Reason: e.Reason, At: e.At, Received: true, Code: e.Code})
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	// Merge the two lists, each in key order.
	out := make([]QuarantinedOp, 0, len(local)+len(recv))
	for len(local) > 0 && len(recv) > 0 {
		if c := bytes.Compare(quarantineKey(local[0].Op.ID())[1:], receivedKey(recv[0].Op.ID())[1:]); c <= 0 {
			out, local = append(out, local[0]), local[1:]
		} else {
			out, recv = append(out, recv[0]), recv[1:]
		}
	}
	return append(append(out, local...), recv...), nil
}

// eachEntry calls fn with the id and value of every key of prefix pfx.
func eachEntry(txn *badger.Txn, pfx byte, fn func(oplog.OpID, []byte) error) error {
	it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{pfx}, PrefetchValues: true})
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		v, err := it.Item().ValueCopy(nil)
		if err != nil {
			return err
		}
		if err := fn(opIDFromKey(it.Item().Key()), v); err != nil {
			return err
		}
	}
	return nil
}

// Release removes op id from the held changes. A received op released is
// dropped: it stays unapplied (and is set aside again should it arrive
// again).
func (s *Store) Release(id oplog.OpID) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.update(func(txn *badger.Txn) error {
		for _, k := range [][]byte{quarantineKey(id), receivedKey(id)} {
			_, err := getValue(txn, k)
			if err == nil {
				return txn.Delete(k)
			}
			if !errors.Is(err, ErrNotFound) {
				return err
			}
		}
		return fmt.Errorf("store: release op %s/%d: %w", id.Device, id.Seq, ErrNotFound)
	})
}

// ReceivedRefusal is a received op this device set aside, as the server
// is told of it.
type ReceivedRefusal struct {
	ID   oplog.OpID
	Code string
}

// Unreported returns up to limit received ops set aside that the server
// has not been told of (MarkReported), in (device, seq) order; limit <= 0
// means all.
func (s *Store) Unreported(limit int) ([]ReceivedRefusal, error) {
	var out []ReceivedRefusal
	errStop := errors.New("enough")
	err := s.view(func(txn *badger.Txn) error {
		return eachEntry(txn, pfxReceived, func(id oplog.OpID, v []byte) error {
			var e receivedEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("%w: received op %s/%d: %v", errCorrupt, id.Device, id.Seq, err)
			}
			if !e.Reported {
				if limit > 0 && len(out) == limit {
					return errStop
				}
				out = append(out, ReceivedRefusal{ID: id, Code: e.Code})
			}
			return nil
		})
	})
	if errors.Is(err, errStop) {
		err = nil
	}
	return out, err
}

// MarkReported records that the server has been told of the received ops
// ids set aside (ids no longer held are skipped).
func (s *Store) MarkReported(ids []oplog.OpID) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.update(func(txn *badger.Txn) error {
		for _, id := range ids {
			v, err := getValue(txn, receivedKey(id))
			if errors.Is(err, ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			var e receivedEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("%w: received op %s/%d: %v", errCorrupt, id.Device, id.Seq, err)
			}
			if e.Reported {
				continue
			}
			e.Reported = true
			if v, err = json.Marshal(e); err != nil {
				return err
			}
			if err := txn.Set(receivedKey(id), v); err != nil {
				return err
			}
		}
		return nil
	})
}
