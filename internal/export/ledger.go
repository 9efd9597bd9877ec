package export

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/evidencecheck"
	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/internal/review"
	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/model"
)

// Source is what an export reads from the device store.
type Source interface {
	List(q store.Query) (store.Page, error)
	Get(id uuid.UUID) (oplog.State, error)
}

var _ Source = (*store.Store)(nil)

// Request says what to export.
type Request struct {
	Register string
	// County is the county code; CountyName is shown in the header block
	// (the code when empty).
	County, CountyName string
	// From and To bound the dates of the records (inclusive, by day; zero
	// is unbounded): the register's date field, or the record's last
	// change for registers without one.
	From, To time.Time
	// Lang of headers and values: "zh" (default) or "en".
	Lang string
	// Now is the export time shown in the header block.
	Now time.Time
	// Progress, when not nil, is called as records are written.
	Progress func(done, total int)
	// Evidence are the thresholds of the photo evidence checks.
	Evidence evidencecheck.Options
}

// Column is one column of a ledger.
type Column struct {
	// Key is the field key ("" for the row number).
	Key string
	// Header is the column title, with the unit in brackets.
	Header string
	field  *model.Field
	// late marks the columns of changes made after approval, filled
	// from the record's history rather than its fields.
	late bool
	// code marks the code column that follows a township or village
	// column (which shows the name).
	code bool
	// evidence marks the columns of the photo evidence checks, filled
	// from evidencecheck rather than the fields.
	evidence bool
}

// Keys of the columns of changes made after approval.
const (
	LateCount = "after_approval_edits"
	LateLast  = "after_approval_last"
)

// Keys of the columns of the photo evidence checks.
const (
	EvidenceFlags = "photo_evidence"
	EvidenceCount = "photo_evidence_count"
)

// columnsFor returns Columns; for a register with a review step read
// from a store that keeps histories, two more: how many times the record
// was changed after its approval, and the latest such change (who, when);
// and for a register with photos read from a store that holds them, the
// photo evidence checks' flags (short texts) and their count.
func columnsFor(s Source, sc *model.Schema, lang string) []Column {
	cols := Columns(sc, lang)
	zh := !(len(lang) >= 2 && lang[:2] == "en")
	if _, ok := s.(review.HistorySource); ok {
		if _, ok := review.FlowOf(sc.Name); ok {
			count, last := "审核通过后修改次数", "审核通过后最近修改"
			if !zh {
				count, last = "Changes after approval", "Last change after approval"
			}
			cols = append(cols, Column{Key: LateCount, Header: count, late: true}, Column{Key: LateLast, Header: last, late: true})
		}
	}
	if _, ok := s.(evidencecheck.Source); ok && evidencecheck.HasPhotos(sc) {
		flags, count := "照片核验提示", "照片核验提示数"
		if !zh {
			flags, count = "Photo checks", "Photo check flags"
		}
		cols = append(cols, Column{Key: EvidenceFlags, Header: flags, evidence: true}, Column{Key: EvidenceCount, Header: count, evidence: true})
	}
	return cols
}

// fillEvidence fills row's columns of the photo evidence checks.
func fillEvidence(cols []Column, row []Cell, flags []evidencecheck.Flag, lang string) {
	for i, c := range cols {
		switch {
		case !c.evidence:
		case c.Key == EvidenceFlags:
			row[i] = Cell{Text: evidencecheck.Summary(flags, lang)}
		case c.Key == EvidenceCount:
			row[i] = Cell{Number: float64(len(flags)), IsNum: true}
		}
	}
}

// fillLate fills row's columns of changes made after approval.
func fillLate(cols []Column, row []Cell, a review.AfterApproval, lang string) {
	for i, c := range cols {
		switch c.Key {
		case LateCount:
			if c.late && a.Approved() {
				row[i] = Cell{Number: float64(len(a.Edits)), IsNum: true}
			}
		case LateLast:
			if e, ok := a.Last(); ok && c.late {
				row[i] = Cell{Text: e.Author + " " + e.At.In(model.Beijing).Format("2006-01-02 15:04")}
			}
		}
	}
}

// Reserved fields shown after the register's own.
var trailing = []string{model.FieldStatus, model.FieldReviewedBy, model.FieldReviewedAt, model.FieldReviewComment}

// Columns returns the ledger columns of sc in lang: 序号, 记录编号, the
// register's fields in schema order (headers with units), then status and
// review fields. A township or village column (its name) is followed by
// its code (empty for a free-text name kept from before places were coded).
func Columns(sc *model.Schema, lang string) []Column {
	zh := !(len(lang) >= 2 && lang[:2] == "en")
	pick := func(z, e string) string {
		if zh {
			return z
		}
		return e
	}
	cols := []Column{{Header: pick("序号", "No.")}}
	recNo, _ := model.ReservedField(model.FieldRecordNo)
	cols = append(cols, Column{Key: model.FieldRecordNo, Header: recNo.Label.In(lang), field: recNo})
	for i := range sc.Fields {
		f := &sc.Fields[i]
		h := f.Label.In(lang)
		if u := f.Unit.In(lang); u != "" {
			h += pick("（"+u+"）", " ("+u+")")
		}
		cols = append(cols, Column{Key: f.Key, Header: h, field: f})
		if f.Place != 0 {
			cols = append(cols, Column{Key: f.Key, Header: h + pick("代码", " code"), field: f, code: true})
		}
	}
	for _, k := range trailing {
		if slices.ContainsFunc(cols, func(c Column) bool { return c.Key == k }) {
			continue
		}
		f, _ := sc.FieldOrReserved(k)
		cols = append(cols, Column{Key: k, Header: f.Label.In(lang), field: f})
	}
	return cols
}

// maskedFields hold identity card numbers, shown masked in ledgers
// (registers.md, privacy).
var maskedFields = map[string]bool{"id_number": true, "party_id": true}

// Cell is a ledger cell: a number for numeric fields (the unit is in the
// header), text otherwise.
type Cell struct {
	Text   string
	Number float64
	IsNum  bool
}

// String renders the cell as CSV writes it.
func (c Cell) String() string {
	if c.IsNum {
		return strconv.FormatFloat(c.Number, 'f', -1, 64)
	}
	return c.Text
}

// Row returns the cells of record st (row number n from 1). resolve, when
// not nil, turns a referenced record id into its title (the point a
// reading belongs to, the farm of a facility).
func Row(cols []Column, st *oplog.State, n int, lang string, resolve func(id string) string) []Cell {
	row := make([]Cell, len(cols))
	for i, c := range cols {
		switch {
		case c.late || c.evidence:
			continue // fillLate, fillEvidence
		case c.Key == "":
			row[i] = Cell{Number: float64(n), IsNum: true}
		case c.Key == model.FieldRecordNo:
			s, _ := st.Value(c.Key).AsText()
			if s == "" {
				s = st.Record.String()
			}
			row[i] = Cell{Text: s}
		case c.code:
			if s, _ := st.Value(c.Key).AsText(); model.IsPlaceCode(s, c.field.Place) {
				row[i] = Cell{Text: s}
			}
		default:
			v := st.Value(c.Key)
			if (c.field.Kind == model.KindInteger || c.field.Kind == model.KindDecimal) && !v.IsNull() {
				if x, err := v.AsDecimal(); err == nil {
					row[i] = Cell{Number: x, IsNum: true}
					continue
				}
			}
			t := model.Display(c.field, v, lang)
			if c.field.Kind == model.KindRef && resolve != nil && t != "" {
				if title := resolve(t); title != "" {
					t = title
				}
			}
			if maskedFields[c.Key] {
				t = model.MaskID(t)
			}
			row[i] = Cell{Text: t}
		}
	}
	return row
}

// HeaderBlock returns the lines above the column headers: the title, then
// county, date range and export time.
func HeaderBlock(sc *model.Schema, req *Request) []string {
	name := req.CountyName
	if name == "" {
		name = req.County
	}
	day := func(t time.Time) string { return t.In(model.Beijing).Format("2006-01-02") }
	if req.Lang != "" && req.Lang[:2] == "en" {
		rng := "all dates"
		switch {
		case !req.From.IsZero() && !req.To.IsZero():
			rng = day(req.From) + " to " + day(req.To)
		case !req.From.IsZero():
			rng = "from " + day(req.From)
		case !req.To.IsZero():
			rng = "until " + day(req.To)
		}
		return []string{name + " — " + sc.Label.In(req.Lang),
			"County: " + name + "    Dates: " + rng + "    Exported: " + req.Now.In(model.Beijing).Format("2006-01-02 15:04")}
	}
	rng := "全部"
	switch {
	case !req.From.IsZero() && !req.To.IsZero():
		rng = day(req.From) + " 至 " + day(req.To)
	case !req.From.IsZero():
		rng = day(req.From) + " 起"
	case !req.To.IsZero():
		rng = "截至 " + day(req.To)
	}
	return []string{name + sc.Label.ZH + "台账",
		"县（区）：" + name + "    日期范围：" + rng + "    导出时间：" + req.Now.In(model.Beijing).Format("2006-01-02 15:04")}
}

// inRange reports whether st's date is within the request's range.
func inRange(sc *model.Schema, st *oplog.State, req *Request) bool {
	if req.From.IsZero() && req.To.IsZero() {
		return true
	}
	var d time.Time
	if sc.DateField != "" {
		s, _ := st.Value(sc.DateField).AsText()
		var err error
		for _, l := range []string{model.LayoutDateTime, model.LayoutDate, model.LayoutMonth} {
			if d, err = time.ParseInLocation(l, s, model.Beijing); err == nil {
				break
			}
		}
		if err != nil {
			return false // undated records fall outside any range
		}
	} else {
		d = st.Updated.Time()
	}
	day := func(t time.Time) string { return t.In(model.Beijing).Format("2006-01-02") }
	if !req.From.IsZero() && day(d) < day(req.From) {
		return false
	}
	return req.To.IsZero() || day(d) <= day(req.To)
}

// Total returns how many records of req's register and county there are,
// whatever the date range: what an export of them all would write.
func Total(ctx context.Context, s Source, req Request) (int, error) {
	sc, err := schemaOf(req.Register)
	if err != nil {
		return 0, err
	}
	req.From, req.To = time.Time{}, time.Time{}
	ids, err := records(ctx, s, sc, &req)
	return len(ids), err
}

// RangeField is the label, in lang, of the date the range of an export
// of register applies to: its date field, else the last change.
func RangeField(register, lang string) string {
	sc, err := schemaOf(register)
	if err != nil {
		return ""
	}
	if sc.DateField != "" {
		if f, ok := sc.FieldOrReserved(sc.DateField); ok {
			return f.Label.In(lang)
		}
	}
	if len(lang) >= 2 && lang[:2] == "en" {
		return "last change"
	}
	return "最后修改时间"
}

// records returns the ids of the records to export, oldest first (by
// creation), reading the store page by page.
func records(ctx context.Context, s Source, sc *model.Schema, req *Request) ([]uuid.UUID, error) {
	var ids []uuid.UUID
	q := store.Query{Register: sc.Name, County: req.County, Order: store.ByCreatedDesc, Limit: 1000}
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		page, err := s.List(q)
		if err != nil {
			return nil, fmt.Errorf("export: list %s: %w", sc.Name, err)
		}
		for i := range page.Records {
			if inRange(sc, &page.Records[i], req) {
				ids = append(ids, page.Records[i].Record)
			}
		}
		if page.Next == "" {
			break
		}
		q.After = page.Next
	}
	slices.Reverse(ids)
	return ids, nil
}

// rows calls fn with each record's row, oldest first; it checks ctx and
// reports progress every progressEvery records.
func rows(ctx context.Context, s Source, sc *model.Schema, req *Request, fn func(row []Cell) error) (int, error) {
	ids, err := records(ctx, s, sc, req)
	if err != nil {
		return 0, err
	}
	cols := columnsFor(s, sc, req.Lang)
	hs, late := s.(review.HistorySource)
	late = late && slices.ContainsFunc(cols, func(c Column) bool { return c.late })
	var checker *evidencecheck.Checker
	if es, ok := s.(evidencecheck.Source); ok && slices.ContainsFunc(cols, func(c Column) bool { return c.evidence }) {
		if checker, err = evidencecheck.NewChecker(es, nil, req.Evidence); err != nil {
			return 0, fmt.Errorf("export: %w", err)
		}
	}
	resolve := titles(s, req.Lang)
	for i, id := range ids {
		if i%progressEvery == 0 {
			if err := ctx.Err(); err != nil {
				return i, err
			}
			if req.Progress != nil {
				req.Progress(i, len(ids))
			}
		}
		st, err := s.Get(id)
		if err != nil {
			return i, fmt.Errorf("export: record %s: %w", id, err)
		}
		row := Row(cols, &st, i+1, req.Lang, resolve)
		if late && !st.Value(model.FieldReviewedBy).IsNull() {
			a, err := review.LateEditsOf(hs, sc, id)
			if err != nil {
				return i, fmt.Errorf("export: %w", err)
			}
			fillLate(cols, row, a, req.Lang)
		}
		if checker != nil {
			fillEvidence(cols, row, checker.Flags(sc, &st), req.Lang)
		}
		if err := fn(row); err != nil {
			return i, err
		}
	}
	if req.Progress != nil {
		req.Progress(len(ids), len(ids))
	}
	return len(ids), nil
}

// progressEvery is how often rows checks cancellation and reports
// progress.
const progressEvery = 200

func schemaOf(register string) (*model.Schema, error) {
	sc, ok := model.Lookup(register)
	if !ok {
		return nil, fmt.Errorf("export: unknown register %q / 未知台账", register)
	}
	return sc, nil
}

// titles returns a resolver of record ids to their titles (the title
// field in words), caching each; unknown ids resolve to "".
func titles(s Source, lang string) func(id string) string {
	cache := map[string]string{}
	return func(id string) string {
		if t, ok := cache[id]; ok {
			return t
		}
		t := ""
		if u, err := uuid.Parse(id); err == nil {
			if st, err := s.Get(u); err == nil {
				if sc, ok := model.Lookup(st.Register); ok && sc.TitleField != "" {
					if f, ok := sc.FieldOrReserved(sc.TitleField); ok {
						t = model.Display(f, st.Value(sc.TitleField), lang)
					}
				}
			}
		}
		if len(cache) < 10000 {
			cache[id] = t
		}
		return t
	}
}
