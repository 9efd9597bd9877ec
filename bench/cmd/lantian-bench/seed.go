package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/demo"
	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/model"
)

// benchCounty is the county whose demo records are synced (正定县).
const benchCounty = "130123"

// photoPool is how many distinct small photos the records' photo fields
// point at: item i of every photo list is photo i of the pool, so the
// benchmark moves records, not photos (a photo list holds at most 50).
const photoPool = 50

// seedStats says what seeding made.
type seedStats struct {
	Records  int `json:"records"`
	Fields   int `json:"fields"`   // field values over all records
	Skipped  int `json:"skipped"`  // demo seeds the store refused in one op
	Unstated int `json:"unstated"` // records created in the initial status
}

// seed creates n records in a new device store at dir, one op each, from
// the demo generator, and writes the same records as PouchDB documents
// to docsPath (a JSON array).
func seed(dir, docsPath string, n int) (seedStats, error) {
	var stats seedStats
	st, err := store.Open(store.Options{Dir: dir, Logger: quietLogger(), GCInterval: -1})
	if err != nil {
		return stats, err
	}
	defer st.Close()
	pool := make([]string, photoPool)
	for i := range pool {
		photo := bytes.Repeat([]byte(fmt.Sprintf("JPEG bench photo %02d ", i)), 100)
		if pool[i], err = st.PutBlob(bytes.NewReader(photo)); err != nil {
			return stats, err
		}
	}
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(20, 26))
	seeds := demo.Records(rng, benchCounty, n+n/4+100)
	for _, sd := range seeds {
		if stats.Records == n {
			break
		}
		ch, err := change(sd, pool)
		if err != nil {
			return stats, err
		}
		_, err = st.Append(ctx, ch)
		if err != nil {
			// Not one step from the initial status: create it there.
			delete(ch.Set, model.FieldStatus)
			_, err = st.Append(ctx, ch)
			if err == nil {
				stats.Unstated++
			}
		}
		if err != nil {
			stats.Skipped++
			continue
		}
		stats.Records++
	}
	if stats.Records < n {
		return stats, fmt.Errorf("seed: only %d of %d records made", stats.Records, n)
	}
	f, err := os.Create(docsPath)
	if err != nil {
		return stats, err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString("[")
	for after, first := uint64(0), true; ; {
		ops, err := st.Ops(st.Device(), after, 1000)
		if err != nil {
			return stats, err
		}
		if len(ops) == 0 {
			break
		}
		for i := range ops {
			op := &ops[i]
			doc := map[string]json.RawMessage{
				"_id":      mustRaw(op.Record.String()),
				"register": mustRaw(op.Register),
				"county":   mustRaw(op.County),
				"author":   mustRaw(op.Author),
			}
			for k, v := range op.Set {
				doc[k] = json.RawMessage(v)
			}
			stats.Fields += len(op.Set)
			b, err := json.Marshal(doc)
			if err != nil {
				return stats, err
			}
			if !first {
				w.WriteString(",\n")
			}
			first = false
			w.Write(b)
		}
		after = ops[len(ops)-1].Seq
	}
	w.WriteString("]\n")
	if err := w.Flush(); err != nil {
		return stats, err
	}
	return stats, f.Close()
}

// change turns a demo seed into one creating change by a county-role
// user, its photo lists pointing at the pool.
func change(sd demo.Seed, pool []string) (store.Change, error) {
	sc, ok := model.Lookup(sd.Register)
	if !ok {
		return store.Change{}, errors.New("seed: unknown register " + sd.Register)
	}
	id, err := uuid.Parse(sd.ID)
	if err != nil {
		return store.Change{}, err
	}
	set := make(map[string]model.Value, len(sd.Fields))
	for k, v := range sd.Fields {
		f, ok := sc.Field(k)
		if ok && f.Computed {
			continue // the store derives it
		}
		if ok && f.Kind == model.KindPhotos {
			l, err := v.AsList()
			if err != nil {
				return store.Change{}, err
			}
			v = model.List(pool[:min(len(l), len(pool))]...)
		}
		set[k] = v
	}
	if sc.Initial != "" && set[model.FieldStatus] == model.Str(sc.Initial) {
		delete(set, model.FieldStatus)
	}
	return store.Change{Record: id, Register: sd.Register, County: sd.County,
		Author: "基准测试", Role: model.RoleCounty, Set: set}, nil
}

func mustRaw(s string) json.RawMessage {
	b, _ := json.Marshal(s)
	return b
}

// editField picks the one-field edit both systems make: a field of the
// first record that a county user may change, with its new value.
func editField(sc *model.Schema, fields map[string]model.Value) (string, model.Value, bool) {
	for _, k := range []string{model.FieldRemarks, "contact_phone", "contact_name"} {
		f, ok := sc.Field(k)
		if !ok || f.Computed || len(f.EditRoles) > 0 && !slices.Contains(f.EditRoles, model.RoleCounty) {
			continue
		}
		if k == model.FieldRemarks {
			return k, model.Str("已复核"), true
		}
		if k == "contact_phone" {
			return k, model.Str("13903110001"), true
		}
		return k, model.Str("李明"), true
	}
	return "", "", false
}
