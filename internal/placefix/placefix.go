// Package placefix maps the free-text township and village names a store
// holds from before places were coded to their codes: an exact match in
// the record's county (model.Places.MatchName: the name after trimming,
// or the only place whose name equals it without its usual ending) is
// proposed, and every other value is listed for a person to fix in the
// record's form.
package placefix

import (
	"context"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/model"
)

// Source lists records (store.Store is one).
type Source interface {
	List(q store.Query) (store.Page, error)
}

// Finding is one free-text township or village value of a record: Code
// and Name are the place it matches, empty when it matches none (or
// several).
type Finding struct {
	Record           uuid.UUID
	Register, County string
	Field            string
	Text             string
	Code, Name       string
}

// Matched reports whether the value maps to a place.
func (f Finding) Matched() bool { return f.Code != "" }

// Match returns the free-text township and village values of the records
// of src (deleted ones left out), in record order, each with the place it
// maps to when it maps to one. A village is looked for among the villages
// of the record's township (its code, or the code its name maps to), else
// among all the county's villages.
func Match(src Source, p *model.Places) ([]Finding, error) {
	var out []Finding
	q := store.Query{Limit: 500}
	for {
		page, err := src.List(q)
		if err != nil {
			return nil, err
		}
		for i := range page.Records {
			out = append(out, matchRecord(&page.Records[i], p)...)
		}
		if page.Next == "" {
			break
		}
		q.After = page.Next
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Record != out[j].Record {
			return out[i].Record.String() < out[j].Record.String()
		}
		return out[i].Field > out[j].Field // township before village
	})
	return out, nil
}

func matchRecord(st *oplog.State, p *model.Places) []Finding {
	sc, ok := model.Lookup(st.Register)
	if !ok {
		return nil
	}
	var out []Finding
	township := ""
	if s, _ := st.Value(model.FieldTownship).AsText(); model.IsPlaceCode(s, model.PlaceTownship) {
		township = s
	}
	for _, level := range []int{model.PlaceTownship, model.PlaceVillage} {
		for i := range sc.Fields {
			f := &sc.Fields[i]
			if f.Place != level {
				continue
			}
			s, _ := st.Value(f.Key).AsText()
			if s == "" || model.IsPlaceCode(s, f.Place) {
				continue
			}
			fd := Finding{Record: st.Record, Register: st.Register, County: st.County, Field: f.Key, Text: s}
			var pl model.Place
			var ok bool
			if level == model.PlaceTownship {
				pl, ok = p.MatchName(st.County, s)
				if ok && f.Key == model.FieldTownship {
					township = pl.Code
				}
			} else {
				pl, ok = p.MatchVillage(st.County, township, s)
			}
			if ok {
				fd.Code, fd.Name = pl.Code, pl.Name
			}
			out = append(out, fd)
		}
	}
	return out
}

// Appender writes a change (store.Store is one).
type Appender interface {
	Append(ctx context.Context, ch store.Change) (oplog.State, error)
}

// Failure is a record whose matched codes could not be written, and why
// (the record is invalid on other grounds, or deleted since).
type Failure struct {
	Record uuid.UUID
	Err    error
}

// Apply writes the matched codes of findings, one change per record, as
// author with role (a county or province user, so that an approved record
// is not sent back to review). Unmatched findings are left alone. It
// returns how many records were changed and those that failed.
func Apply(ctx context.Context, app Appender, findings []Finding, author string, role model.Role, now time.Time) (int, []Failure) {
	type rec struct {
		register, county string
		set              map[string]model.Value
	}
	var order []uuid.UUID
	recs := map[uuid.UUID]*rec{}
	for _, f := range findings {
		if !f.Matched() {
			continue
		}
		r := recs[f.Record]
		if r == nil {
			r = &rec{register: f.Register, county: f.County, set: map[string]model.Value{}}
			recs[f.Record] = r
			order = append(order, f.Record)
		}
		r.set[f.Field] = model.Str(f.Code)
	}
	n := 0
	var failed []Failure
	for _, id := range order {
		r := recs[id]
		_, err := app.Append(ctx, store.Change{Record: id, Register: r.register, County: r.county,
			Author: author, Role: role, Set: r.set, Now: now})
		if err != nil {
			failed = append(failed, Failure{Record: id, Err: err})
			continue
		}
		n++
	}
	return n, failed
}

// Report writes findings as tab-separated lines: record, register,
// county, field, the text, then the code and name it maps to or
// "未匹配 unmatched".
func Report(w io.Writer, findings []Finding) error {
	for _, f := range findings {
		to := "未匹配 unmatched"
		if f.Matched() {
			to = f.Code + "\t" + f.Name
		}
		if _, err := fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", f.Record, f.Register, f.County, f.Field, f.Text, to); err != nil {
			return err
		}
	}
	return nil
}
