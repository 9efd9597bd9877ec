package store

import (
	"bytes"
	"context"
	"sort"
	"strings"
	"testing"

	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/model"
)

// listAll pages through q with the given page size and checks that pages
// neither repeat nor skip.
func listAll(t *testing.T, s *Store, q Query, size int) []oplog.State {
	t.Helper()
	q.Limit = size
	var out []oplog.State
	seen := map[string]bool{}
	for pages := 0; ; pages++ {
		p, err := s.List(q)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Records) > size {
			t.Fatalf("page of %d; want at most %d", len(p.Records), size)
		}
		if p.Next != "" && len(p.Records) != size {
			t.Fatalf("short page of %d with a Next", len(p.Records))
		}
		for _, st := range p.Records {
			if seen[st.Record.String()] {
				t.Fatalf("record %s on two pages", st.Record)
			}
			seen[st.Record.String()] = true
		}
		out = append(out, p.Records...)
		if p.Next == "" {
			return out
		}
		q.After = p.Next
		if pages > 10000 {
			t.Fatal("paging does not end")
		}
	}
}

func TestListAndCount(t *testing.T) {
	ctx := context.Background()
	s := openMem(t)
	fx := newFixture(t)
	var all []oplog.State
	for i := 0; i < 60; i++ {
		st, err := s.Append(ctx, fx.create(i))
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, st)
	}
	// Edit some (changing their order by last change), move some on,
	// delete some.
	for i := 0; i < 60; i += 4 {
		ch := Change{Record: all[i].Record, Role: model.RoleGrid, Set: map[string]model.Value{fx.textKeys[0]: model.Str("改")}}
		if i%8 == 0 {
			ch = fx.advance(all[i].Record)
		}
		if i%12 == 0 {
			ch.Set = map[string]model.Value{model.FieldDeleted: model.Bool(true)}
		}
		if _, err := s.Append(ctx, ch); err != nil {
			t.Fatal(err)
		}
	}
	for i := range all {
		st, err := s.Get(all[i].Record)
		if err != nil {
			t.Fatal(err)
		}
		all[i] = st
	}
	text := func(st oplog.State, k string) string { return valueText(st.Value(k)) }
	mid := all[30].Updated.Time()

	tests := []struct {
		name  string
		q     Query
		match func(oplog.State) bool
	}{
		{"register+county", Query{Register: fx.sc.Name, County: fx.county}, nil},
		{"with deleted", Query{Register: fx.sc.Name, County: fx.county, IncludeDeleted: true}, nil},
		{"village", Query{Register: fx.sc.Name, County: fx.county, Village: villages[1]},
			func(st oplog.State) bool { return text(st, fx.sc.VillageField) == villages[1] }},
		{"status", Query{Register: fx.sc.Name, County: fx.county, Status: fx.sc.Initial},
			func(st oplog.State) bool { return text(st, model.FieldStatus) == fx.sc.Initial }},
		{"status next", Query{Register: fx.sc.Name, County: fx.county, Status: fx.next},
			func(st oplog.State) bool { return text(st, model.FieldStatus) == fx.next }},
		{"search one", Query{Register: fx.sc.Name, County: fx.county, Search: "00013"},
			func(st oplog.State) bool { return strings.Contains(text(st, fx.sc.TitleField), "00013") }},
		{"search many", Query{Search: "记录 0001"},
			func(st oplog.State) bool { return strings.Contains(text(st, fx.sc.TitleField), "记录 0001") }},
		{"from", Query{Register: fx.sc.Name, County: fx.county, From: mid},
			func(st oplog.State) bool { return st.Updated.Wall() >= mid.UnixMilli() }},
		{"to", Query{To: mid},
			func(st oplog.State) bool { return st.Updated.Wall() <= mid.UnixMilli() }},
		{"other county", Query{Register: fx.sc.Name, County: "130104"},
			func(oplog.State) bool { return false }},
		{"by created", Query{Register: fx.sc.Name, County: fx.county, Order: ByCreatedDesc}, nil},
		{"by title", Query{Register: fx.sc.Name, County: fx.county, Order: ByTitle}, nil},
		{"all by title", Query{Order: ByTitle, Village: villages[2]},
			func(st oplog.State) bool { return text(st, fx.sc.VillageField) == villages[2] }},
		{"all by created", Query{Order: ByCreatedDesc}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var want []oplog.State
			for _, st := range all {
				if (st.Deleted && !tt.q.IncludeDeleted) || tt.match != nil && !tt.match(st) {
					continue
				}
				want = append(want, st)
			}
			sortStates(want, tt.q.Order, fx.sc.TitleField)
			n, err := s.Count(tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if n != len(want) {
				t.Fatalf("Count = %d; want %d", n, len(want))
			}
			// Place agrees with List: the matches, in key order.
			listed := map[[16]byte]bool{}
			var prev []byte
			for _, st := range want {
				listed[st.Record] = true
				key, ok := tt.q.Place(&st)
				if !ok || prev != nil && bytes.Compare(prev, key) >= 0 {
					t.Fatalf("Place(%s) = %x, %v after %x; want a match after it", st.Record, key, ok, prev)
				}
				prev = key
			}
			for _, st := range all {
				if _, ok := tt.q.Place(&st); ok != listed[st.Record] {
					t.Fatalf("Place(%s) matches %v; want %v", st.Record, ok, listed[st.Record])
				}
			}
			for _, size := range []int{1, 7, 100} {
				got := listAll(t, s, tt.q, size)
				if len(got) != len(want) {
					t.Fatalf("page size %d: %d records; want %d", size, len(got), len(want))
				}
				for i := range got {
					if got[i].Record != want[i].Record {
						t.Fatalf("page size %d: record %d is %s; want %s", size, i, got[i].Record, want[i].Record)
					}
				}
			}
		})
	}
	if _, err := s.List(Query{After: "!!"}); err == nil {
		t.Fatalf("List with a bad cursor: got nil error; want an error")
	}
}

// sortStates sorts like the indexes do.
func sortStates(sts []oplog.State, o Order, title string) {
	sort.Slice(sts, func(i, j int) bool {
		a, b := sts[i], sts[j]
		switch o {
		case ByCreatedDesc:
			if a.Created != b.Created {
				return a.Created > b.Created
			}
		case ByTitle:
			ta, tb := valueText(a.Value(title)), valueText(b.Value(title))
			if ta != tb {
				return ta < tb
			}
		default:
			if a.Updated != b.Updated {
				return a.Updated > b.Updated
			}
		}
		return bytes.Compare(a.Record[:], b.Record[:]) < 0
	})
}
