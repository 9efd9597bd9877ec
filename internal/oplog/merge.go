package oplog

import (
	"bytes"
	"cmp"
	"slices"

	"github.com/lantian-tz/lantian/internal/hlc"
	"github.com/lantian-tz/lantian/model"
)

// Merge folds the ops of one record into its state. It is a pure function
// of the set of ops: any order, with duplicates, gives a deeply equal
// State.
//
// Each field is a multi-value last-writer-wins register. Every op that sets
// a field is a version of it; a version supersedes the versions its op
// lists in Parent for that field. The versions no other version supersedes
// are the field's heads: the greatest by (causal time, device id, seq) is
// the field's value and the others are its conflicts, kept with their
// values until an op lists them as parents (settles them). A version's
// causal time is its Time, raised above the causal time of every version
// it supersedes: an edit made after seeing a value wins over that value
// and over everything that value won over, whatever the editing device's
// clock said (a tablet whose clock reads 1970 does not lose to the
// values it replaced). Versions neither of which saw the other keep the
// plain rule of their times. Deletion is the
// ordinary field model.FieldDeleted: the record is deleted when that
// field's winning value is true, and only a write of false to it undeletes.
//
// The first op by (Time, device id, seq) gives the state its Record,
// Register, County, Created and CreatedBy. Duplicates are ops with the same
// OpID; of two that differ (one carries a server stamp the other lacks),
// Merge keeps the one with the stamp, so the result does not depend on
// which copy came first.
func Merge(ops []Op) State {
	st := State{Fields: map[string]FieldState{}}
	uniq := dedupe(ops)
	if len(uniq) == 0 {
		return st
	}
	slices.SortFunc(uniq, compareWrite)
	first, last := uniq[0], uniq[len(uniq)-1]
	st.Record, st.Register, st.County = first.Record, first.Register, first.County
	st.Created, st.CreatedBy = first.Time(), first.Author
	st.Updated = last.Time()
	st.Ops = len(uniq)
	if len(uniq) == 1 {
		mergeOne(&st, first)
	} else {
		mergeFields(&st, uniq)
	}
	st.Deleted = st.Fields[model.FieldDeleted].Value == model.Bool(true)
	return st
}

// mergeOne sets the fields of st from its only op o: every field o sets
// is a head (nothing else supersedes it; were o to name itself as a
// parent, mergeFields would fall back to o as the winner), so o wins every
// field without conflict. TestMergeOne checks it against mergeFields.
func mergeOne(st *State, o *Op) {
	st.Fields = make(map[string]FieldState, len(o.Set))
	for k, v := range o.Set {
		st.Fields[k] = FieldState{Value: v, Version: o.ID(), Time: o.Time(), Author: o.Author}
	}
}

// mergeFields sets the fields and conflicts of st from uniq, distinct ops
// sorted by compareWrite.
func mergeFields(st *State, uniq []*Op) {
	// Versions of each field in ascending (Time, device, seq) order, and
	// the versions each field's writes supersede.
	writes := map[string][]*Op{}
	superseded := map[OpID]map[string]bool{}
	for _, o := range uniq {
		for k := range o.Set {
			writes[k] = append(writes[k], o)
			for _, p := range o.Parent[k] {
				if superseded[p] == nil {
					superseded[p] = map[string]bool{}
				}
				superseded[p][k] = true
			}
		}
	}
	for k, ws := range writes {
		var heads []*Op
		for _, w := range ws {
			if !superseded[w.ID()][k] {
				heads = append(heads, w)
			}
		}
		if len(heads) == 0 {
			// Only a cycle of supersession, which honest ops cannot
			// form, gets here; fall back to the plain LWW winner.
			heads = ws[len(ws)-1:]
		}
		if len(heads) > 1 && hasParents(ws, k) {
			ct := causalTimes(ws, k)
			slices.SortStableFunc(heads, func(a, b *Op) int {
				if c := cmp.Compare(ct[a.ID()], ct[b.ID()]); c != 0 {
					return c
				}
				return CompareOpID(a.ID(), b.ID())
			})
		}
		win := heads[len(heads)-1]
		st.Fields[k] = FieldState{Value: win.Set[k], Version: win.ID(), Time: win.Time(), Author: win.Author}
		for _, h := range heads[:len(heads)-1] {
			st.Conflicts = append(st.Conflicts, Conflict{Field: k, Value: h.Set[k], Version: h.ID(), Time: h.Time(), Author: h.Author})
		}
	}
	slices.SortFunc(st.Conflicts, compareConflict)
}

// hasParents reports whether a version of field k among ws names a
// parent for it (else every causal time is the op's own Time).
func hasParents(ws []*Op, k string) bool {
	return slices.ContainsFunc(ws, func(w *Op) bool { return len(w.Parent[k]) > 0 })
}

// causalTimes returns the causal time of each version of field k in ws:
// its Time, raised to one tick above the causal time of each version of
// k it names as a parent (parents not in ws count for nothing). Ops
// naming each other in a cycle, which honest ops cannot form, keep their
// own Time for the link that closes the cycle.
func causalTimes(ws []*Op, k string) map[OpID]hlc.Timestamp {
	byID := make(map[OpID]*Op, len(ws))
	for _, w := range ws {
		byID[w.ID()] = w
	}
	ct := make(map[OpID]hlc.Timestamp, len(ws))
	busy := map[OpID]bool{}
	var visit func(w *Op) hlc.Timestamp
	visit = func(w *Op) hlc.Timestamp {
		id := w.ID()
		if t, ok := ct[id]; ok {
			return t
		}
		t := w.Time()
		if busy[id] {
			return t
		}
		busy[id] = true
		for _, p := range w.Parent[k] {
			if po, ok := byID[p]; ok {
				t = max(t, visit(po)+1)
			}
		}
		delete(busy, id)
		ct[id] = t
		return t
	}
	for _, w := range ws {
		visit(w)
	}
	return ct
}

// dedupe returns one op per OpID, chosen independently of input order.
func dedupe(ops []Op) []*Op {
	byID := make(map[OpID]*Op, len(ops))
	for i := range ops {
		o := &ops[i]
		if cur, ok := byID[o.ID()]; !ok || preferCopy(o, cur) {
			byID[o.ID()] = o
		}
	}
	out := make([]*Op, 0, len(byID))
	for _, o := range byID {
		out = append(out, o)
	}
	return out
}

// preferCopy reports whether a should replace b, two ops with the same id:
// the one with a server stamp (the smaller stamp when both have one), then
// the one with a server seq (the smaller), then — for forged copies with
// different content — the smaller hash.
func preferCopy(a, b *Op) bool {
	switch {
	case (a.Eff != 0) != (b.Eff != 0):
		return a.Eff != 0
	case a.Eff != b.Eff:
		return a.Eff < b.Eff
	case (a.ServerSeq != 0) != (b.ServerSeq != 0):
		return a.ServerSeq != 0
	case a.ServerSeq != b.ServerSeq:
		return a.ServerSeq < b.ServerSeq
	}
	ha, hb := a.Hash(), b.Hash()
	return bytes.Compare(ha[:], hb[:]) < 0
}

// compareWrite orders ops by (Time, device id, seq): the order in which
// last-writer-wins picks winners.
func compareWrite(a, b *Op) int {
	switch ta, tb := a.Time(), b.Time(); {
	case ta < tb:
		return -1
	case ta > tb:
		return 1
	}
	return CompareOpID(a.ID(), b.ID())
}

func compareConflict(a, b Conflict) int {
	if a.Field != b.Field {
		if a.Field < b.Field {
			return -1
		}
		return 1
	}
	return CompareOpID(a.Version, b.Version)
}
