package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"

	"github.com/dgraph-io/badger/v4"
	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/hlc"
	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/model"
)

// ApplyResult counts what Apply did with a batch (oplog.ApplyResult, so
// that consumers such as sync/bundle can declare Apply in their own
// interfaces without importing this package).
type ApplyResult = oplog.ApplyResult

// Apply stores remote ops. Each op is checked (shape, register, fields
// and values, as admitted for its device's role and scope when known
// here (see RegisterDeviceAs), hash chain); each contiguous run of a
// device's new ops is authenticated by the signature of its last op with
// the device's registered key, which the hash chain extends to the whole
// run (see oplog.VerifyRun; every op's own signature is stored, and Check
// verifies them all). An op whose predecessor has not arrived is held
// until it does; duplicates are ignored; a different op with a stored
// op's id is refused with ErrEquivocation. The records touched are
// re-merged from all their ops. The batch is atomic: one bad op refuses
// the whole batch with an *OpError naming it, and nothing is stored.
func (s *Store) Apply(ctx context.Context, ops []oplog.Op) (ApplyResult, error) {
	return s.apply(ctx, ops, nil, nil)
}

// ApplyPage is Apply for a pull page, which also saves the pull cursor
// in the same transaction. One bad op does not refuse the page: an op
// that fails a check (shape, admission, signature, chain, the record's
// register and county, an equivocation, an unknown device) is set aside
// with its reason (Quarantined lists it as Received; ApplyResult counts
// it as Quarantined) and its device's later ops are held behind it; the
// rest of the page is stored. The set-aside ops are written in the
// transactions of the page, the cursor with the last. Storage errors and
// a cancelled ctx still fail the page.
func (s *Store) ApplyPage(ctx context.Context, ops []oplog.Op, cursor uint64) (ApplyResult, error) {
	return s.apply(ctx, ops, nil, &cursor)
}

// ApplyPageScoped is ApplyPage for a pull page that carries, for each op,
// the seq of the previous op of its device that this device's scope
// receives (protocol.PullResponse.ScopePrev; 0 when none). An op whose
// scopePrev is its device's head here is applied even though the ops in
// between are missing: they were refused by the server or belong to
// counties outside the scope, and the server verified the chain across
// them. The gap is recorded so that Check accepts it; ops inside it that
// arrive later are ignored (counted as duplicates). An op whose scopePrev
// is above the head is held like any op with a missing predecessor.
func (s *Store) ApplyPageScoped(ctx context.Context, ops []oplog.Op, scopePrev []uint64, cursor uint64) (ApplyResult, error) {
	if len(scopePrev) != len(ops) {
		return ApplyResult{}, fmt.Errorf("store: %d scope links for %d ops", len(scopePrev), len(ops))
	}
	return s.apply(ctx, ops, scopePrev, &cursor)
}

// remoteOp is an op of a batch with its hash and stored encoding.
type remoteOp struct {
	op   oplog.Op
	hash oplog.Hash
	enc  []byte // nil for an op that does not encode (bad is set)
	// scoped ops come with scopePrev, the seq of their device's previous
	// op in this device's scope (ApplyPageScoped).
	scoped    bool
	scopePrev uint64
	// bad, in a page, is the check the op failed before the batch's
	// transaction (shape, admission, signature, chain inside its run);
	// the op is set aside.
	bad error
}

// batch is the work of one Apply in its transaction.
type batch struct {
	s        *Store
	txn      *badger.Txn
	rtxn     *badger.Txn // read-only: the store before the batch
	res      ApplyResult
	heads    map[uuid.UUID]head
	records  map[uuid.UUID][]oplog.Op // records to re-merge: their ops written in this batch
	maxHLC   hlc.Timestamp
	recShape map[uuid.UUID][2]string // register and county of records
	held     map[oplog.OpID]struct{} // ops held by this batch
	existed  map[uuid.UUID]bool      // records with a state before the batch
	pending  map[uuid.UUID]bool      // devices with held ops before the batch
	// dry, when not nil, takes the batch's writes instead of txn (which
	// is nil), and its reads come from it and rtxn (Store.dryRun).
	dry map[string]dryValue
	// relCap, when not 0, is the most held ops the batch releases; the
	// devices it stops releasing are in unreleased.
	relCap     int
	released   int
	unreleased map[uuid.UUID]bool
	// page sets bad ops aside (ApplyPage) instead of refusing the batch.
	page bool
}

// dryValue is a write kept by a dry run: a value or a delete.
type dryValue struct {
	val []byte
	del bool
}

// get returns the value at k as the batch sees it, or ErrNotFound.
func (b *batch) get(k []byte) ([]byte, error) {
	if b.dry == nil {
		return getValue(b.txn, k)
	}
	if v, ok := b.dry[string(k)]; ok {
		if v.del {
			return nil, ErrNotFound
		}
		return v.val, nil
	}
	return getValue(b.rtxn, k)
}

// Set writes k in the batch.
func (b *batch) Set(k, v []byte) error {
	if b.dry == nil {
		return b.txn.Set(k, v)
	}
	b.dry[string(k)] = dryValue{val: v}
	return nil
}

// Delete deletes k in the batch.
func (b *batch) Delete(k []byte) error {
	if b.dry == nil {
		return b.txn.Delete(k)
	}
	b.dry[string(k)] = dryValue{del: true}
	return nil
}

func (s *Store) apply(ctx context.Context, in []oplog.Op, scopePrev []uint64, cursor *uint64) (ApplyResult, error) {
	if err := ctx.Err(); err != nil {
		return ApplyResult{}, err
	}
	page := cursor != nil
	authors, err := s.authors(in)
	if err != nil {
		return ApplyResult{}, err
	}
	// Stateless checks and encodings first, outside the lock and in
	// parallel.
	ops := make([]remoteOp, len(in))
	parallel(len(in), func(i int) {
		r := &ops[i]
		r.op = in[i]
		if scopePrev != nil {
			r.scoped, r.scopePrev = true, scopePrev[i]
		}
		if err := r.op.CheckShape(); err != nil {
			r.bad = fmt.Errorf("%w: %w", ErrBadOp, err)
			return
		}
		enc, h, err := encodeOpHash(&r.op)
		if err != nil {
			r.bad = fmt.Errorf("%w: %w", ErrBadOp, err)
			return
		}
		r.enc, r.hash = enc, h
		r.bad = checkRemote(&r.op, authors[r.op.Device])
	})
	if !page {
		for i := range ops {
			if ops[i].bad != nil {
				return ApplyResult{}, &OpError{ID: in[i].ID(), Err: ops[i].bad}
			}
		}
	}
	sort.SliceStable(ops, func(i, j int) bool {
		if c := bytes.Compare(ops[i].op.Device[:], ops[j].op.Device[:]); c != 0 {
			return c < 0
		}
		return ops[i].op.Seq < ops[j].op.Seq
	})
	if err := s.verifyNew(ops, page); err != nil {
		return ApplyResult{}, err
	}

	res, recs, err := s.applyLocked(ctx, ops, cursor, page)
	// Chunks stored before an error changed their records too.
	s.emit(Event{Kind: Applied, Records: recs})
	if err != nil {
		return ApplyResult{}, err
	}
	return res, nil
}

// authors returns, by device, the author of the ops of in as far as this
// store knows it: the role and scope its device was enrolled as (see
// RegisterDeviceAs; zero when not known).
func (s *Store) authors(in []oplog.Op) (map[uuid.UUID]model.Author, error) {
	out := map[uuid.UUID]model.Author{}
	err := s.view(func(txn *badger.Txn) error {
		for i := range in {
			dev := in[i].Device
			if _, ok := out[dev]; ok {
				continue
			}
			en, err := enrolledAs(txn, dev)
			if err != nil {
				return err
			}
			out[dev] = model.Author{Role: en.Role, County: en.County, Province: en.Province}
		}
		return nil
	})
	return out, err
}

// applyLocked stores a checked, sorted batch under the write lock and
// returns the records it changed.
//
// A batch that fits in one Badger transaction is stored in one. A larger
// one is stored in chunks of consecutive ops, one transaction each, the
// cursor with the last; outside a page it is first run through without
// writing anything (every op is checked against the store and the ops
// before it, so a bad op still stores nothing), while a page, which sets
// bad ops aside, fails only for errors of storage. Each chunk is a complete
// batch of its own (heads, held ops, scope gaps and the re-merged states
// of its records, which read the chunks before it as stored), so the
// store is consistent between chunks: after a crash or an error between
// two, the cursor is still before the page, and applying the page again
// counts the stored ops as duplicates. The records changed are returned
// with an error when some chunks were stored.
func (s *Store) applyLocked(ctx context.Context, ops []remoteOp, cursor *uint64, page bool) (ApplyResult, []uuid.UUID, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed.Load() {
		return ApplyResult{}, nil, ErrClosed
	}
	t := &pageTotals{held: map[oplog.OpID]struct{}{}, records: map[uuid.UUID]bool{}}
	limit := len(ops)        // most ops in one chunk
	relCap := s.releaseCap() // most held ops one chunk releases
	// checked: no op will be refused (a dry run found none, or a page
	// sets them aside); split: store in chunks.
	checked, split := page, false
	stored := false
	var err error
	// An empty batch still saves its cursor.
	for start, first := 0, true; first || start < len(ops) || len(t.unreleased) > 0; first = false {
		end := start + s.chunkLen(ops[start:], limit)
		if (end < len(ops) || split) && !checked {
			if err = s.dryRun(ctx, ops); err != nil {
				break
			}
			checked = true
		}
		capN := 0
		if checked {
			capN = relCap
		}
		err = s.applyChunk(ctx, ops[start:end], end == len(ops), cursor, capN, page, t)
		if errors.Is(err, badger.ErrTxnTooBig) {
			// Nothing of the chunk was written: retry it smaller.
			switch {
			case end-start > 1:
				limit = (end - start) / 2
				continue
			case !checked:
				split = true
				continue
			case relCap > 1:
				relCap /= 2
				continue
			}
		}
		if err != nil {
			break
		}
		stored = true
		start = end
		if (start < len(ops) || len(t.unreleased) > 0) && s.afterChunk != nil {
			if err = s.afterChunk(); err != nil {
				break
			}
		}
	}
	if stored {
		if serr := s.db.Sync(); serr != nil && err == nil {
			err = fmt.Errorf("store: sync: %w", serr)
		}
	}
	recs := make([]uuid.UUID, 0, len(t.records))
	for r := range t.records {
		recs = append(recs, r)
	}
	sort.Slice(recs, func(i, j int) bool { return bytes.Compare(recs[i][:], recs[j][:]) < 0 })
	if err != nil {
		return ApplyResult{}, recs, err
	}
	return t.res, recs, nil
}

// pageTotals is what the chunks of one batch share: its counts, the ops
// it held and the records it changed.
type pageTotals struct {
	res     ApplyResult
	held    map[oplog.OpID]struct{}
	records map[uuid.UUID]bool
	// unreleased are the devices whose held ops the last chunk stopped
	// releasing (the next one goes on).
	unreleased map[uuid.UUID]bool
}

// Estimates of what an op writes, for sizing chunks: its log and
// record-op keys (a held op's pending key, a gap key), and once per record
// of a chunk its state and six index keys, with the deletes of the six it
// replaces; every entry costs its key and Badger's overhead.
const (
	chunkOpEntries     = 3
	chunkRecordEntries = 13
	chunkEntryBytes    = 112
	chunkIndexValue    = 256
)

// chunkLen returns how many of ops (at most limit, at least one if any) fit in
// one transaction, by an estimate kept to half of Badger's limits; a chunk
// that still does not fit is retried smaller.
func (s *Store) chunkLen(ops []remoteOp, limit int) int {
	maxCount, maxSize := s.db.MaxBatchCount()/2, s.db.MaxBatchSize()/2
	thr := s.db.Opts().ValueThreshold
	inline := func(n int64) int64 {
		if n < thr {
			return n
		}
		return 0
	}
	var count, size int64
	recs := map[uuid.UUID]bool{}
	devs := map[uuid.UUID]bool{}
	n := 0
	for n < len(ops) && n < limit {
		r := &ops[n]
		enc := int64(len(r.enc))
		c, z := int64(chunkOpEntries), chunkOpEntries*chunkEntryBytes+inline(enc)
		if !recs[r.op.Record] {
			// The state is at least as big as the op.
			c += chunkRecordEntries
			z += chunkRecordEntries*chunkEntryBytes + 6*min(chunkIndexValue, thr) + inline(2*enc)
		}
		if !devs[r.op.Device] {
			c++
			z += chunkEntryBytes
		}
		if n > 0 && (count+c > maxCount || size+z > maxSize) {
			break
		}
		recs[r.op.Record], devs[r.op.Device] = true, true
		count, size = count+c, size+z
		n++
	}
	if len(ops) == 0 {
		return 0
	}
	return max(n, 1)
}

// releaseCap returns how many held ops one chunk of a batch stored in
// several releases: as many as the ops of a chunk, estimated alike.
func (s *Store) releaseCap() int {
	return max(1, int(s.db.MaxBatchCount()/2/(chunkOpEntries+chunkRecordEntries+1)))
}

// dryRun runs the adds of a batch over the store as it is, keeping the
// writes in memory: it returns the error storing the batch would meet.
func (s *Store) dryRun(ctx context.Context, ops []remoteOp) error {
	rtxn := s.db.NewTransaction(false)
	defer rtxn.Discard()
	b := s.newBatch(nil, rtxn, map[oplog.OpID]struct{}{})
	b.dry = map[string]dryValue{}
	for i := range ops {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := b.add(&ops[i]); err != nil {
			return &OpError{ID: ops[i].op.ID(), Err: err}
		}
	}
	return nil
}

func (s *Store) newBatch(txn, rtxn *badger.Txn, held map[oplog.OpID]struct{}) *batch {
	return &batch{
		s: s, txn: txn, rtxn: rtxn,
		heads:    map[uuid.UUID]head{},
		records:  map[uuid.UUID][]oplog.Op{},
		recShape: map[uuid.UUID][2]string{},
		held:     held,
		existed:  map[uuid.UUID]bool{},
		pending:  map[uuid.UUID]bool{},
	}
}

// applyChunk stores ops in one transaction and adds what it did to t. It
// first goes on releasing the held ops of t.unreleased, and releases at
// most relCap held ops (0: no limit). The last chunk of a batch (last,
// and nothing left to release) saves the cursor when not nil.
func (s *Store) applyChunk(ctx context.Context, ops []remoteOp, last bool, cursor *uint64, relCap int, page bool, t *pageTotals) error {
	txn := s.db.NewTransaction(true)
	defer txn.Discard()
	rtxn := s.db.NewTransaction(false)
	defer rtxn.Discard()
	// The ops the chunk holds or releases are counted against the whole
	// batch; a failed chunk leaves t as it was.
	held := make(map[oplog.OpID]struct{}, len(t.held))
	for id := range t.held {
		held[id] = struct{}{}
	}
	b := s.newBatch(txn, rtxn, held)
	b.res.Held = len(t.held)
	b.relCap = relCap
	b.page = page
	devs := make([]uuid.UUID, 0, len(t.unreleased))
	for dev := range t.unreleased {
		devs = append(devs, dev)
	}
	sort.Slice(devs, func(i, j int) bool { return bytes.Compare(devs[i][:], devs[j][:]) < 0 })
	for _, dev := range devs {
		if _, err := b.head(dev); err != nil {
			return err
		}
		if err := b.release(dev); err != nil {
			return err
		}
	}
	for i := range ops {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := b.add(&ops[i]); err != nil {
			return &OpError{ID: ops[i].op.ID(), Err: err}
		}
	}
	if err := b.finish(); err != nil {
		return err
	}
	if cursor != nil && last && len(b.unreleased) == 0 {
		if err := txn.Set(metaKeyOf(metaCursor), binary.BigEndian.AppendUint64(nil, *cursor)); err != nil {
			return err
		}
	}
	if err := txn.Commit(); err != nil {
		return fmt.Errorf("store: apply: %w", err)
	}
	t.unreleased = b.unreleased
	t.res.Applied += b.res.Applied
	t.res.Duplicates += b.res.Duplicates
	t.res.Quarantined += b.res.Quarantined
	t.res.Held = b.res.Held
	t.held = held
	for r := range b.records {
		t.records[r] = true
	}
	if hd, ok := b.heads[s.device]; ok && hd.Seq > s.localSeq.Load() {
		s.localSeq.Store(hd.Seq)
	}
	if b.maxHLC != 0 {
		if _, err := s.clock.Update(b.maxHLC); err != nil {
			s.log.Warn("store: remote clock ahead", "hlc", b.maxHLC, "err", err)
		}
	}
	return nil
}

// checkRemote puts a remote op, of good shape, to model.Admit as a change
// made by author (its device's role and scope when known here).
func checkRemote(op *oplog.Op, author model.Author) error {
	author.Name = op.Author
	if _, err := model.Admit(nil, nil, model.Change{Register: op.Register, County: op.County, Set: op.Set,
		Author: author, Made: true}); err != nil {
		return fmt.Errorf("%w: %w", ErrBadOp, err)
	}
	return nil
}

// add stores one op of the batch, or holds it, or counts it as a
// duplicate. In a page, an op that fails a check is set aside instead.
func (b *batch) add(r *remoteOp) error {
	err := b.addOp(r)
	if err != nil && b.page && refused(err) {
		return b.setAside(r, err)
	}
	return err
}

// refused reports whether err is a check a received op failed (not a
// storage error).
func refused(err error) bool {
	for _, e := range []error{ErrBadOp, ErrBadSignature, ErrBrokenChain, ErrEquivocation, ErrUnknownDevice} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// addOp is add without setting aside.
func (b *batch) addOp(r *remoteOp) error {
	op, h := &r.op, r.hash
	if r.bad != nil {
		return b.badOp(r)
	}
	if err := b.checkRecord(op); err != nil {
		return err
	}
	hd, err := b.head(op.Device)
	if err != nil {
		return err
	}
	switch {
	case op.Seq <= hd.Seq:
		return b.duplicate(op, h)
	case op.Seq > hd.Seq+1 && r.scoped && r.scopePrev == hd.Seq:
		// A scope gap the server vouches for.
		if err := b.Set(gapKey(op.ID()), binary.BigEndian.AppendUint64(nil, hd.Seq)); err != nil {
			return err
		}
		if err := b.store(op, h, r.enc); err != nil {
			return err
		}
		return b.release(op.Device)
	case op.Seq > hd.Seq+1:
		return b.hold(op, h, r.enc)
	}
	if err := oplog.CheckLink(oplog.Link{Device: op.Device, Seq: hd.Seq, Hash: hd.Hash}, op); err != nil {
		return fmt.Errorf("%w: %w", ErrBrokenChain, err)
	}
	if err := b.store(op, h, r.enc); err != nil {
		return err
	}
	return b.release(op.Device)
}

// badOp returns r.bad, the check r failed before the batch, unless r is
// a stored op that arrives again (admitted before its device's role was
// known here): a duplicate.
func (b *batch) badOp(r *remoteOp) error {
	if r.enc == nil {
		return r.bad
	}
	hd, err := b.head(r.op.Device)
	if err != nil {
		return err
	}
	if r.op.Seq > hd.Seq {
		return r.bad
	}
	v, err := b.get(logKey(r.op.ID()))
	if errors.Is(err, ErrNotFound) {
		return r.bad
	}
	if err != nil {
		return err
	}
	stored, err := decodeOp(v)
	if err != nil {
		return fmt.Errorf("stored op: %w", err)
	}
	if stored.Hash() != r.hash {
		return r.bad
	}
	b.res.Duplicates++
	return nil
}

// checkRecord refuses an op whose register or county differ from its
// record's.
func (b *batch) checkRecord(op *oplog.Op) error {
	shape, ok := b.recShape[op.Record]
	if !ok {
		v, err := b.get(stateKey(op.Record))
		var st oplog.State
		if err == nil {
			st, err = decodeState(v)
			if err != nil {
				return err
			}
		}
		switch {
		case err == nil:
			shape = [2]string{st.Register, st.County}
			b.existed[op.Record] = true
		case errors.Is(err, ErrNotFound):
			shape = [2]string{op.Register, op.County}
		default:
			return err
		}
		b.recShape[op.Record] = shape
	}
	if err := model.KeepsRecord(shape[0], shape[1], op.Register, op.County); err != nil {
		return fmt.Errorf("%w: record %s: %w", ErrBadOp, op.Record, err)
	}
	return nil
}

func (b *batch) head(dev uuid.UUID) (head, error) {
	if hd, ok := b.heads[dev]; ok {
		return hd, nil
	}
	v, err := b.get(headKey(dev))
	if errors.Is(err, ErrNotFound) {
		v, err = nil, nil
	}
	if err != nil {
		return head{}, err
	}
	hd, err := decodeHead(dev, v)
	if err != nil {
		return head{}, err
	}
	b.heads[dev] = hd
	return hd, nil
}

// duplicate handles an op at or below its device's head: the same op is
// a duplicate (whose server stamps are taken when new), another is an
// equivocation.
func (b *batch) duplicate(op *oplog.Op, h oplog.Hash) error {
	v, err := b.get(logKey(op.ID()))
	var stored oplog.Op
	if err == nil {
		stored, err = decodeOp(v)
	}
	if errors.Is(err, ErrNotFound) {
		// Inside a scope gap: not for this device.
		b.res.Duplicates++
		return nil
	}
	if err != nil {
		return fmt.Errorf("stored op: %w", err)
	}
	if stored.Hash() != h {
		return b.refuseTwin(op)
	}
	b.res.Duplicates++
	if op.Eff != 0 && (op.Eff != stored.Eff || op.ServerSeq != stored.ServerSeq) {
		stored.Eff, stored.ServerSeq = op.Eff, op.ServerSeq
		v, err := encodeOp(&stored)
		if err != nil {
			return err
		}
		if err := b.Set(logKey(op.ID()), v); err != nil {
			return err
		}
		b.records[op.Record] = append(b.records[op.Record], stored)
	}
	return nil
}

// refuseTwin refuses an op that differs from the stored op with its id:
// a forgery when its signature does not verify, else an equivocation.
func (b *batch) refuseTwin(op *oplog.Op) error {
	// Device keys are not written by a batch.
	pub, err := deviceKeyOf(b.rtxn, op.Device)
	if err != nil {
		return err
	}
	if err := op.VerifySig(pub); err != nil {
		return fmt.Errorf("%w: %w", ErrBadSignature, err)
	}
	return ErrEquivocation
}

// hold keeps an op whose predecessor has not arrived.
func (b *batch) hold(op *oplog.Op, h oplog.Hash, enc []byte) error {
	v, err := b.get(pendingKey(op.ID()))
	switch {
	case err == nil:
		held, err := decodeOp(v)
		if err != nil {
			return err
		}
		if held.Hash() != h {
			return b.refuseTwin(op)
		}
		b.res.Duplicates++
		return nil
	case !errors.Is(err, ErrNotFound):
		return err
	}
	b.res.Held++
	b.held[op.ID()] = struct{}{}
	return b.Set(pendingKey(op.ID()), enc)
}

// store adds op, encoded as enc, to the log as its device's new head.
func (b *batch) store(op *oplog.Op, h oplog.Hash, enc []byte) error {
	if err := storeOp(b, op, enc); err != nil {
		return err
	}
	b.heads[op.Device] = head{Seq: op.Seq, Hash: h}
	b.records[op.Record] = append(b.records[op.Record], *op)
	if op.HLC > b.maxHLC {
		b.maxHLC = op.HLC
	}
	b.res.Applied++
	return nil
}

// hasHeld reports whether dev may have held ops: held before the batch
// (looked up once per device) or by it.
func (b *batch) hasHeld(dev uuid.UUID) bool {
	had, ok := b.pending[dev]
	if !ok {
		it := b.rtxn.NewIterator(badger.IteratorOptions{Prefix: devicePrefix(pfxPending, dev)})
		it.Rewind()
		had = it.Valid()
		it.Close()
		b.pending[dev] = had
	}
	return had || len(b.held) > 0
}

// release stores the held ops of dev that now follow its head.
func (b *batch) release(dev uuid.UUID) error {
	if !b.hasHeld(dev) {
		return nil
	}
	for {
		hd := b.heads[dev]
		next := oplog.OpID{Device: dev, Seq: hd.Seq + 1}
		v, err := b.get(pendingKey(next))
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if b.relCap > 0 && b.released >= b.relCap {
			// The next chunk goes on.
			if b.unreleased == nil {
				b.unreleased = map[uuid.UUID]bool{}
			}
			b.unreleased[dev] = true
			return nil
		}
		if err := b.Delete(pendingKey(next)); err != nil {
			return err
		}
		op, err := decodeOp(v)
		if err != nil {
			return err
		}
		if oplog.CheckLink(oplog.Link{Device: dev, Seq: hd.Seq, Hash: hd.Hash}, &op) != nil {
			// The held op continues another chain than the one that
			// arrived: it was never applied; drop it.
			b.s.log.Warn("store: dropping held op that does not chain", "device", dev, "seq", next.Seq)
			return nil
		}
		if err := b.checkRecord(&op); err != nil {
			if !b.page || !refused(err) {
				return err
			}
			// Set aside; the ops after it stay held behind it.
			if _, ok := b.held[next]; ok {
				delete(b.held, next)
				b.res.Held--
			}
			r := remoteOp{op: op, enc: v, hash: op.Hash()}
			return b.setAside(&r, err)
		}
		if _, ok := b.held[next]; ok {
			delete(b.held, next)
			b.res.Held--
		}
		if err := b.store(&op, op.Hash(), v); err != nil {
			return err
		}
		b.released++
	}
}

// finish writes the heads and re-merges the touched records: their
// stored ops are read serially, the merges and encodings run in parallel,
// the writes serially.
func (b *batch) finish() error {
	for dev, hd := range b.heads {
		if err := b.txn.Set(headKey(dev), hd.encode()); err != nil {
			return err
		}
	}
	type job struct {
		rec uuid.UUID
		ops []oplog.Op
		old [][]byte
		w   stateWrite
	}
	jobs := make([]job, 0, len(b.records))
	for rec, fresh := range b.records {
		j := job{rec: rec, ops: fresh}
		if b.existed[rec] {
			stored, err := recordOps(b.rtxn, rec)
			if err != nil {
				return err
			}
			j.ops = overlay(stored, fresh)
			if j.old, err = oldIndexKeys(b.txn, rec); err != nil {
				return err
			}
		}
		jobs = append(jobs, j)
	}
	parallel(len(jobs), func(i int) {
		st := oplog.Merge(jobs[i].ops)
		jobs[i].w = prepareState(&st)
	})
	for i := range jobs {
		if err := jobs[i].w.write(b.txn, jobs[i].old); err != nil {
			return err
		}
	}
	return nil
}
