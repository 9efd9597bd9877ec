package firepoint

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/model"
)

// Register is the register fire points are created in.
const Register = "fire_point"

// Remark prefixes: distanceNote starts the remark giving the distance to
// the village a point was assigned to automatically; legacyAssignPrefix
// starts the remark that named the village before fire_point had a
// village field (older records).
const (
	distanceNote       = "分派距离 "
	legacyAssignPrefix = "派至"
)

// Store is what the importer and tracking need of the device store.
type Store interface {
	Append(ctx context.Context, ch store.Change) (oplog.State, error)
	Get(id uuid.UUID) (oplog.State, error)
	List(q store.Query) (store.Page, error)
}

var _ Store = (*store.Store)(nil)

// Options configure Import.
type Options struct {
	// County is the device's county code; fire points are created in it.
	County string
	// CountyName, when set, lets rows whose county column names another
	// county be skipped (a province-wide file); rows naming County or
	// CountyName, or no county, are imported.
	CountyName string
	// Author and Role of the ops; the fire id is a county-only field, so
	// Role is normally model.RoleCounty.
	Author string
	Role   model.Role
	// Now is the push time recorded in pushed_at.
	Now time.Time
	// Due is the time allowed for the check after the push (due_at);
	// model.FireVerifyDue (24 h) when zero.
	Due time.Duration
	// Source is the source option key; "satellite_province" when empty.
	Source string
	// Villages are the county's known villages: the ones a file may name,
	// and the candidates for assignment to the nearest village.
	Villages []Village
	// Assign assigns fire ids by hand; it overrides everything else.
	Assign map[string]Village
	// MaxDistanceM is how far from the nearest known village a point may
	// be and still be assigned to it by nearness (DefaultMaxDistanceM
	// when zero, no limit when negative). A point farther away is left
	// without a village, with a warning, for the county to assign by hand.
	MaxDistanceM float64
	// Progress, when not nil, is called after each point.
	Progress func(done, total int)
	// Logger receives one line per import; slog.Default() when nil.
	Logger *slog.Logger
}

// DefaultMaxDistanceM is Options.MaxDistanceM when not set: 10 km, more
// than the size of a village's land in the plain and the hills.
const DefaultMaxDistanceM = 10000

// Created is a fire point record made by Import.
type Created struct {
	FireID  string
	Record  uuid.UUID
	Line    int
	Village Village // zero when not assigned to a village
	// DistanceM is the distance to a village assigned by nearness (0 by
	// hand or by the file's name).
	DistanceM float64
	// Named is true when the village is the one the file names.
	Named bool
}

// Result is the report of an import.
type Result struct {
	Created []Created
	// Duplicates are fire ids already in the store or repeated in the
	// file; they are not imported again.
	Duplicates []string
	// OtherCounty counts rows for another county, skipped.
	OtherCounty int
	// Bad are rows that could not be imported, by line.
	Bad []RowError
	// Warnings are points imported with a doubt, by line: not assigned
	// because no known village is near, or naming a village or township
	// the county's records do not have, or far from the village named.
	Warnings []RowError
}

// Import creates a fire_point record for each point that is not yet in the
// store (same source_fire_id, deleted records included), assigning each to
// a village (see assign): by hand (Options.Assign), else the village the
// file names, else the nearest known village of the township the file
// names, else the nearest known village; never one farther than
// Options.MaxDistanceM. The pushed township is the file's township column,
// else the assigned village's township; the village and its township are
// written to the village and township fields, the distance to a village
// assigned by nearness is noted in remarks. A point the store
// refuses is reported in Bad with its line and the rest go on. Import
// stops when ctx is cancelled, returning what was done and ctx's error.
func Import(ctx context.Context, s Store, points []Point, o Options) (Result, error) {
	if o.Due <= 0 {
		o.Due = model.FireVerifyDue
	}
	if o.Source == "" {
		o.Source = "satellite_province"
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	var res Result
	seen, err := ExistingIDs(s, o.County)
	if err != nil {
		return res, err
	}
	for i, p := range points {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		switch {
		case p.County != "" && o.CountyName != "" && p.County != o.County && p.County != o.CountyName:
			res.OtherCounty++
		case seen[p.ID]:
			res.Duplicates = append(res.Duplicates, p.ID)
		default:
			c, warning, reason := create(ctx, s, p, &o)
			if warning != nil {
				res.Warnings = append(res.Warnings, RowError{Line: p.Line, Reason: *warning})
			}
			if reason != nil {
				res.Bad = append(res.Bad, RowError{Line: p.Line, Reason: *reason})
			} else {
				seen[p.ID] = true
				res.Created = append(res.Created, c)
			}
		}
		if o.Progress != nil {
			o.Progress(i+1, len(points))
		}
	}
	o.Logger.Info("fire points imported", "county", o.County, "created", len(res.Created),
		"duplicates", len(res.Duplicates), "other_county", res.OtherCounty, "bad", len(res.Bad))
	return res, nil
}

// create appends one fire point; a non-nil reason says why it failed, a
// non-nil warning what is doubtful about a point created (or, with a
// reason, why it has no village).
func create(ctx context.Context, s Store, p Point, o *Options) (Created, *model.Text, *model.Text) {
	c := Created{FireID: p.ID, Line: p.Line}
	warning := assign(&c, p, o)
	township := p.Township
	if township == "" {
		township = c.Village.Township
	}
	if len([]rune(township)) < 2 {
		return c, warning, &model.Text{ZH: "无法确定所属乡镇（文件无乡镇列且没有可分派的村）",
			EN: "township unknown (no township column and no village to assign)"}
	}
	var remarks []string
	if c.Village.Name != "" && c.DistanceM > 0 {
		remarks = append(remarks, fmt.Sprintf("%s%.0f 米", distanceNote, c.DistanceM))
	}
	if p.Confidence != "" {
		remarks = append(remarks, "置信度 "+p.Confidence)
	}
	set := map[string]model.Value{
		"source_fire_id":  model.Str(p.ID),
		"source":          model.Str(o.Source),
		"detected_at":     model.DateTimeValue(p.Detected),
		"pushed_at":       model.DateTimeValue(o.Now),
		"pushed_location": model.GPS(p.Location()),
		"pushed_county":   model.Str(o.County),
		"pushed_township": model.Str(model.PlaceName(township)),
		"due_at":          model.DateTimeValue(o.Now.Add(o.Due)),
	}
	if strings.HasPrefix(o.Source, "satellite") {
		set["sensor"] = model.Str(SensorKey(p.Satellite))
	}
	if c.Village.Name != "" {
		t, v := placeCodes(o.County, villageTownship(c.Village, township), c.Village.Name)
		set[model.FieldVillage] = model.Str(v)
		set[model.FieldTownship] = model.Str(t)
	} else if t, _ := placeCodes(o.County, township, ""); model.IsPlaceCode(t, model.PlaceTownship) {
		set[model.FieldTownship] = model.Str(t)
	}
	if len(remarks) > 0 {
		set[model.FieldRemarks] = model.Str(strings.Join(remarks, "；"))
	}
	st, err := s.Append(ctx, store.Change{Register: Register, County: o.County, Author: o.Author, Role: o.Role, Set: set})
	if err != nil {
		return c, warning, reasonOf(err)
	}
	c.Record = st.Record
	return c, warning, nil
}

// assign chooses the village of point p: by hand; else the village the
// file names when the county's records know it (matched by name, within
// the file's township when it names one), never re-assigned by nearness;
// else, when the file names a township the records know, the nearest
// village of that township; else the nearest known village. A village is
// chosen by nearness only within the maximum distance. It returns a
// warning when the point is left without a village or is far from the
// village the file names.
func assign(c *Created, p Point, o *Options) *model.Text {
	if v, ok := o.Assign[p.ID]; ok {
		c.Village = v
		return nil
	}
	limit := o.MaxDistanceM
	if limit == 0 {
		limit = DefaultMaxDistanceM
	}
	at := p.Location()
	if p.Village != "" {
		v, ok := namedVillage(o.Villages, p.Township, p.Village)
		if !ok {
			// A village of the county's places list, by its code: the
			// file's name is respected even where no record gives the
			// village a position.
			v, ok = listedVillage(o.County, p.Township, p.Village)
		}
		if ok && !v.located() {
			c.Village, c.Named = v, true
			return nil
		}
		if ok {
			c.Village, c.Named = v, true
			if d := Distance(v.At, at); limit > 0 && d > limit {
				return &model.Text{
					ZH: fmt.Sprintf("火点 %s 按文件分派到 %s，但距该村已知位置 %.1f 公里，请核实", p.ID, v.Name, d/1000),
					EN: fmt.Sprintf("fire point %s goes to %s as the file says, but it is %.1f km from the village's known position; please check", p.ID, v.Name, d/1000)}
			}
			return nil
		}
		return &model.Text{
			ZH: fmt.Sprintf("火点 %s：文件中的村“%s”不在本县记录和乡镇村名录中，未分派到村，请手动分派", p.ID, p.Village),
			EN: fmt.Sprintf("fire point %s: village %q of the file is not in this county's records nor its places list; not assigned, assign it by hand", p.ID, p.Village)}
	}
	candidates := o.Villages
	if p.Township != "" {
		var in []Village
		for _, v := range o.Villages {
			if model.PlaceName(v.Township) == p.Township || v.Township == p.Township {
				in = append(in, v)
			}
		}
		if len(in) == 0 && len(o.Villages) > 0 {
			return &model.Text{
				ZH: fmt.Sprintf("火点 %s：文件中的乡镇“%s”在本县记录中没有村，未分派到村，请手动分派", p.ID, p.Township),
				EN: fmt.Sprintf("fire point %s: township %q of the file has no village in this county's records; not assigned, assign it by hand", p.ID, p.Township)}
		}
		candidates = in
	}
	v, d, ok := Nearest(candidates, at)
	if !ok {
		return nil
	}
	if limit > 0 && d > limit {
		return &model.Text{
			ZH: fmt.Sprintf("火点 %s 距最近的已知村（%s）%.1f 公里，超过 %.0f 公里，未分派到村，请手动分派", p.ID, v.Name, d/1000, limit/1000),
			EN: fmt.Sprintf("fire point %s is %.1f km from the nearest known village (%s), more than %.0f km; not assigned, assign it by hand", p.ID, d/1000, v.Name, limit/1000)}
	}
	c.Village, c.DistanceM = v, d
	return nil
}

// namedVillage is the village called name among villages, in township
// when it is given; without a township the name must be unique. Names are
// compared as people read them (a coded village by its place name).
func namedVillage(villages []Village, township, name string) (Village, bool) {
	var found []Village
	for _, v := range villages {
		if model.PlaceName(v.Name) == name && (township == "" || model.PlaceName(v.Township) == township) {
			found = append(found, v)
		}
	}
	if len(found) != 1 {
		return Village{}, false
	}
	return found[0], true
}

// listedVillage is the village called name in the county's places list,
// in township when it names one of the county's townships; without one the
// name must be unique in the county.
func listedVillage(county, township, name string) (Village, bool) {
	p := model.DefaultPlaces()
	if p == nil {
		return Village{}, false
	}
	tc := ""
	if township != "" {
		t, ok := p.MatchName(county, township)
		if !ok {
			return Village{}, false
		}
		tc = t.Code
	}
	v, ok := p.MatchVillage(county, tc, name)
	if !ok {
		return Village{}, false
	}
	return Village{Township: v.Code[:9], Name: v.Code}, true
}

// placeCodes returns the codes of a township and village of county given
// by code or by name (village "" for none): a name is mapped to its place
// when it matches one (model.Places.MatchName); a village's township is
// the village's own. A name that matches nothing is returned as it is.
func placeCodes(county, township, village string) (string, string) {
	p := model.DefaultPlaces()
	if p == nil {
		return township, village
	}
	if township != "" && !model.IsPlaceCode(township, model.PlaceTownship) {
		if t, ok := p.MatchName(county, township); ok {
			township = t.Code
		}
	}
	if village != "" && !model.IsPlaceCode(village, model.PlaceVillage) {
		tc := ""
		if model.IsPlaceCode(township, model.PlaceTownship) {
			tc = township
		}
		if v, ok := p.MatchVillage(county, tc, village); ok {
			village = v.Code
		}
	}
	if model.IsPlaceCode(village, model.PlaceVillage) {
		township = village[:9]
	}
	return township, village
}

// villageTownship is v's township, or township when v has none.
func villageTownship(v Village, township string) string {
	if len([]rune(v.Township)) >= 2 {
		return v.Township
	}
	return township
}

// reasonOf turns a store refusal into a bilingual reason, naming fields
// by their labels.
func reasonOf(err error) *model.Text {
	if fes := model.FieldErrors(err); len(fes) > 0 {
		sc, _ := model.Lookup(Register)
		var zh, en []string
		for _, fe := range fes {
			label := model.Text{ZH: fe.Field, EN: fe.Field}
			if sc != nil {
				if f, ok := sc.FieldOrReserved(fe.Field); ok {
					label = f.Label
				}
			}
			zh = append(zh, label.ZH+"："+fe.Msg.ZH)
			en = append(en, label.EN+": "+fe.Msg.EN)
		}
		return &model.Text{ZH: strings.Join(zh, "；"), EN: strings.Join(en, "; ")}
	}
	return &model.Text{ZH: "保存失败：" + err.Error(), EN: "not saved: " + err.Error()}
}

// SensorKey maps a satellite or sensor name as platforms write it to the
// fire_point sensor option key ("other" when unknown).
func SensorKey(name string) string {
	n := strings.ToLower(strings.NewReplacer("-", "", "_", "", " ", "").Replace(name))
	switch {
	case strings.Contains(n, "terra"):
		return "terra_modis"
	case strings.Contains(n, "aqua"):
		return "aqua_modis"
	case strings.Contains(n, "noaa20"), strings.Contains(n, "jpss"), strings.Contains(n, "j1"):
		return "noaa20_viirs"
	case strings.Contains(n, "npp"), strings.Contains(n, "viirs"):
		return "npp_viirs"
	case strings.Contains(n, "fy3d"), strings.Contains(n, "风云"):
		return "fy3d"
	case strings.Contains(n, "himawari"), strings.Contains(n, "葵花"):
		return "himawari"
	}
	return "other"
}

// ExistingIDs returns the source_fire_id of every fire point of county in
// the store, deleted ones included.
func ExistingIDs(s Store, county string) (map[string]bool, error) {
	ids := map[string]bool{}
	q := store.Query{Register: Register, County: county, IncludeDeleted: true, Limit: 1000}
	for {
		page, err := s.List(q)
		if err != nil {
			return nil, fmt.Errorf("firepoint: list fire points: %w", err)
		}
		for i := range page.Records {
			if id, _ := page.Records[i].Value("source_fire_id").AsText(); id != "" {
				ids[id] = true
			}
		}
		if page.Next == "" {
			return ids, nil
		}
		q.After = page.Next
	}
}
