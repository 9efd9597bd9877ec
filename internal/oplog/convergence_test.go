package oplog

import (
	"crypto/ed25519"
	"errors"
	"flag"
	"fmt"
	"os"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"pgregory.net/rapid"

	"github.com/lantian-tz/lantian/internal/hlc"
	"github.com/lantian-tz/lantian/model"
)

// defaultChecks is how many cases the property tests run unless
// -rapid.checks or RAPID_CHECKS says otherwise.
const defaultChecks = 1000

func TestMain(m *testing.M) {
	flag.Parse()
	set := os.Getenv("RAPID_CHECKS") != ""
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "rapid.checks" })
	if !set {
		if err := flag.Set("rapid.checks", fmt.Sprint(defaultChecks)); err != nil {
			panic(err)
		}
	}
	os.Exit(m.Run())
}

// The simulation: replicas (devices) with their own skewed wall clocks,
// HLCs, keys and logs make edits, exchange ops with each other and with a
// server that stamps effective times, in random interleavings with
// duplicates, partitions and out-of-order delivery. After full delivery
// every replica must hold the same state of every record.

var simFields = []string{"a", "b", "c", model.FieldDeleted}

// clockOffsets are the ways a device's wall clock can be wrong.
var clockOffsets = []time.Duration{
	0, 0, 0, 90 * time.Second, -90 * time.Second, 10 * time.Minute,
	3 * 24 * time.Hour, -3 * 24 * time.Hour, -5 * time.Hour,
}

const simDrift = 15 * time.Minute

type sim struct {
	t       *rapid.T
	now     time.Time // true time, and the server's clock
	reps    []*replica
	keys    map[uuid.UUID]ed25519.PublicKey
	server  map[OpID]Op // every op the server accepted, stamped
	records []uuid.UUID
	values  int
}

type replica struct {
	dev     uuid.UUID
	priv    ed25519.PrivateKey
	offset  time.Duration
	persist *hlc.MemoryPersister
	clock   *hlc.Clock
	seq     uint64
	last    Hash
	issued  hlc.Timestamp
	chained bool // hold ops until their chain predecessor is applied
	log     map[OpID]Op
	held    map[OpID]Op
	head    map[uuid.UUID]uint64 // chained: last seq applied per device
}

func newSim(t *rapid.T) *sim {
	s := &sim{
		t:      t,
		now:    time.Date(2024, 11, 1, 8, 0, 0, 0, time.UTC),
		keys:   map[uuid.UUID]ed25519.PublicKey{},
		server: map[OpID]Op{},
	}
	n := rapid.IntRange(3, 5).Draw(t, "replicas")
	order := rapid.Permutation([]byte{1, 2, 3, 4, 5}).Draw(t, "device order")
	for i := range n {
		var seed [32]byte
		seed[0] = byte(i)
		r := &replica{
			dev:     uuid.UUID{0x01, 0x93, order[i]},
			priv:    ed25519.NewKeyFromSeed(seed[:]),
			offset:  rapid.SampledFrom(clockOffsets).Draw(t, "offset"),
			persist: &hlc.MemoryPersister{},
			// Replica 0 holds out-of-order ops, replica 1 applies them
			// at once; the rest choose.
			chained: i == 0 || (i > 1 && rapid.Bool().Draw(t, "chained")),
			log:     map[OpID]Op{},
			held:    map[OpID]Op{},
			head:    map[uuid.UUID]uint64{},
		}
		r.restart(s)
		s.keys[r.dev] = r.priv.Public().(ed25519.PublicKey)
		s.reps = append(s.reps, r)
	}
	return s
}

func (r *replica) wall(s *sim) func() time.Time {
	return func() time.Time { return s.now.Add(r.offset) }
}

// restart replaces the replica's clock by a new one over the same
// persisted mark, as after a reboot.
func (r *replica) restart(s *sim) {
	c, err := hlc.New(r.wall(s), r.persist, simDrift)
	if err != nil {
		s.t.Fatalf("hlc.New: %v", err)
	}
	r.clock = c
}

func (r *replica) now(s *sim) hlc.Timestamp {
	ts := r.clock.Now()
	if ts <= r.issued {
		s.t.Fatalf("device %d: clock issued %s after %s", r.dev[2], ts, r.issued)
	}
	r.issued = ts
	return ts
}

// ops returns the replica's applied ops of record rec, by id.
func (r *replica) ops(rec uuid.UUID) []Op {
	var out []Op
	for _, o := range r.log {
		if o.Record == rec {
			out = append(out, o)
		}
	}
	slices.SortFunc(out, func(a, b Op) int { return CompareOpID(a.ID(), b.ID()) })
	return out
}

func (r *replica) knownRecords(all []uuid.UUID) []uuid.UUID {
	var out []uuid.UUID
	for _, rec := range all {
		for _, o := range r.log {
			if o.Record == rec {
				out = append(out, rec)
				break
			}
		}
	}
	return out
}

// receive takes an op from the network.
func (r *replica) receive(s *sim, o Op) {
	if o.Device != r.dev {
		ts, err := r.clock.Update(o.HLC)
		switch {
		case errors.Is(err, hlc.ErrDrift):
		case err != nil:
			s.t.Fatalf("Update: %v", err)
		default:
			if ts <= r.issued {
				s.t.Fatalf("Update issued %s after %s", ts, r.issued)
			}
			r.issued = ts
		}
	}
	if cur, ok := r.log[o.ID()]; ok {
		r.log[o.ID()] = freshest(cur, o, s)
		return
	}
	if !r.chained {
		r.log[o.ID()] = o
		return
	}
	if cur, ok := r.held[o.ID()]; ok {
		o = freshest(cur, o, s)
	}
	r.held[o.ID()] = o
	for {
		next, ok := r.held[OpID{Device: o.Device, Seq: r.head[o.Device] + 1}]
		if !ok {
			return
		}
		var prev *Op
		if next.Seq > 1 {
			p := r.log[OpID{Device: next.Device, Seq: next.Seq - 1}]
			prev = &p
		}
		if err := VerifyChain(prev, &next); err != nil {
			s.t.Fatalf("VerifyChain: %v", err)
		}
		if err := next.VerifySig(s.keys[next.Device]); err != nil {
			s.t.Fatalf("VerifySig: %v", err)
		}
		delete(r.held, next.ID())
		r.log[next.ID()] = next
		r.head[next.Device] = next.Seq
	}
}

// freshest returns the copy of an op that carries the server's stamp.
func freshest(cur, in Op, s *sim) Op {
	if cur.Hash() != in.Hash() {
		s.t.Fatalf("op %s arrived with different content", in.ID())
	}
	if in.Eff != 0 && cur.Eff != 0 && in.Eff != cur.Eff {
		s.t.Fatalf("op %s stamped twice: %s and %s", in.ID(), cur.Eff, in.Eff)
	}
	if cur.Eff == 0 {
		cur.Eff, cur.ServerSeq = in.Eff, in.ServerSeq
	}
	return cur
}

// wire sends o through its binary form.
func wire(t *rapid.T, o Op) Op {
	b, err := o.MarshalBinary()
	if err != nil {
		t.Fatalf("MarshalBinary: %v", err)
	}
	var got Op
	if err := got.UnmarshalBinary(b); err != nil {
		t.Fatalf("UnmarshalBinary: %v", err)
	}
	return got
}

// edit makes a local op on replica r: a new record, or an edit of a known
// one with parents from r's current state.
func (s *sim) edit(r *replica) {
	t := s.t
	known := r.knownRecords(s.records)
	var rec uuid.UUID
	var st State
	if len(known) == 0 || len(s.records) < 3 && rapid.Float64Range(0, 1).Draw(t, "new record?") < 0.2 {
		rec = uuid.UUID{0x01, 0x93, 0xff, byte(len(s.records) + 1)}
		s.records = append(s.records, rec)
	} else {
		rec = rapid.SampledFrom(known).Draw(t, "record")
		st = Merge(r.ops(rec))
	}
	fields := rapid.SliceOfNDistinct(rapid.SampledFrom(simFields), 1, 3, func(f string) string { return f }).Draw(t, "fields")
	settle := rapid.Float64Range(0, 1).Draw(t, "settle?") < 0.3
	o := Op{
		Device: r.dev, Record: rec, Register: "fire_point", County: "130126",
		Author: fmt.Sprintf("user%d", r.dev[2]),
		Set:    map[string]model.Value{}, Parent: map[string][]OpID{},
	}
	for _, f := range fields {
		if f == model.FieldDeleted {
			o.Set[f] = model.Bool(rapid.Bool().Draw(t, "deleted"))
		} else if rapid.Float64Range(0, 1).Draw(t, "clear?") < 0.1 {
			o.Set[f] = model.Null
		} else {
			s.values++
			o.Set[f] = model.Str(fmt.Sprintf("v%d", s.values))
		}
		if ps := Parents(&st, f, settle); len(ps) > 0 {
			o.Parent[f] = ps
		}
	}
	r.seq++
	o.Seq, o.HLC, o.Prev = r.seq, r.now(s), r.last
	if err := o.CheckShape(); err != nil {
		t.Fatalf("CheckShape: %v", err)
	}
	o.Sign(r.priv)
	r.last = o.Hash()
	r.receive(s, o)
	if _, ok := r.log[o.ID()]; !ok {
		t.Fatalf("own op %s not applied", o.ID())
	}

	// A local write is never superseded at once; a settling one wins
	// with no conflict left.
	after := Merge(r.ops(rec))
	for _, f := range fields {
		win := after.Fields[f].Version == o.ID()
		inConflict := slices.ContainsFunc(after.Conflicted(f), func(c Conflict) bool { return c.Version == o.ID() })
		if !win && !inConflict {
			t.Fatalf("own write %s of %q neither wins nor conflicts: %+v", o.ID(), f, after)
		}
		if settle && (!win || len(after.Conflicted(f)) > 0) {
			t.Fatalf("settling write %s of %q: got winner %s and conflicts %v", o.ID(), f, after.Fields[f].Version, after.Conflicted(f))
		}
	}
}

// pick returns a random subset of ops in random order, some twice.
func pick(t *rapid.T, ops []Op, label string) []Op {
	if len(ops) == 0 {
		return nil
	}
	perm := rapid.Permutation(ops).Draw(t, label+" order")
	n := rapid.IntRange(0, len(perm)).Draw(t, label+" count")
	out := perm[:n]
	if n > 0 && rapid.Bool().Draw(t, label+" duplicate?") {
		out = append(out, out[rapid.IntRange(0, n-1).Draw(t, label+" duplicate")])
	}
	return out
}

func sortedOps(m map[OpID]Op) []Op {
	out := make([]Op, 0, len(m))
	for _, o := range m {
		out = append(out, o)
	}
	slices.SortFunc(out, func(a, b Op) int { return CompareOpID(a.ID(), b.ID()) })
	return out
}

// push sends ops of r to the server, which stamps each on first receipt.
func (s *sim) push(r *replica, ops []Op) {
	for _, o := range ops {
		o = wire(s.t, o)
		if _, ok := s.server[o.ID()]; ok {
			continue
		}
		if err := o.VerifySig(s.keys[o.Device]); err != nil {
			s.t.Fatalf("server: %v", err)
		}
		o.Eff = EffectiveTime(o.HLC, s.now, DefaultTolerance)
		o.ServerSeq = uint64(len(s.server) + 1)
		s.server[o.ID()] = o
	}
}

func (s *sim) deliver(r *replica, ops []Op) {
	for _, o := range ops {
		r.receive(s, wire(s.t, o))
	}
}

func TestConvergence(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := newSim(t)
		useServer := rapid.Float64Range(0, 1).Draw(t, "server?") < 0.8
		steps := rapid.IntRange(5, 40).Draw(t, "steps")
		for range steps {
			r := rapid.SampledFrom(s.reps).Draw(t, "replica")
			switch rapid.IntRange(0, 9).Draw(t, "action") {
			case 0, 1, 2, 3:
				s.edit(r)
			case 4:
				s.now = s.now.Add(time.Duration(rapid.IntRange(0, 120_000).Draw(t, "ms")) * time.Millisecond)
			case 5:
				// The device's clock is set wrong, or corrected.
				r.offset = rapid.SampledFrom(clockOffsets).Draw(t, "new offset")
				if rapid.Bool().Draw(t, "reboot?") {
					r.restart(s)
				}
			case 6:
				if useServer {
					s.push(r, pick(t, sortedOps(r.log), "push"))
				}
			case 7:
				if useServer {
					s.deliver(r, pick(t, sortedOps(s.server), "pull"))
				}
			default:
				to := rapid.SampledFrom(s.reps).Draw(t, "to")
				s.deliver(to, pick(t, sortedOps(r.log), "gossip"))
			}
		}

		// Full delivery.
		if useServer {
			for _, r := range s.reps {
				s.push(r, sortedOps(r.log))
			}
			for _, r := range s.reps {
				s.deliver(r, rapid.Permutation(sortedOps(s.server)).Draw(t, "final pull"))
			}
		} else {
			for _, from := range s.reps {
				for _, to := range s.reps {
					s.deliver(to, rapid.Permutation(sortedOps(from.log)).Draw(t, "final gossip"))
				}
			}
		}

		for _, rec := range s.records {
			var want State
			for i, r := range s.reps {
				if len(r.held) > 0 {
					t.Fatalf("replica %d still holds %d ops after full delivery", i, len(r.held))
				}
				got := Merge(r.ops(rec))
				if i == 0 {
					want = got
					checkNothingLost(t, r.ops(rec), got)
					continue
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("record %s: replica %d (chained %v) got %+v; replica 0 got %+v", rec, i, r.chained, got, want)
				}
			}
			if useServer {
				var all []Op
				for _, o := range sortedOps(s.server) {
					if o.Record == rec {
						all = append(all, o)
					}
				}
				if got := Merge(all); !reflect.DeepEqual(got, want) {
					t.Fatalf("record %s: server got %+v; replicas got %+v", rec, got, want)
				}
			}
		}
	})
}

// causalTimesOf is causalTimes of field f over ops, computed here the
// plain way: a version's causal time is the greatest of its own time and
// one tick above each (transitive) parent's, found by relaxing until
// nothing changes (honest ops form no cycle).
func causalTimesOf(ops []Op, f string) map[OpID]hlc.Timestamp {
	ct := map[OpID]hlc.Timestamp{}
	for _, o := range ops {
		if _, ok := o.Set[f]; ok {
			ct[o.ID()] = o.Time()
		}
	}
	for changed := true; changed; {
		changed = false
		for _, o := range ops {
			if _, ok := o.Set[f]; !ok {
				continue
			}
			for _, p := range o.Parent[f] {
				if pt, ok := ct[p]; ok && pt+1 > ct[o.ID()] {
					ct[o.ID()], changed = pt+1, true
				}
			}
		}
	}
	return ct
}

// checkNothingLost checks that every write of every field is the field's
// value, one of its conflicts, or overwritten by an op that saw it, and
// that the winner is the greatest head by causal time.
func checkNothingLost(t *rapid.T, ops []Op, st State) {
	for _, o := range ops {
		for f := range o.Set {
			if st.Fields[f].Version == o.ID() {
				continue
			}
			if slices.ContainsFunc(st.Conflicted(f), func(c Conflict) bool { return c.Version == o.ID() }) {
				ct := causalTimesOf(ops, f)
				if c := st.Fields[f]; ct[c.Version] < ct[o.ID()] {
					t.Fatalf("field %q: conflict %s at causal time %s is later than winner %s at %s", f, o.ID(), ct[o.ID()], c.Version, ct[c.Version])
				}
				continue
			}
			seen := slices.ContainsFunc(ops, func(w Op) bool {
				_, writes := w.Set[f]
				return writes && slices.Contains(w.Parent[f], o.ID())
			})
			if !seen {
				t.Fatalf("write %s of %q lost: not winner, not conflict, not overwritten", o.ID(), f)
			}
		}
	}
}
