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
	// Villages are the candidates for assignment to the nearest village.
	Villages []Village
	// Assign assigns fire ids by hand; it overrides the nearest village.
	Assign map[string]Village
	// MaxDistanceM, when positive, leaves a point unassigned when the
	// nearest village is farther away.
	MaxDistanceM float64
	// Progress, when not nil, is called after each point.
	Progress func(done, total int)
	// Logger receives one line per import; slog.Default() when nil.
	Logger *slog.Logger
}

// Created is a fire point record made by Import.
type Created struct {
	FireID  string
	Record  uuid.UUID
	Line    int
	Village Village // zero when not assigned to a village
	// DistanceM is the distance to the assigned village (0 by hand).
	DistanceM float64
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
}

// Import creates a fire_point record for each point that is not yet in the
// store (same source_fire_id, deleted records included), assigning each to
// a village: by hand (Options.Assign), else the nearest of
// Options.Villages. The pushed township is the file's township column,
// else the assigned village's township; the village and its township are
// written to the village and township fields, the distance to an
// automatically assigned village is noted in remarks. A point the store
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
			c, reason := create(ctx, s, p, &o)
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

// create appends one fire point; a non-nil reason says why it failed.
func create(ctx context.Context, s Store, p Point, o *Options) (Created, *model.Text) {
	c := Created{FireID: p.ID, Line: p.Line}
	if v, ok := o.Assign[p.ID]; ok {
		c.Village = v
	} else if v, d, ok := Nearest(o.Villages, p.Location()); ok && (o.MaxDistanceM <= 0 || d <= o.MaxDistanceM) {
		c.Village, c.DistanceM = v, d
	}
	township := p.Township
	if township == "" {
		township = c.Village.Township
	}
	if len([]rune(township)) < 2 {
		return c, &model.Text{ZH: "无法确定所属乡镇（文件无乡镇列且没有可分派的村）",
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
		"pushed_township": model.Str(township),
		"due_at":          model.DateTimeValue(o.Now.Add(o.Due)),
	}
	if strings.HasPrefix(o.Source, "satellite") {
		set["sensor"] = model.Str(SensorKey(p.Satellite))
	}
	if c.Village.Name != "" {
		set[model.FieldVillage] = model.Str(c.Village.Name)
		set[model.FieldTownship] = model.Str(villageTownship(c.Village, township))
	}
	if len(remarks) > 0 {
		set[model.FieldRemarks] = model.Str(strings.Join(remarks, "；"))
	}
	st, err := s.Append(ctx, store.Change{Register: Register, County: o.County, Author: o.Author, Role: o.Role, Set: set})
	if err != nil {
		return c, reasonOf(err)
	}
	c.Record = st.Record
	return c, nil
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
