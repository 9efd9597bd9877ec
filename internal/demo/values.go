package demo

import (
	"encoding/hex"
	"math/rand/v2"
	"time"

	"github.com/lantian-tz/lantian/model"
)

// season is the start of the demo period: the 2023–2024 autumn-winter
// campaign.
var season = time.Date(2023, 10, 1, 0, 0, 0, 0, model.Beijing)

func day(r *rand.Rand, from, span int) time.Time {
	return season.AddDate(0, 0, from+r.IntN(span))
}

func at(t time.Time, r *rand.Rand, fromHour, spanHours int) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), fromHour+r.IntN(spanHours), r.IntN(60), 0, 0, model.Beijing)
}

func date(t time.Time) model.Value { return model.Str(t.Format(model.LayoutDate)) }

// photos returns n placeholder SHA-256 ids (no blob exists for them).
func photos(r *rand.Rand, n int) model.Value {
	out := make([]string, n)
	var b [32]byte
	for i := range out {
		for j := 0; j < 32; j += 8 {
			x := r.Uint64()
			for k := 0; k < 8; k++ {
				b[j+k] = byte(x >> (8 * k))
			}
		}
		out[i] = hex.EncodeToString(b[:])
	}
	return model.List(out...)
}

// recordID returns a UUIDv7-shaped id from r (timestamp bits from the
// demo season), so generated records can reference each other.
func recordID(r *rand.Rand, seq int) string {
	var b [16]byte
	ms := uint64(season.UnixMilli()) + uint64(seq)
	for i := 0; i < 6; i++ {
		b[i] = byte(ms >> (8 * (5 - i)))
	}
	x, y := r.Uint64(), r.Uint64()
	for i := 6; i < 16; i++ {
		if i < 11 {
			b[i] = byte(x >> (8 * (i - 6)))
		} else {
			b[i] = byte(y >> (8 * (i - 11)))
		}
	}
	b[6] = b[6]&0x0f | 0x70
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// provinceCentres are rough centres of the scope's provinces' farmland,
// keyed by the county code's first two digits.
var provinceCentres = map[string]model.Point{
	"11": {Lat: 40.10, Lon: 116.60},
	"12": {Lat: 39.20, Lon: 117.30},
	"13": {Lat: 38.30, Lon: 115.40},
	"14": {Lat: 37.60, Lon: 112.50},
	"37": {Lat: 36.40, Lon: 117.80},
	"41": {Lat: 34.60, Lon: 114.00},
	"61": {Lat: 34.40, Lon: 108.80},
}

// countyCentre places a county near its province's centre, offset by a
// hash of its code so that counties differ.
func countyCentre(county string) model.Point {
	c, ok := provinceCentres[county[:min(2, len(county))]]
	if !ok {
		c = provinceCentres["13"]
	}
	h := uint32(2166136261)
	for i := 0; i < len(county); i++ {
		h = (h ^ uint32(county[i])) * 16777619
	}
	c.Lat += (float64(h%1000)/1000 - 0.5) * 1.2
	c.Lon += (float64(h/1000%1000)/1000 - 0.5) * 1.6
	return c
}

// near returns a point within about spread degrees of c, with a fix
// accuracy of 3–30 m, inside the scope box.
func near(r *rand.Rand, c model.Point, spread float64) model.Point {
	p := model.Point{
		Lat: c.Lat + (r.Float64()-0.5)*2*spread,
		Lon: c.Lon + (r.Float64()-0.5)*2*spread,
		Acc: float64(3 + r.IntN(28)),
	}
	p.Lat = max(model.ScopeMinLat+0.01, min(model.ScopeMaxLat-0.01, p.Lat))
	p.Lon = max(model.ScopeMinLon+0.01, min(model.ScopeMaxLon-0.01, p.Lon))
	return p
}

// round1 rounds to one decimal.
func round1(x float64) float64 { return float64(int64(x*10+0.5)) / 10 }

// optionKey returns a random option key of field key of s.
func optionKey(r *rand.Rand, s *model.Schema, key string) string {
	f, ok := s.Field(key)
	if !ok || len(f.Options) == 0 {
		panic("demo: no options for " + s.Name + "." + key)
	}
	return f.Options[r.IntN(len(f.Options))].Key
}

// Today is the demo's "today": the day after the last generated patrol
// and fire point (mid-December 2023), so screens that look back from
// today (the dashboard's month and last four weeks, export ranges) find
// the demo records.
func Today() time.Time { return time.Date(2023, 12, 16, 9, 0, 0, 0, model.Beijing) }
