package app

import (
	"bytes"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/model"
)

// listPage is how many records one store.List call loads; rows are paged
// in as the list scrolls, so 100k records never sit in memory at once.
const listPage = 100

// listScreen lists one register's records: search, filters (village,
// status, date range), order and count, over lazily paged store queries.
type listScreen struct {
	a  *App
	sc *model.Schema

	rows    []storeState
	next    string
	loading bool
	gen     int // query generation: results of older queries are dropped
	total   int

	list    *widget.List
	search  *widget.Entry
	village *widget.Entry
	status  *widget.Select
	from    *widget.Entry
	to      *widget.Entry
	order   *widget.Select
	count   *widget.Label
	filtErr *widget.Label
	root    fyne.CanvasObject
	ready   bool
}

func newListScreen(a *App, sc *model.Schema) *listScreen {
	s := &listScreen{a: a, sc: sc}
	tl := a.textLang()
	s.list = widget.NewList(
		func() int { return len(s.rows) },
		func() fyne.CanvasObject {
			title := widget.NewLabelWithStyle("title", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
			title.Truncation = fyne.TextTruncateEllipsis
			sub := widget.NewLabel("sub")
			sub.Truncation = fyne.TextTruncateEllipsis
			// Ordinary text colour: the low-importance grey is hard to read
			// outdoors and on dim tablet screens.
			status := widget.NewLabel("status")
			return container.NewBorder(nil, nil, nil, status, container.NewVBox(title, sub))
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i >= len(s.rows) {
				return
			}
			st := &s.rows[i]
			c := o.(*fyne.Container)
			texts := c.Objects[0].(*fyne.Container)
			texts.Objects[0].(*widget.Label).SetText(a.recordTitle(sc, st))
			texts.Objects[1].(*widget.Label).SetText(a.recordSubtitle(sc, st))
			c.Objects[1].(*widget.Label).SetText(a.statusLabel(sc, st))
			if i >= len(s.rows)-listPage/4 {
				s.loadMore()
			}
		})
	s.list.OnSelected = func(i widget.ListItemID) {
		s.list.UnselectAll()
		if i < len(s.rows) {
			a.shell.push(newDetail(a, s.rows[i].Record))
		}
	}

	s.search = widget.NewEntry()
	s.search.SetPlaceHolder(lang.L("Search"))
	s.search.OnChanged = func(string) { a.b.debounce("list-search", 300*time.Millisecond, s.reload) }
	s.village = widget.NewEntry()
	s.village.SetPlaceHolder(lang.L("Village"))
	s.village.OnSubmitted = func(string) { s.reload() }
	s.village.OnChanged = func(string) { a.b.debounce("list-village", 500*time.Millisecond, s.reload) }
	statuses := []string{lang.L("All statuses")}
	for _, st := range sc.Statuses {
		statuses = append(statuses, st.Label.In(tl))
	}
	s.status = widget.NewSelect(statuses, func(string) { s.reload() })
	s.status.SetSelectedIndex(0)
	s.from = widget.NewEntry()
	s.from.SetPlaceHolder(lang.L("from YYYY-MM-DD"))
	s.from.OnChanged = func(string) { a.b.debounce("list-from", 500*time.Millisecond, s.reload) }
	s.to = widget.NewEntry()
	s.to.SetPlaceHolder(lang.L("to YYYY-MM-DD"))
	s.to.OnChanged = func(string) { a.b.debounce("list-to", 500*time.Millisecond, s.reload) }
	orders := []string{lang.L("Recently changed"), lang.L("Recently created"), lang.L("By name")}
	s.order = widget.NewSelect(orders, func(string) { s.reload() })
	s.order.SetSelectedIndex(0)
	s.count = widget.NewLabel("")
	s.filtErr = widget.NewLabel("")
	s.filtErr.Importance = widget.DangerImportance
	s.filtErr.Hide()
	add := widget.NewButtonWithIcon(lang.L("New record"), theme.ContentAddIcon(), func() {
		a.shell.push(newForm(a, sc, uuid.Nil, a.defaults(sc)))
	})
	add.Importance = widget.HighImportance
	if !sc.MayCreate(a.role()) {
		add.Hide() // the county creates these (grids, dust-fall points)
	}

	filters := container.NewGridWithColumns(3, s.village, s.status, s.order, s.from, s.to, s.count)
	top := container.NewVBox(container.NewBorder(nil, nil, nil, add, s.search), filters, s.filtErr)
	s.root = container.NewBorder(top, nil, nil, nil, s.list)
	s.ready = true
	s.reload()
	return s
}

func (s *listScreen) title() string           { return s.sc.Label.In(s.a.textLang()) }
func (s *listScreen) view() fyne.CanvasObject { return s.root }
func (s *listScreen) refresh()                { s.load(max(len(s.rows), listPage), false) }

// query is the store query of the current filters.
func (s *listScreen) query() (store.Query, bool) {
	q := store.Query{Register: s.sc.Name, County: s.a.county, Limit: listPage,
		Search: strings.TrimSpace(s.search.Text), Village: s.a.villageFilter(strings.TrimSpace(s.village.Text))}
	if i := s.status.SelectedIndex(); i > 0 {
		q.Status = s.sc.Statuses[i-1].Key
	}
	switch s.order.SelectedIndex() {
	case 1:
		q.Order = store.ByCreatedDesc
	case 2:
		q.Order = store.ByTitle
	}
	ok := true
	if t := strings.TrimSpace(s.from.Text); t != "" {
		d, err := time.ParseInLocation(model.LayoutDate, t, model.Beijing)
		if err != nil {
			ok = false
		}
		q.From = d
	}
	if t := strings.TrimSpace(s.to.Text); t != "" {
		d, err := time.ParseInLocation(model.LayoutDate, t, model.Beijing)
		if err != nil {
			ok = false
		}
		q.To = d.Add(24*time.Hour - time.Millisecond)
	}
	return q, ok
}

// reload runs the query from its first page and counts its records.
func (s *listScreen) reload() { s.load(listPage, true) }

// load runs the query for its first n records and counts them; top
// scrolls back to the first row (a new query), else the list stays where
// it is (the store changed under it).
func (s *listScreen) load(n int, top bool) {
	if !s.ready {
		return // still building
	}
	q, ok := s.query()
	if !ok {
		s.filtErr.SetText(lang.L("Dates are written YYYY-MM-DD."))
		s.filtErr.Show()
		return
	}
	s.filtErr.Hide()
	q.Limit = n
	s.gen++
	gen := s.gen
	s.loading = true
	var page store.Page
	var total int
	s.a.b.run(func() error {
		var err error
		if page, err = s.a.st.List(q); err != nil {
			return err
		}
		total, err = s.a.st.Count(q)
		return err
	}, func(err error) {
		if gen != s.gen {
			return
		}
		if err != nil {
			s.loading = false
			s.count.SetText(plainError(err))
			return
		}
		s.rows, s.next, s.total = page.Records, page.Next, total
		s.count.SetText(lang.L("{{.N}} records", map[string]any{"N": total}))
		s.list.Refresh()
		if top {
			s.list.ScrollToTop()
		}
		s.loading = false
	})
}

// maxRowReloads is the most changed records a list looks at one by one;
// more changes reload the page.
const maxRowReloads = listPage

// refreshChanged redraws the rows of the changed records that stay where
// they are shown (same filters matched, same place in the order); when a
// record may enter, leave or move in the list, it reloads the count and
// the rows as refresh does.
func (s *listScreen) refreshChanged(ch changes) {
	if ch.all || s.loading || len(ch.ids) > maxRowReloads {
		s.refresh()
		return
	}
	q, ok := s.query()
	if !ok {
		s.refresh()
		return
	}
	shown := map[uuid.UUID]int{}
	for i := range s.rows {
		if ch.has(s.rows[i].Record) {
			shown[s.rows[i].Record] = i
		}
	}
	complete := s.next == "" // every match is loaded
	gen := s.gen
	fresh := map[int]storeState{}
	full := false
	s.a.b.run(func() error {
		for id := range ch.ids {
			st, err := s.a.st.Get(id)
			if err != nil {
				full = true // gone, or cannot tell
				return nil
			}
			_, match := q.Place(&st)
			if i, ok := shown[id]; ok {
				if !match {
					full = true // leaves the list
					return nil
				}
				fresh[i] = st
				continue
			}
			if st.Register != q.Register || q.County != "" && st.County != q.County {
				continue // another list's
			}
			if match || !complete {
				// Enters the list, or may have left (or entered) the
				// part not loaded: the count changes.
				full = true
				return nil
			}
		}
		return nil
	}, func(error) {
		if gen != s.gen {
			return // a newer load shows the changes
		}
		if full || !s.inPlace(q, fresh) {
			s.refresh()
			return
		}
		for i, st := range fresh {
			s.rows[i] = st
			s.list.RefreshItem(i)
		}
	})
}

// inPlace reports whether the rows would keep their order with the fresh
// states of some of them (by index): each changed row stays between its
// neighbours, and the last loaded row stays before the records not
// loaded.
func (s *listScreen) inPlace(q store.Query, fresh map[int]storeState) bool {
	key := func(i int) []byte {
		st, ok := fresh[i]
		if !ok {
			st = s.rows[i]
		}
		k, _ := q.Place(&st)
		return k
	}
	for i, st := range fresh {
		if i >= len(s.rows) || s.rows[i].Record != st.Record {
			return false
		}
		k := key(i)
		if i > 0 && bytes.Compare(key(i-1), k) >= 0 {
			return false
		}
		if i+1 < len(s.rows) && bytes.Compare(k, key(i+1)) >= 0 {
			return false
		}
		if i+1 == len(s.rows) && s.next != "" {
			if old, _ := q.Place(&s.rows[i]); bytes.Compare(k, old) > 0 {
				return false
			}
		}
	}
	return true
}

// loadMore appends the next page when the list nears its end.
func (s *listScreen) loadMore() {
	if s.loading || s.next == "" {
		return
	}
	q, _ := s.query()
	q.After = s.next
	gen := s.gen
	s.loading = true
	var page store.Page
	s.a.b.run(func() error {
		var err error
		page, err = s.a.st.List(q)
		return err
	}, func(err error) {
		if gen != s.gen {
			return
		}
		if err == nil {
			s.rows = append(s.rows, page.Records...)
			s.next = page.Next
			s.list.Refresh()
		}
		s.loading = false
	})
}

// recordTitle is a record's name in lists: its title field, its number,
// or the start of its id.
func (a *App) recordTitle(sc *model.Schema, st *storeState) string {
	tl := a.textLang()
	if sc.TitleField != "" {
		if f, ok := sc.Field(sc.TitleField); ok {
			if t := model.Display(f, st.Value(sc.TitleField), tl); t != "" {
				return t
			}
		}
	}
	if no, err := st.Value(model.FieldRecordNo).AsText(); err == nil && no != "" {
		return no
	}
	return sc.Label.In(tl) + " " + st.Record.String()[:8]
}

// recordSubtitle is a record's village, date and open conflicts.
func (a *App) recordSubtitle(sc *model.Schema, st *storeState) string {
	tl := a.textLang()
	var parts []string
	if sc.VillageField != "" {
		if v, _ := st.Value(sc.VillageField).AsText(); v != "" {
			parts = append(parts, model.PlaceName(v))
		}
	}
	if sc.DateField != "" {
		if f, ok := sc.Field(sc.DateField); ok {
			if d := model.Display(f, st.Value(sc.DateField), tl); d != "" {
				parts = append(parts, d)
			}
		}
	}
	parts = append(parts, lang.L("changed {{.Time}}", map[string]any{"Time": st.Updated.Time().In(model.Beijing).Format("2006-01-02 15:04")}))
	if len(st.Conflicts) > 0 {
		parts = append(parts, lang.L("{{.N}} conflicts", map[string]any{"N": len(st.Conflicts)}))
	}
	return strings.Join(parts, " · ")
}

// villageFilter is the value a typed village name filters the list by:
// the code of the county's village of that name, when there is one, else
// the name as typed (records kept from before places were coded).
func (a *App) villageFilter(typed string) string {
	if p := model.DefaultPlaces(); p != nil && typed != "" && !model.IsPlaceCode(typed, model.PlaceVillage) {
		if pl, ok := p.MatchVillage(a.county, "", typed); ok {
			return pl.Code
		}
	}
	return typed
}

// statusLabel is the record's status in the user's language.
func (a *App) statusLabel(sc *model.Schema, st *storeState) string {
	k, _ := st.Value(model.FieldStatus).AsText()
	if s, ok := sc.Status(k); ok {
		return s.Label.In(a.textLang())
	}
	return k
}

// defaults are the values a new record of sc starts with: the user's
// township and village, today's date.
func (a *App) defaults(sc *model.Schema) map[string]model.Value {
	vals := map[string]model.Value{}
	if a.user != nil {
		if _, ok := sc.Field(model.FieldTownship); ok && a.user.Township != "" {
			vals[model.FieldTownship] = model.Str(a.user.Township)
		}
		if _, ok := sc.Field(model.FieldVillage); ok && a.user.Village != "" {
			vals[model.FieldVillage] = model.Str(a.user.Village)
		}
	}
	if f, ok := sc.Field("grid"); ok && f.Kind == model.KindRef && f.Ref == "straw_grid" && a.user != nil && a.user.Grid != "" {
		vals["grid"] = model.Str(a.user.Grid)
	}
	for _, f := range sc.Fields {
		if f.Today && f.Kind == model.KindDate {
			vals[f.Key] = model.Str(a.opts.Now().In(model.Beijing).Format(model.LayoutDate))
		}
	}
	if _, ok := sc.Field(model.FieldFacilityNo); ok && a.county != "" {
		vals[model.FieldFacilityNo] = model.Str(model.FacilityNo(a.county, a.lastFacilitySeq(sc)+1))
	}
	return vals
}

// lastFacilitySeq is the highest facility sequence number of the county's
// records of sc held here (0 when none). Two devices offline may give the
// same next number; the county sees both in its list.
func (a *App) lastFacilitySeq(sc *model.Schema) int {
	last := 0
	q := store.Query{Register: sc.Name, County: a.county, Limit: 1000}
	for {
		page, err := a.st.List(q)
		if err != nil {
			return last
		}
		for i := range page.Records {
			no, _ := page.Records[i].Value(model.FieldFacilityNo).AsText()
			if n, ok := model.FacilitySeq(a.county, no); ok && n > last {
				last = n
			}
		}
		if page.Next == "" {
			return last
		}
		q.After = page.Next
	}
}
