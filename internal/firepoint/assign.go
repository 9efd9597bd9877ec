package firepoint

import (
	"math"
	"sort"

	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/model"
)

// Village is a place fire points can be assigned to. Township and Name
// are the values written to the township and village fields: the places'
// codes, or free-text names kept from before places were coded. At is its
// position (zero for a village known only from the places list).
type Village struct {
	Township, Name string
	At             model.Point
}

// Label is the village's township and name as people read them.
func (v Village) Label() string {
	if v.Township == "" {
		return model.PlaceName(v.Name)
	}
	return model.PlaceName(v.Township) + " " + model.PlaceName(v.Name)
}

// located reports whether the village's position is known.
func (v Village) located() bool { return v.At != (model.Point{}) }

// earthRadius is the mean Earth radius in metres.
const earthRadius = 6371008.8

// Distance returns the great-circle distance between a and b in metres.
func Distance(a, b model.Point) float64 {
	rad := math.Pi / 180
	dLat := (b.Lat - a.Lat) * rad
	dLon := (b.Lon - a.Lon) * rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(a.Lat*rad)*math.Cos(b.Lat*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earthRadius * math.Asin(math.Min(1, math.Sqrt(h)))
}

// Nearest returns the village nearest to p and its distance in metres; ok
// is false when villages is empty. Ties go to the earlier village.
func Nearest(villages []Village, p model.Point) (v Village, metres float64, ok bool) {
	best := math.Inf(1)
	for _, c := range villages {
		if d := Distance(c.At, p); d < best {
			best, v, ok = d, c, true
		}
	}
	return v, best, ok
}

// VillagesFrom derives village positions from records: the centroid of the
// locations of each township+village pair found in states (any register
// with village and location fields, e.g. straw_grid or straw_patrol
// records). Villages are returned sorted by township, then name.
func VillagesFrom(states []oplog.State) []Village {
	type acc struct {
		lat, lon float64
		n        int
	}
	type key struct{ township, village string }
	sums := map[key]*acc{}
	for i := range states {
		st := &states[i]
		if st.Deleted {
			continue
		}
		village, _ := st.Value(model.FieldVillage).AsText()
		if village == "" {
			continue
		}
		p, err := st.Value(model.FieldLocation).AsPoint()
		if err != nil {
			continue
		}
		township, _ := st.Value(model.FieldTownship).AsText()
		k := key{township, village}
		a := sums[k]
		if a == nil {
			a = &acc{}
			sums[k] = a
		}
		a.lat += p.Lat
		a.lon += p.Lon
		a.n++
	}
	out := make([]Village, 0, len(sums))
	for k, a := range sums {
		out = append(out, Village{Township: k.township, Name: k.village,
			At: model.Point{Lat: a.lat / float64(a.n), Lon: a.lon / float64(a.n)}})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Township != out[j].Township {
			return out[i].Township < out[j].Township
		}
		return out[i].Name < out[j].Name
	})
	return out
}
