package firepoint

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/model"
)

// checkedStatuses are the fire_point statuses of a point checked on site.
var checkedStatuses = []string{model.FireVerified, model.FireReturned, model.FireHandled, model.FireReviewed, model.FireReported}

// Track is the verification clock of one fire point.
type Track struct {
	Record   uuid.UUID
	FireID   string
	Township string
	Status   string
	Detected time.Time
	Pushed   time.Time
	Due      time.Time
	// Arrived is when the verifiers reached the site (zero until then).
	Arrived time.Time
}

// TrackOf reads the clock of a fire_point record.
func TrackOf(st *oplog.State) Track {
	tm := func(key string) time.Time {
		s, _ := st.Value(key).AsText()
		t, err := time.ParseInLocation(model.LayoutDateTime, s, model.Beijing)
		if err != nil {
			return time.Time{}
		}
		return t
	}
	txt := func(key string) string { s, _ := st.Value(key).AsText(); return s }
	return Track{
		Record:   st.Record,
		FireID:   txt("source_fire_id"),
		Township: txt("pushed_township"),
		Status:   txt(model.FieldStatus),
		Detected: tm("detected_at"),
		Pushed:   tm("pushed_at"),
		Due:      tm("due_at"),
		Arrived:  tm("arrived_at"),
	}
}

// Checked reports whether the point has been checked on site.
func (t Track) Checked() bool { return slices.Contains(checkedStatuses, t.Status) }

// TimeToVerify returns the time from push to arrival on site; ok is false
// until the point is checked.
func (t Track) TimeToVerify() (time.Duration, bool) {
	if !t.Checked() || t.Arrived.IsZero() || t.Pushed.IsZero() {
		return 0, false
	}
	return t.Arrived.Sub(t.Pushed), true
}

// Overdue reports whether the point is not checked and its due time has
// passed at now (逾期).
func (t Track) Overdue(now time.Time) bool {
	return !t.Checked() && t.Status != model.StatusVoid && !t.Due.IsZero() && now.After(t.Due)
}

// Late reports whether the point was checked after its due time.
func (t Track) Late() bool {
	return t.Checked() && !t.Arrived.IsZero() && !t.Due.IsZero() && t.Arrived.After(t.Due)
}

// Open returns the tracks of every fire point of county that is not closed
// (not reported, not void), most urgent (earliest due) first.
func Open(s Store, county string) ([]Track, error) {
	var out []Track
	q := store.Query{Register: Register, County: county, Limit: 1000}
	for {
		page, err := s.List(q)
		if err != nil {
			return nil, fmt.Errorf("firepoint: list fire points: %w", err)
		}
		for i := range page.Records {
			t := TrackOf(&page.Records[i])
			if t.Status != model.FireReported && t.Status != model.StatusVoid {
				out = append(out, t)
			}
		}
		if page.Next == "" {
			break
		}
		q.After = page.Next
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Due.Equal(out[j].Due) {
			return out[i].Due.Before(out[j].Due)
		}
		return out[i].FireID < out[j].FireID
	})
	return out, nil
}

// ErrNotReviewed: Close was called on a fire point the county has not
// reviewed yet.
var ErrNotReviewed = errors.New("火点尚未审核，不能销号上报 / fire point is not reviewed yet")

// Close closes a reviewed fire point by reporting it upward (已审核 →
// 已上报), a county or province move.
func Close(ctx context.Context, s Store, id uuid.UUID, author string, role model.Role) (oplog.State, error) {
	st, err := s.Get(id)
	if err != nil {
		return oplog.State{}, fmt.Errorf("firepoint: %w", err)
	}
	if t := TrackOf(&st); t.Status != model.FireReviewed {
		return oplog.State{}, fmt.Errorf("firepoint: close %s in %q: %w", id, t.Status, ErrNotReviewed)
	}
	out, err := s.Append(ctx, store.Change{Record: id, Author: author, Role: role,
		Set: map[string]model.Value{model.FieldStatus: model.Str(model.FireReported)}})
	if err != nil {
		return oplog.State{}, fmt.Errorf("firepoint: close %s: %w", id, err)
	}
	return out, nil
}

// SetDue changes the check deadline of a fire point (the county's call).
func SetDue(ctx context.Context, s Store, id uuid.UUID, due time.Time, author string, role model.Role) (oplog.State, error) {
	out, err := s.Append(ctx, store.Change{Record: id, Author: author, Role: role,
		Set: map[string]model.Value{"due_at": model.DateTimeValue(due)}})
	if err != nil {
		return oplog.State{}, fmt.Errorf("firepoint: set due of %s: %w", id, err)
	}
	return out, nil
}

// Assign assigns a fire point to a village by hand: the village is
// written to the village field and the village's township to the township
// and pushed township fields. Remarks of an earlier assignment (the
// distance to an automatically assigned village, or the village noted in
// remarks by older versions) are dropped; other remarks are kept.
func Assign(ctx context.Context, s Store, id uuid.UUID, v Village, author string, role model.Role) (oplog.State, error) {
	st, err := s.Get(id)
	if err != nil {
		return oplog.State{}, fmt.Errorf("firepoint: %w", err)
	}
	township := v.Township
	if len([]rune(township)) < 2 {
		township, _ = st.Value("pushed_township").AsText()
	}
	township, village := placeCodes(st.County, township, v.Name)
	set := map[string]model.Value{model.FieldVillage: model.Str(village)}
	if township != "" {
		set[model.FieldTownship] = model.Str(township)
		if len([]rune(v.Township)) >= 2 || model.IsPlaceCode(village, model.PlaceVillage) {
			set["pushed_township"] = model.Str(model.PlaceName(township))
		}
	}
	remarks, _ := st.Value(model.FieldRemarks).AsText()
	var keep []string
	for _, part := range strings.Split(remarks, "；") {
		if part != "" && !strings.HasPrefix(part, legacyAssignPrefix) && !strings.HasPrefix(part, distanceNote) {
			keep = append(keep, part)
		}
	}
	if kept := strings.Join(keep, "；"); kept != remarks {
		if kept == "" {
			set[model.FieldRemarks] = model.Null
		} else {
			set[model.FieldRemarks] = model.Str(kept)
		}
	}
	out, err := s.Append(ctx, store.Change{Record: id, Author: author, Role: role, Set: set})
	if err != nil {
		return oplog.State{}, fmt.Errorf("firepoint: assign %s: %w", id, err)
	}
	return out, nil
}

// AssignedVillage returns the village a fire point was assigned to: its
// village field, else (records imported before fire_point had one) the
// village noted in its remarks; "" when none.
func AssignedVillage(st *oplog.State) string {
	if v, _ := st.Value(model.FieldVillage).AsText(); v != "" {
		return v
	}
	remarks, _ := st.Value(model.FieldRemarks).AsText()
	for _, part := range strings.Split(remarks, "；") {
		if rest, ok := strings.CutPrefix(part, legacyAssignPrefix); ok {
			if i := strings.Index(rest, "（"); i >= 0 {
				rest = rest[:i]
			}
			return rest
		}
	}
	return ""
}
