package store

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/oplog"
)

// Order is the order of a list.
type Order int

// List orders.
const (
	// ByUpdatedDesc: most recently changed first (the default).
	ByUpdatedDesc Order = iota
	// ByCreatedDesc: most recently created first.
	ByCreatedDesc
	// ByTitle: by the register's title field, then record id.
	ByTitle
)

// DefaultLimit is the page size of a Query without Limit.
const DefaultLimit = 50

// Query selects records for List and Count. Empty fields do not filter.
type Query struct {
	Register, County string
	Village, Status  string
	// Search is a case-insensitive substring of the title or a
	// searchable field.
	Search string
	// From and To bound the time of the last change (inclusive; zero =
	// unbounded).
	From, To       time.Time
	Order          Order
	IncludeDeleted bool
	// Limit is the page size; DefaultLimit when <= 0.
	Limit int
	// After is the Next of the previous page ("" for the first page).
	After string
}

// Page is one page of a list.
type Page struct {
	Records []oplog.State
	// Next continues the list (Query.After); "" at the end.
	Next string
}

// plan is how a query walks the indexes: the index prefix to scan, and
// whether the index already has the query's order (else the matches are
// collected and sorted: the slow path for orders other than by last
// change without both register and county).
type plan struct {
	prefix []byte
	sorted bool
}

func (q *Query) plan() plan {
	rc := q.Register != "" && q.County != ""
	base := func(kind byte) []byte {
		k := []byte{pfxIndex, kind}
		k = appendStr(k, q.Register)
		return appendStr(k, q.County)
	}
	switch {
	case q.Order == ByUpdatedDesc && rc && q.Status != "":
		return plan{prefix: appendStr(base(idxStatus), q.Status), sorted: true}
	case q.Order == ByUpdatedDesc && rc && q.Village != "":
		return plan{prefix: appendStr(base(idxVillage), q.Village), sorted: true}
	case q.Order == ByUpdatedDesc && rc:
		return plan{prefix: base(idxCounty), sorted: true}
	case q.Order == ByCreatedDesc && rc:
		return plan{prefix: base(idxCreated), sorted: true}
	case q.Order == ByTitle && rc:
		return plan{prefix: base(idxTitle), sorted: true}
	case q.Order == ByUpdatedDesc:
		return plan{prefix: indexPrefix(idxAll), sorted: true}
	default:
		return plan{prefix: indexPrefix(idxAll)}
	}
}

// match reports whether a record with summary sm passes the filters.
func (q *Query) match(sm *summary, search string) bool {
	if q.Register != "" && sm.Register != q.Register ||
		q.County != "" && sm.County != q.County ||
		q.Status != "" && sm.Status != q.Status ||
		q.Village != "" && sm.Village != q.Village ||
		sm.Deleted && !q.IncludeDeleted {
		return false
	}
	if !q.From.IsZero() && sm.Updated.Wall() < q.From.UnixMilli() ||
		!q.To.IsZero() && sm.Updated.Wall() > q.To.UnixMilli() {
		return false
	}
	return search == "" || strings.Contains(sm.Search, search)
}

// sortKey is the key a slow-path match is ordered and paged by.
func (q *Query) sortKey(rec uuid.UUID, sm *summary) []byte {
	var k []byte
	if q.Order == ByTitle {
		k = appendStr(k, sm.Title)
	} else {
		k = appendInvTime(k, sm.Created)
	}
	return append(k, rec[:]...)
}

// hit is one match of a scan: its record and the key it is paged by.
type hit struct {
	rec uuid.UUID
	key []byte
}

// Place says where record st stands in the lists of q: whether it passes
// q's filters, and the key the lists are ordered by (ascending; ties
// cannot happen, the key ends with the record id). A list uses it to tell
// whether a changed record stays where it is shown.
func (q Query) Place(st *oplog.State) (key []byte, ok bool) {
	sm := summarize(st, lookupSchema(st.Register))
	ok = q.match(sm, strings.ToLower(q.Search))
	switch q.Order {
	case ByTitle:
		key = appendStr(nil, sm.Title)
	case ByCreatedDesc:
		key = appendInvTime(nil, sm.Created)
	default:
		key = appendInvTime(nil, sm.Updated)
	}
	return append(key, st.Record[:]...), ok
}

// scan calls fn with each match in order after the cursor after, until fn
// returns false.
func (q *Query) scan(txn *badger.Txn, after []byte, fn func(hit) bool) error {
	p := q.plan()
	search := strings.ToLower(q.Search)
	it := txn.NewIterator(badger.IteratorOptions{Prefix: p.prefix, PrefetchValues: false})
	defer it.Close()
	var slow []hit
	start := p.prefix
	if p.sorted && after != nil {
		start = after
	}
	for it.Seek(start); it.Valid(); it.Next() {
		item := it.Item()
		key := item.Key()
		if p.sorted && after != nil && bytes.Equal(key, after) {
			continue
		}
		var sm *summary
		if err := item.Value(func(v []byte) error {
			var err error
			sm, err = decodeSummary(v)
			return err
		}); err != nil {
			return fmt.Errorf("index entry %x: %w", key, err)
		}
		if p.sorted && !q.From.IsZero() && key[1] != idxTitle && key[1] != idxCreated && sm.Updated.Wall() < q.From.UnixMilli() {
			break // newest first: nothing older can match
		}
		if !q.match(sm, search) {
			continue
		}
		var rec uuid.UUID
		copy(rec[:], key[len(key)-16:])
		if p.sorted {
			if !fn(hit{rec: rec, key: item.KeyCopy(nil)}) {
				return nil
			}
			continue
		}
		h := hit{rec: rec, key: q.sortKey(rec, sm)}
		if after == nil || bytes.Compare(h.key, after) > 0 {
			slow = append(slow, h)
		}
	}
	sort.Slice(slow, func(i, j int) bool { return bytes.Compare(slow[i].key, slow[j].key) < 0 })
	for _, h := range slow {
		if !fn(h) {
			return nil
		}
	}
	return nil
}

// List returns one page of the records matching q, walking a secondary
// index (register+county, +status or +village, by last change; by
// creation; by title) without decoding records that do not match.
func (s *Store) List(q Query) (Page, error) {
	after, err := decodeCursor(q.After)
	if err != nil {
		return Page{}, err
	}
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	var page Page
	err = s.view(func(txn *badger.Txn) error {
		var hits []hit
		more := false
		if err := q.scan(txn, after, func(h hit) bool {
			if len(hits) == limit {
				more = true
				return false
			}
			hits = append(hits, h)
			return true
		}); err != nil {
			return err
		}
		page.Records = make([]oplog.State, 0, len(hits))
		for _, h := range hits {
			st, err := getState(txn, h.rec)
			if err != nil {
				return err
			}
			page.Records = append(page.Records, st)
		}
		if more {
			page.Next = base64.RawURLEncoding.EncodeToString(hits[len(hits)-1].key)
		}
		return nil
	})
	return page, err
}

// Count returns the number of records matching q (Limit and After are
// ignored).
func (s *Store) Count(q Query) (int, error) {
	n := 0
	err := s.view(func(txn *badger.Txn) error {
		return q.scan(txn, nil, func(hit) bool { n++; return true })
	})
	return n, err
}

func decodeCursor(c string) ([]byte, error) {
	if c == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(b) < 16 {
		return nil, fmt.Errorf("store: bad list cursor %q", c)
	}
	return b, nil
}
