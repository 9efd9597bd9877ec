package store

import (
	"encoding/binary"
	"errors"
	"strings"

	"github.com/lantian-tz/lantian/internal/hlc"
	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/model"
)

// summary is what list filters look at, kept as the value of every index
// entry so that paging a filtered list never decodes a record's state.
type summary struct {
	Register, County string
	Status, Village  string
	Title            string // TitleField's text, for ordering by title
	Search           string // lower-cased title and searchable fields, for substring search
	Updated, Created hlc.Timestamp
	Deleted          bool
	// Orphan: no op has created the record yet (none carries created_by,
	// which model.Admit writes into every new record). An orphan is not
	// listed until its creation arrives, so an op that leaves created_by
	// out cannot make a record its author's role may not create.
	Orphan bool
}

// summarize computes the summary of st with its register's schema (nil
// when the register is unknown to this build: only the generic parts are
// filled).
func summarize(st *oplog.State, sc *model.Schema) *summary {
	sm := &summary{
		Register: st.Register,
		County:   st.County,
		Status:   valueText(st.Value(model.FieldStatus)),
		Updated:  st.Updated,
		Created:  st.Created,
		Deleted:  st.Deleted,
		Orphan:   st.Value(model.FieldCreatedBy).IsNull(),
	}
	if sc == nil {
		return sm
	}
	if sc.VillageField != "" {
		sm.Village = valueText(st.Value(sc.VillageField))
	}
	if sc.TitleField != "" {
		sm.Title = valueText(st.Value(sc.TitleField))
	}
	var search []string
	if sm.Title != "" {
		search = append(search, sm.Title)
	}
	for _, f := range sc.Fields {
		if !f.Searchable || f.Key == sc.TitleField {
			continue
		}
		if t := valueText(st.Value(f.Key)); t != "" {
			search = append(search, t)
		}
	}
	sm.Search = strings.ToLower(strings.Join(search, "\x1f"))
	return sm
}

// valueText renders a value as plain text: the string of a text value, the
// JSON otherwise.
func valueText(v model.Value) string {
	if v.IsNull() {
		return ""
	}
	if s, err := v.AsText(); err == nil {
		return s
	}
	return string(v)
}

func (sm *summary) encode() []byte {
	b := make([]byte, 0, 17+len(sm.Register)+len(sm.County)+len(sm.Status)+len(sm.Village)+len(sm.Title)+len(sm.Search)+6)
	var flags byte
	if sm.Deleted {
		flags = 1
	}
	b = append(b, flags)
	b = binary.BigEndian.AppendUint64(b, uint64(sm.Updated))
	b = binary.BigEndian.AppendUint64(b, uint64(sm.Created))
	for _, s := range []string{sm.Register, sm.County, sm.Status, sm.Village, sm.Title, sm.Search} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	return b
}

var errBadSummary = errors.New("store: corrupt index entry")

func decodeSummary(b []byte) (*summary, error) {
	if len(b) < 17 {
		return nil, errBadSummary
	}
	sm := &summary{
		Deleted: b[0]&1 != 0,
		Updated: hlc.Timestamp(binary.BigEndian.Uint64(b[1:9])),
		Created: hlc.Timestamp(binary.BigEndian.Uint64(b[9:17])),
	}
	b = b[17:]
	for _, p := range []*string{&sm.Register, &sm.County, &sm.Status, &sm.Village, &sm.Title, &sm.Search} {
		n, w := binary.Uvarint(b)
		if w <= 0 || uint64(len(b)-w) < n {
			return nil, errBadSummary
		}
		*p = string(b[w : w+int(n)])
		b = b[w+int(n):]
	}
	return sm, nil
}
