package review

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/model"
)

// PatrolFirePoints is the patrol field that links the fire points its
// findings registered.
const PatrolFirePoints = "fire_point_ids"

// patrolFirePoints registers the fire points of a straw patrol that found
// fires or burn scars, when it is approved without any: one fire point
// per finding location, source 巡查发现, linked to the patrol, due for a
// check 24 hours after the approval. Grid staff, who patrol, may not
// create fire points; the county's approval does. It returns the list
// of their ids to link from the patrol, or model.Null when the record is
// not such a patrol (or already links fire points, or fields sets them).
func patrolFirePoints(ctx context.Context, s Store, id uuid.UUID, fields map[string]model.Value, reviewer string, role model.Role, now time.Time) (model.Value, error) {
	st, err := s.Get(id)
	if err != nil || st.Register != "straw_patrol" {
		return model.Null, err
	}
	if _, ok := fields[PatrolFirePoints]; ok || !st.Value(PatrolFirePoints).IsNull() {
		return model.Null, nil
	}
	fire, _ := st.Value("fire_found").AsBool()
	scar, _ := st.Value("scar_found").AsBool()
	if !fire && !scar {
		return model.Null, nil
	}
	points, err := st.Value("finding_locations").AsPoints()
	if err != nil || len(points) == 0 {
		return model.Null, nil // the approval names the missing locations
	}
	township, _ := st.Value(model.FieldTownship).AsText()
	if len([]rune(township)) < 2 {
		township = "未填乡镇"
	}
	detected := st.Value("start_at")
	if detected.IsNull() {
		detected = model.DateTimeValue(now)
	}
	no, _ := st.Value(model.FieldRecordNo).AsText()
	if no == "" {
		no = id.String()[:8]
	}
	var ids []string
	for i, p := range points {
		set := map[string]model.Value{
			"source_fire_id":  model.Str(fmt.Sprintf("XC-%s-%d", no, i+1)),
			"source":          model.Str("patrol"),
			"detected_at":     detected,
			"pushed_at":       model.DateTimeValue(now),
			"pushed_location": model.GPS(p),
			"pushed_county":   model.Str(st.County),
			"pushed_township": model.Str(township),
			"due_at":          model.DateTimeValue(now.Add(24 * time.Hour)),
			"patrol":          model.Str(id.String()),
		}
		for _, k := range []string{model.FieldTownship, model.FieldVillage} {
			if v := st.Value(k); !v.IsNull() {
				set[k] = v
			}
		}
		fp, err := s.Append(ctx, store.Change{Register: "fire_point", County: st.County, Author: reviewer, Role: role, Now: now, Set: set})
		if err != nil {
			return model.Null, fmt.Errorf("fire point %d of the patrol: %w", i+1, err)
		}
		ids = append(ids, fp.Record.String())
	}
	return model.List(ids...), nil
}
