package server

import (
	"fmt"
	"slices"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/protocol"
)

// RecordHome is the register and county a record keeps for life
// (model.KeepsRecord): those its first applied op names.
type RecordHome struct {
	Register, County string
}

// AppliedRecords returns the records of the entries not refused, once
// each and in ascending order: the records whose homes a backend looks up
// for CheckRecords.
func AppliedRecords(entries []LogEntry) []uuid.UUID {
	ids := make([]uuid.UUID, 0, len(entries))
	for i := range entries {
		if !entries[i].Refused {
			ids = append(ids, entries[i].Record)
		}
	}
	slices.SortFunc(ids, func(a, b uuid.UUID) int { return slices.Compare(a[:], b[:]) })
	return slices.Compact(ids)
}

// CheckRecords applies model.KeepsRecord to a batch of entries that a
// backend appends, inside the transaction that appends them, so that of
// two batches giving one record different homes only one wins. homes
// holds the stored home of each of the batch's records that has one (nil
// when none has). In entry order, the first entry not refused of a record
// without a home gives it one, which the batch's later entries see, and
// an entry not refused that names another register or county than its
// record's home is refused with a scope refusal (protocol.RefusedScope),
// whoever signed it. CheckRecords returns the refusal of each entry (nil
// for the entries it leaves as they are) and the homes the batch gives,
// to be stored with it. It changes neither entries nor homes; a backend
// stores the refused entries as refused (LogEntry.Refuse), without a
// server seq.
func CheckRecords(entries []LogEntry, homes map[uuid.UUID]RecordHome) (moved []*protocol.Receipt, created map[uuid.UUID]RecordHome) {
	moved = make([]*protocol.Receipt, len(entries))
	created = make(map[uuid.UUID]RecordHome, len(entries))
	for i := range entries {
		e := &entries[i]
		if e.Refused {
			continue
		}
		h, ok := homes[e.Record]
		if !ok {
			if h, ok = created[e.Record]; !ok {
				created[e.Record] = RecordHome{Register: e.Register, County: e.County}
				continue
			}
		}
		if err := model.KeepsRecord(h.Register, h.County, e.Register, e.County); err != nil {
			moved[i] = refusal(e.Seq, err)
		}
	}
	return moved, created
}

// Refuse makes e a refused entry with receipt r: kept in the device's
// log, never served, given no server seq, its photos not counted.
func (e *LogEntry) Refuse(r *protocol.Receipt) {
	e.Refused, e.Refusal = true, r
	e.Province, e.Blobs = "", nil
}

// UnverifiedEnds is the error of an Append that would refuse the entry
// after a vouched one (LogEntry.Vouched): nothing is stored, and the
// caller checks the own signatures of the ops at Seqs and appends again.
type UnverifiedEnds struct {
	Seqs []uint64
}

func (e *UnverifiedEnds) Error() string {
	return fmt.Sprintf("server: ops %v would end a served run unverified", e.Seqs)
}

// CheckEnds returns *UnverifiedEnds when an entry that is applied and
// vouched for (LogEntry.Vouched) is followed by one that CheckRecords
// refused (moved), and nil otherwise. Backends call it after CheckRecords,
// inside the same transaction, and store nothing when it fails: an op
// whose own signature was never checked is then never served alone.
func CheckEnds(entries []LogEntry, moved []*protocol.Receipt) error {
	var seqs []uint64
	for i := 0; i+1 < len(entries); i++ {
		if e := &entries[i]; e.Vouched && !e.Refused && moved[i] == nil && moved[i+1] != nil {
			seqs = append(seqs, e.Seq)
		}
	}
	if seqs == nil {
		return nil
	}
	return &UnverifiedEnds{Seqs: seqs}
}
