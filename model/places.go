package model

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// Place is a township (乡镇、街道: a 9-digit code) or a village (村、居委会:
// a 12-digit code) of a county in scope, with its official statistical
// division code (统计用区划代码).
type Place struct {
	Code string
	Name string
}

// Places holds the townships and villages of the counties in scope
// (assets/places.tsv.gz, extracted by packaging/places). A county's are
// decoded the first time they are asked for: a device needs only its own
// county's. It is safe for concurrent use.
type Places struct {
	text  string            // the asset, decompressed
	spans map[string][2]int // county → its lines in text
	mu    sync.Mutex
	read  map[string]*countyPlaces // counties decoded so far
}

// countyPlaces is the places of one county.
type countyPlaces struct {
	towns []Place            // in code order
	vills map[string][]Place // township → villages, in code order
}

// Place levels of a field (Field.Place): the field's values are the codes
// of townships or villages of the record's county.
const (
	PlaceTownship = 1
	PlaceVillage  = 2
)

// placeEndings are the common endings of village names, written as one
// control character each in the asset (most specific first).
var placeEndings = []string{"\x05社区居民委员会", "\x06居民委员会", "\x04村民委员会", "\x02社区居委会", "\x03居委会", "\x01村委会"}

// PlacesAbbrev writes the common ending of a village name as the control
// character LoadPlaces reads back (packaging/places uses it).
func PlacesAbbrev(name string) string {
	for _, e := range placeEndings {
		if strings.HasSuffix(name, e[1:]) {
			return strings.TrimSuffix(name, e[1:]) + e[:1]
		}
	}
	return name
}

func placesExpand(name string) string {
	if n := len(name); n > 0 && name[n-1] < 0x10 {
		for _, e := range placeEndings {
			if e[0] == name[n-1] {
				return name[:n-1] + e[1:]
			}
		}
	}
	return name
}

// LoadPlaces decompresses the places asset (see packaging/places) and
// indexes its counties.
func LoadPlaces(gz []byte) (*Places, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, fmt.Errorf("places: %w", err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("places: %w", err)
	}
	p := &Places{text: string(raw), spans: map[string][2]int{}, read: map[string]*countyPlaces{}}
	last := ""
	for i := 0; i < len(p.text); {
		end := strings.IndexByte(p.text[i:], '\n')
		if end < 0 {
			end = len(p.text)
		} else {
			end += i
		}
		if p.text[i] == '=' {
			code := p.text[i+1 : end]
			if len(code) != 6 {
				return nil, fmt.Errorf("places: bad county line %q", code)
			}
			if last != "" {
				sp := p.spans[last]
				p.spans[last] = [2]int{sp[0], i}
			}
			p.spans[code] = [2]int{end + 1, len(p.text)}
			last = code
		}
		next := strings.Index(p.text[end:], "\n=")
		if next < 0 {
			break
		}
		i = end + next + 1
	}
	if len(p.spans) == 0 {
		return nil, fmt.Errorf("places: no counties")
	}
	for code := range p.spans {
		if _, err := p.decode(code); err != nil {
			return nil, err
		}
		break // one county decoded checks the format early
	}
	return p, nil
}

// county returns the places of a county, decoding them on first use; nil
// when the county has none.
func (p *Places) county(code string) *countyPlaces {
	p.mu.Lock()
	defer p.mu.Unlock()
	if c, ok := p.read[code]; ok {
		return c
	}
	c, err := p.decode(code)
	if err != nil {
		c = nil // a damaged county reads as one without places
	}
	p.read[code] = c
	return c
}

// decode parses a county's lines: "+NNN<TAB>name" a township, "NNN<TAB>name"
// (or "<TAB>name", the previous village's code + 1) a village of it.
func (p *Places) decode(code string) (*countyPlaces, error) {
	sp, ok := p.spans[code]
	if !ok {
		return nil, nil
	}
	c := &countyPlaces{vills: map[string][]Place{}}
	text := p.text[sp[0]:sp[1]]
	var town string
	var vills []Place
	next := 1
	for text != "" {
		var l string
		l, text, _ = strings.Cut(text, "\n")
		bad := fmt.Errorf("places: county %s: bad line %q", code, l)
		switch {
		case l == "":
			continue
		case l[0] == '+':
			if town != "" {
				c.vills[town] = vills
			}
			vills = nil
			t, name, ok := strings.Cut(l[1:], "\t")
			if !ok || len(t) != 3 {
				return nil, bad
			}
			town = code + t
			c.towns = append(c.towns, Place{Code: town, Name: name})
			next = 1
		default:
			v, name, ok := strings.Cut(l, "\t")
			if !ok || town == "" {
				return nil, bad
			}
			n := next
			if v != "" {
				var err error
				if n, err = strconv.Atoi(v); err != nil || len(v) != 3 {
					return nil, bad
				}
			}
			if n < 1 || n > 999 {
				return nil, bad
			}
			next = n + 1
			vcode := town + string([]byte{byte('0' + n/100), byte('0' + n/10%10), byte('0' + n%10)})
			vills = append(vills, Place{Code: vcode, Name: placesExpand(name)})
		}
	}
	if town != "" {
		c.vills[town] = vills
	}
	return c, nil
}

// towns and vills are the townships of a county and the villages of a
// township (nil when unknown).
func (p *Places) towns(countyCode string) []Place {
	if c := p.county(countyCode); c != nil {
		return c.towns
	}
	return nil
}

func (p *Places) vills(township string) []Place {
	if len(township) != 9 {
		return nil
	}
	if c := p.county(township[:6]); c != nil {
		return c.vills[township]
	}
	return nil
}

// Townships returns the townships of a county in code order.
func (p *Places) Townships(county string) []Place { return append([]Place(nil), p.towns(county)...) }

// Villages returns the villages of a township in code order.
func (p *Places) Villages(township string) []Place { return append([]Place(nil), p.vills(township)...) }

// VillagesOfCounty returns every village of a county, township by township.
func (p *Places) VillagesOfCounty(county string) []Place {
	var out []Place
	for _, t := range p.towns(county) {
		out = append(out, p.vills(t.Code)...)
	}
	return out
}

// HasCounty reports whether the places of county are known.
func (p *Places) HasCounty(county string) bool { return len(p.towns(county)) > 0 }

// Lookup returns the township or village with the given code.
func (p *Places) Lookup(code string) (Place, bool) {
	var list []Place
	switch len(code) {
	case 9:
		list = p.towns(code[:6])
	case 12:
		list = p.vills(code[:9])
	}
	i, ok := slices.BinarySearchFunc(list, code, func(pl Place, c string) int { return strings.Compare(pl.Code, c) })
	if !ok {
		return Place{}, false
	}
	return list[i], true
}

// MatchName finds the place called name among the children of parent (the
// townships of a county code, the villages of a township code): the one
// whose name equals name after trimming spaces; failing that, the only
// one whose name equals it without the usual ending (镇, 乡, 街道办事处,
// 村委会, 社区居委会, ...). It returns false when none or several match.
func (p *Places) MatchName(parent, name string) (Place, bool) {
	var list []Place
	switch len(parent) {
	case 6:
		list = p.towns(parent)
	case 9:
		list = p.vills(parent)
	}
	return matchPlace(list, name)
}

// MatchVillage finds a village by name in a county: among the villages of
// township when that is a township code of the county, else among all the
// county's villages (then only a unique match counts).
func (p *Places) MatchVillage(county, township, name string) (Place, bool) {
	if vs := p.vills(township); strings.HasPrefix(township, county) && len(vs) > 0 {
		return matchPlace(vs, name)
	}
	return matchPlace(p.VillagesOfCounty(county), name)
}

func matchPlace(list []Place, name string) (Place, bool) {
	name = strings.TrimSpace(name)
	if name == "" {
		return Place{}, false
	}
	var hit Place
	n := 0
	for _, pl := range list {
		if pl.Name == name {
			hit = pl
			n++
		}
	}
	if n == 1 {
		return hit, true
	}
	if n > 1 {
		return Place{}, false
	}
	base := PlaceBase(name)
	for _, pl := range list {
		if PlaceBase(pl.Name) == base {
			hit = pl
			n++
		}
	}
	return hit, n == 1
}

// placeSuffixes are the endings PlaceBase drops, longest first.
var placeSuffixes = []string{"社区居民委员会", "社区居委会", "居民委员会", "村民委员会", "街道办事处", "村委会", "居委会", "办事处", "街道", "社区", "镇", "乡", "村"}

// PlaceBase is a place name without its usual ending: 灵寿镇 → 灵寿,
// 北关村委会 → 北关, 城关街道办事处 → 城关. A name that is nothing but an
// ending stays as it is.
func PlaceBase(name string) string {
	name = strings.TrimSpace(name)
	for _, s := range placeSuffixes {
		if b, ok := strings.CutSuffix(name, s); ok && b != "" {
			return b
		}
	}
	return name
}

// placesSource is the asset SetPlacesData installs, decoded on first use.
type placesSource struct {
	data []byte
	once sync.Once
	p    *Places
	err  error
}

var defaultPlaces atomic.Pointer[placesSource]

// SetPlacesData installs the places asset (assets.PlacesTSVGz) that
// Validate, Admit and Display use for township and village fields; it is
// decoded on first use. nil removes it: then township and village codes
// are checked for shape and county only.
func SetPlacesData(gz []byte) {
	if gz == nil {
		defaultPlaces.Store(nil)
		return
	}
	defaultPlaces.Store(&placesSource{data: gz})
}

// SetPlaces installs decoded places (nil removes them).
func SetPlaces(p *Places) {
	if p == nil {
		defaultPlaces.Store(nil)
		return
	}
	s := &placesSource{p: p}
	s.once.Do(func() {})
	defaultPlaces.Store(s)
}

// DefaultPlaces returns the installed places, decoding them on first use,
// or nil when none are installed (or they fail to decode).
func DefaultPlaces() *Places {
	s := defaultPlaces.Load()
	if s == nil {
		return nil
	}
	s.once.Do(func() { s.p, s.err = LoadPlaces(s.data) })
	return s.p
}

// IsPlaceCode reports whether s has the shape of a township (9 digits)
// or village (12 digits) code.
func IsPlaceCode(s string, level int) bool {
	want := 9
	if level == PlaceVillage {
		want = 12
	}
	if len(s) != want {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// looksCoded reports whether s is made of digits only: a value meant as a
// code. Any other text is a free-text name kept from before places were
// coded.
func looksCoded(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// PlaceName is the name of a township or village value: the place's name
// for a known code, the value itself otherwise (a free-text name).
func PlaceName(v string) string {
	if looksCoded(v) {
		if p := DefaultPlaces(); p != nil {
			if pl, ok := p.Lookup(v); ok {
				return pl.Name
			}
		}
	}
	return v
}

// checkPlaceValue judges a township or village value alone: a code must
// have the level's shape. Free text (a name kept from before places were
// coded) passes.
func checkPlaceValue(f *Field, s string) *Text {
	if !looksCoded(s) || IsPlaceCode(s, f.Place) {
		return nil
	}
	t := msg("%s代码 %s 格式不对（乡镇 9 位，村 12 位）", "%s code %s has the wrong shape (township 9 digits, village 12)", f.Label.ZH, s, f.Label.EN, s)
	return &t
}

// unknownPlace says that a township or village code is not one of the
// installed places, or nil. Validate applies it to changes made on this
// device only: a replica whose places are older or newer judges an op
// made elsewhere by the rules that hold everywhere (PlaceError).
func unknownPlace(f *Field, v Value) *Text {
	s, _ := v.AsText()
	p := DefaultPlaces()
	if f.Place == 0 || !looksCoded(s) || p == nil {
		return nil
	}
	if _, ok := p.Lookup(s); ok {
		return nil
	}
	t := msg("未知的%s代码 %s", "unknown %s code %s", f.Label.ZH, s, f.Label.EN, s)
	return &t
}

// PlaceError says why a township or village value does not belong to the
// record's county (and, for a village code, to the record's township code
// when township is one), or nil. It needs no places data (codes nest:
// county 6 digits, township 9, village 12), so it gives the same answer on
// every replica. Free-text names are not judged. Admit (every change) and
// Validate (a whole record) both call it: it is the one rule of coded
// places.
func PlaceError(f *Field, v Value, county string, township Value) *Text {
	s, _ := v.AsText()
	if f.Place == 0 || !looksCoded(s) {
		return nil
	}
	if t := checkPlaceValue(f, s); t != nil {
		return t
	}
	name := PlaceName(s)
	if county != "" && !strings.HasPrefix(s, county) {
		cn := county
		if g := DefaultGazetteer(); g != nil {
			if c, ok := g.County(county); ok {
				cn = c.Name
			}
		}
		t := msg("%s“%s”（%s）不属于本记录的区县 %s", "%s %s (%s) is not in the record's county %s", f.Label.ZH, name, s, cn, f.Label.EN, name, s, cn)
		return &t
	}
	if f.Place == PlaceVillage {
		if ts, _ := township.AsText(); IsPlaceCode(ts, PlaceTownship) && !strings.HasPrefix(s, ts) {
			t := msg("%s“%s”不属于所选乡镇“%s”", "%s %s is not in the chosen township %s", f.Label.ZH, name, PlaceName(ts), f.Label.EN, name, PlaceName(ts))
			return &t
		}
	}
	return nil
}

// placeWarning notes a free-text township or village name that is not a
// known place of the record's county (renamed or misspelt places are kept
// as typed, and listed by MatchPlaceNames for a person to fix).
func placeWarning(f *Field, v Value, r Record) *Text {
	s, _ := v.AsText()
	if s == "" || looksCoded(s) {
		return nil
	}
	p := DefaultPlaces()
	if p == nil || !p.HasCounty(r.County) {
		return nil
	}
	t := msg("%s“%s”不是名录中的名称，请从列表中选择", "%s %s is not a listed name; pick it from the list", f.Label.ZH, s, f.Label.EN, s)
	return &t
}

// TownshipKey is what per-township figures and rankings group a township
// value of county by: its code; for a free-text name kept from before
// places were coded, the code of the county's township of that name
// (MatchName) when places are installed; else the name as typed. Show it
// with PlaceName.
func TownshipKey(county, v string) string {
	v = strings.TrimSpace(v)
	if v == "" || looksCoded(v) {
		return v
	}
	if p := DefaultPlaces(); p != nil {
		if pl, ok := p.MatchName(county, v); ok {
			return pl.Code
		}
	}
	return v
}

// VillageKey is TownshipKey for a village of county in township (a
// TownshipKey): its code, or the code of the village of that name, or the
// name as typed.
func VillageKey(county, township, v string) string {
	v = strings.TrimSpace(v)
	if v == "" || looksCoded(v) {
		return v
	}
	if p := DefaultPlaces(); p != nil {
		if pl, ok := p.MatchVillage(county, township, v); ok {
			return pl.Code
		}
	}
	return v
}
