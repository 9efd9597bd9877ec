package photocheck

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/internal/photoexif"
	"github.com/lantian-tz/lantian/model"
)

var (
	arrived = time.Date(2023, 11, 20, 10, 0, 0, 0, model.Beijing)
	site    = model.Point{Lat: 38.3, Lon: 114.38}
	photoA  = strings.Repeat("a1", 32)
)

func state(register string, fields map[string]model.Value) *oplog.State {
	st := &oplog.State{Record: uuid.New(), Register: register, County: "130126", Fields: map[string]oplog.FieldState{}}
	for k, v := range fields {
		st.Fields[k] = oplog.FieldState{Value: v}
	}
	return st
}

// north returns the point m metres north of p.
func north(p model.Point, m float64) model.Point {
	p.Lat += m / 111195
	return p
}

func TestCheck(t *testing.T) {
	fire := func() *oplog.State {
		return state("fire_point", map[string]model.Value{
			"arrived_at":        model.Str(arrived.Format(model.LayoutDateTime)),
			"verified_location": model.GPS(site),
			"verify_photos":     model.List(photoA),
		})
	}
	good := photoexif.Info{Taken: arrived.Add(10 * time.Minute), HasTime: true, Lat: site.Lat, Lon: site.Lon, HasGPS: true}
	with := func(f func(*photoexif.Info)) photoexif.Info { in := good; f(&in); return in }
	other := uuid.New()
	cases := []struct {
		name   string
		st     *oplog.State
		info   *photoexif.Info // nil: blob not on this device
		reuse  func(st *oplog.State) Reuse
		opts   Options
		want   []Kind
		shortZ string
	}{
		{name: "taken on site at arrival", st: fire(), info: &good},
		{name: "23.9 h before arrival", st: fire(), info: ptr(with(func(i *photoexif.Info) { i.Taken = arrived.Add(-23*time.Hour - 54*time.Minute) }))},
		{name: "25 h before arrival", st: fire(), info: ptr(with(func(i *photoexif.Info) { i.Taken = arrived.Add(-25 * time.Hour) })),
			want: []Kind{TimeOff}, shortZ: "拍摄时间相差25小时"},
		{name: "30 h after arrival", st: fire(), info: ptr(with(func(i *photoexif.Info) { i.Taken = arrived.Add(30 * time.Hour) })), want: []Kind{TimeOff}},
		{name: "30 h after, threshold 48 h", st: fire(), info: ptr(with(func(i *photoexif.Info) { i.Taken = arrived.Add(30 * time.Hour) })), opts: Options{MaxHours: 48}},
		{name: "490 m away", st: fire(), info: ptr(with(func(i *photoexif.Info) { p := north(site, 490); i.Lat, i.Lon = p.Lat, p.Lon }))},
		{name: "1.2 km away", st: fire(), info: ptr(with(func(i *photoexif.Info) { p := north(site, 1200); i.Lat, i.Lon = p.Lat, p.Lon })),
			want: []Kind{FarAway}, shortZ: "拍摄位置相距1.2 km"},
		{name: "1.2 km away, threshold 2 km", st: fire(), info: ptr(with(func(i *photoexif.Info) { p := north(site, 1200); i.Lat, i.Lon = p.Lat, p.Lon })), opts: Options{MaxMetres: 2000}},
		{name: "no EXIF", st: fire(), info: &photoexif.Info{}, want: []Kind{NoTime, NoGPS}, shortZ: "无拍摄时间；无拍摄位置"},
		{name: "no time", st: fire(), info: ptr(with(func(i *photoexif.Info) { i.HasTime = false })), want: []Kind{NoTime}},
		{name: "no position", st: fire(), info: ptr(with(func(i *photoexif.Info) { i.HasGPS = false })), want: []Kind{NoGPS}},
		{name: "far in time and place", st: fire(), info: ptr(with(func(i *photoexif.Info) {
			i.Taken = arrived.Add(-72 * time.Hour)
			p := north(site, 5000)
			i.Lat, i.Lon = p.Lat, p.Lon
		})), want: []Kind{TimeOff, FarAway}},
		{name: "blob not downloaded", st: fire()},
		{name: "not arrived yet: no time check", st: state("fire_point", map[string]model.Value{"verify_photos": model.List(photoA)}),
			info: ptr(with(func(i *photoexif.Info) { i.Taken = arrived.Add(-100 * time.Hour); i.Lat += 1 }))},
		{name: "reused in another record", st: fire(), info: &good,
			reuse: func(st *oplog.State) Reuse { return Reuse{photoA: {st.Record, other}} }, want: []Kind{Reused}, shortZ: "照片重复使用"},
		{name: "reuse index naming only this record", st: fire(), info: &good,
			reuse: func(st *oplog.State) Reuse { return Reuse{photoA: {st.Record}} }},
		{name: "reused, not downloaded", st: fire(),
			reuse: func(st *oplog.State) Reuse { return Reuse{photoA: {other, st.Record}} }, want: []Kind{Reused}},
		{name: "patrol: taken within start..end", st: patrol(), info: ptr(with(func(i *photoexif.Info) { i.Taken = arrived.Add(5 * time.Hour) }))},
		{name: "patrol: 25 h after end", st: patrol(), info: ptr(with(func(i *photoexif.Info) { i.Taken = arrived.Add(6*time.Hour + 25*time.Hour) })), want: []Kind{TimeOff}},
		{name: "patrol: near a track point", st: patrol(), info: ptr(with(func(i *photoexif.Info) { p := north(site, 3000); i.Lat, i.Lon = p.Lat, p.Lon }))},
		{name: "patrol: far from the track", st: patrol(), info: ptr(with(func(i *photoexif.Info) { p := north(site, -3000); i.Lat, i.Lon = p.Lat, p.Lon })), want: []Kind{FarAway}},
		{name: "inspection: 2 days after", st: state("site_inspection", map[string]model.Value{
			"inspected_at": model.Str(arrived.Format(model.LayoutDateTime)), "issue_photos": model.List(photoA)}),
			info: ptr(with(func(i *photoexif.Info) { i.Taken = arrived.Add(48 * time.Hour) })), want: []Kind{TimeOff}},
		{name: "livestock farm: entry time and location", st: state("livestock_farm", map[string]model.Value{
			model.FieldCreatedAt: model.Str(arrived.Format(model.LayoutDateTime)), model.FieldLocation: model.GPS(site), "photos": model.List(photoA)}),
			info: ptr(with(func(i *photoexif.Info) {
				i.Taken = arrived.Add(-48 * time.Hour)
				p := north(site, 800)
				i.Lat, i.Lon = p.Lat, p.Lon
			})),
			want: []Kind{TimeOff, FarAway}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sc, ok := model.Lookup(c.st.Register)
			if !ok {
				t.Fatalf("no register %s", c.st.Register)
			}
			photos := map[string]photoexif.Info{}
			if c.info != nil {
				photos[photoA] = *c.info
			}
			var reuse Reuse
			if c.reuse != nil {
				reuse = c.reuse(c.st)
			}
			flags := Check(sc, c.st, photos, reuse, c.opts)
			var got []Kind
			for _, f := range flags {
				got = append(got, f.Kind)
				if f.Photo != photoA || f.Text.ZH == "" || f.Text.EN == "" || f.Short.ZH == "" || f.Short.EN == "" {
					t.Errorf("flag %+v: want photo %s and texts in both languages", f, photoA)
				}
				if f.Kind == Reused && !slices.Equal(f.Others, []uuid.UUID{other}) {
					t.Errorf("reused flag names %v; want %v", f.Others, other)
				}
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("flags %v; want %v (%v)", got, c.want, flags)
			}
			if c.shortZ != "" {
				if s := Summary(flags, "zh"); s != c.shortZ {
					t.Errorf("summary %q; want %q", s, c.shortZ)
				}
			}
		})
	}
}

// patrol is a patrol from 10:00 to 16:00 with a track north of site.
func patrol() *oplog.State {
	return state("straw_patrol", map[string]model.Value{
		"start_at": model.Str(arrived.Format(model.LayoutDateTime)),
		"end_at":   model.Str(arrived.Add(6 * time.Hour).Format(model.LayoutDateTime)),
		"track":    model.GPSList(site, north(site, 1500), north(site, 3000)),
		"photos":   model.List(photoA),
	})
}

func ptr(in photoexif.Info) *photoexif.Info { return &in }
