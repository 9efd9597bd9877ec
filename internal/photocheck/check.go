// Package photocheck decides which of a record's photos a reviewer
// should doubt: taken too long before or after the check, too far from
// the record's position, without a time or position in their EXIF, or the
// very same photo (same SHA-256) attached to another record. It is the one
// place these rules live; the record screen, the review queue and the
// exports all show what Check returns. It needs no store, so the server
// and offline tools use it too; internal/evidencecheck adds the index of
// photos attached to several records, kept from a device store.
package photocheck

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/internal/photoexif"
	"github.com/lantian-tz/lantian/model"
)

// Kind names what is doubtful about a photo.
type Kind string

// The kinds of flag.
const (
	TimeOff Kind = "time_off" // taken more than MaxHours from the check time
	FarAway Kind = "far_away" // taken more than MaxMetres from the record's position
	NoTime  Kind = "no_time"  // no time taken in its EXIF
	NoGPS   Kind = "no_gps"   // no position in its EXIF
	Reused  Kind = "reused"   // the same bytes are attached to another record
)

// Options are the thresholds of the checks; zero values take the defaults.
type Options struct {
	MaxHours  float64 // default 24
	MaxMetres float64 // default 500
}

// Default thresholds.
const (
	DefaultMaxHours  = 24
	DefaultMaxMetres = 500
)

func (o Options) withDefaults() Options {
	if o.MaxHours <= 0 {
		o.MaxHours = DefaultMaxHours
	}
	if o.MaxMetres <= 0 {
		o.MaxMetres = DefaultMaxMetres
	}
	return o
}

// Flag is one doubt about one photo.
type Flag struct {
	Kind Kind
	// Field is the photos field, Index the photo's place in it (from 0)
	// and Photo its SHA-256.
	Field string
	Index int
	Photo string
	// Text says it in a sentence; Short in a few words (queue, exports).
	Text, Short model.Text
	// Others are the other records the photo is attached to (Reused).
	Others []uuid.UUID
}

// Reuse maps a photo's SHA-256 to the records it is attached to, for the
// photos attached to more than one record.
type Reuse map[string][]uuid.UUID

// Photo is one photo of a record.
type Photo struct {
	Field string
	Index int
	SHA   string
}

// Photos returns the photos of record st, field by field in schema order.
func Photos(sc *model.Schema, st *oplog.State) []Photo {
	var out []Photo
	for i := range sc.Fields {
		f := &sc.Fields[i]
		if f.Kind != model.KindPhotos {
			continue
		}
		l, _ := st.Value(f.Key).AsList()
		for j, sha := range l {
			out = append(out, Photo{Field: f.Key, Index: j, SHA: sha})
		}
	}
	return out
}

// HasPhotos reports whether register sc has a photos field.
func HasPhotos(sc *model.Schema) bool {
	for i := range sc.Fields {
		if sc.Fields[i].Kind == model.KindPhotos {
			return true
		}
	}
	return false
}

// Check returns the flags of record st's photos. photos holds the EXIF of
// the photos this device has (a photo missing from it is not yet
// downloaded: only reuse is checked for it); reuse is the index of photos
// attached to more than one record (nil: not checked).
func Check(sc *model.Schema, st *oplog.State, photos map[string]photoexif.Info, reuse Reuse, o Options) []Flag {
	o = o.withDefaults()
	var flags []Flag
	from, to, timeLabel, hasWhen := checkTime(sc, st)
	where := positions(sc, st)
	for _, p := range Photos(sc, st) {
		fl := Flag{Field: p.Field, Index: p.Index, Photo: p.SHA}
		which := photoName(sc, p)
		add := func(k Kind, text, short model.Text) {
			f := fl
			f.Kind, f.Text, f.Short = k, text, short
			flags = append(flags, f)
		}
		if in, ok := photos[p.SHA]; ok {
			switch {
			case !in.HasTime:
				add(NoTime, model.Text{ZH: which.ZH + "无拍摄时间（EXIF）", EN: which.EN + " has no time taken (EXIF)"},
					model.Text{ZH: "无拍摄时间", EN: "no time taken"})
			case hasWhen:
				var off time.Duration
				if in.Taken.Before(from) {
					off = from.Sub(in.Taken)
				} else if in.Taken.After(to) {
					off = in.Taken.Sub(to)
				}
				if h := off.Hours(); h > o.MaxHours {
					taken := in.Taken.In(model.Beijing).Format("2006-01-02 15:04")
					add(TimeOff, model.Text{
						ZH: fmt.Sprintf("%s拍摄于 %s，与%s相差 %s 小时（超过 %s 小时）", which.ZH, taken, timeLabel.ZH, num(h), num(o.MaxHours)),
						EN: fmt.Sprintf("%s was taken %s, %s h from the %s (over %s h)", which.EN, taken, num(h), strings.ToLower(timeLabel.EN), num(o.MaxHours)),
					}, model.Text{ZH: "拍摄时间相差" + num(h) + "小时", EN: "taken " + num(h) + " h off"})
				}
			}
			switch {
			case !in.HasGPS:
				add(NoGPS, model.Text{ZH: which.ZH + "无拍摄位置（EXIF）", EN: which.EN + " has no position (EXIF)"},
					model.Text{ZH: "无拍摄位置", EN: "no position"})
			case len(where) > 0:
				d := math.Inf(1)
				for _, w := range where {
					d = min(d, model.DistanceM(w, in.Point()))
				}
				if d > o.MaxMetres {
					add(FarAway, model.Text{
						ZH: fmt.Sprintf("%s拍摄位置距记录位置 %s（超过 %s）", which.ZH, metres(d), metres(o.MaxMetres)),
						EN: fmt.Sprintf("%s was taken %s from the record's position (over %s)", which.EN, metres(d), metres(o.MaxMetres)),
					}, model.Text{ZH: "拍摄位置相距" + metres(d), EN: "taken " + metres(d) + " away"})
				}
			}
		}
		if recs := reuse[p.SHA]; len(recs) > 0 {
			var others []uuid.UUID
			for _, r := range recs {
				if r != st.Record {
					others = append(others, r)
				}
			}
			if len(others) > 0 {
				f := fl
				f.Kind, f.Others = Reused, others
				f.Text = model.Text{ZH: fmt.Sprintf("%s（同一文件）还附在另外 %d 条记录中", which.ZH, len(others)),
					EN: fmt.Sprintf("%s (the same file) is also attached to %d other record(s)", which.EN, len(others))}
				f.Short = model.Text{ZH: "照片重复使用", EN: "photo reused"}
				flags = append(flags, f)
			}
		}
	}
	return flags
}

// Summary is the flags' short texts in lang, joined, the same text once.
func Summary(flags []Flag, lang string) string {
	var parts []string
	seen := map[string]bool{}
	for _, f := range flags {
		s := f.Short.In(lang)
		if !seen[s] {
			seen[s] = true
			parts = append(parts, s)
		}
	}
	sep := "；"
	if len(lang) >= 2 && lang[:2] == "en" {
		sep = "; "
	}
	return strings.Join(parts, sep)
}

// photoName names a photo in a sentence: "现场照片第 2 张".
func photoName(sc *model.Schema, p Photo) model.Text {
	label := model.Text{ZH: "照片", EN: "Photos"}
	if f, ok := sc.Field(p.Field); ok {
		label = f.Label
	}
	return model.Text{ZH: fmt.Sprintf("%s第 %d 张", label.ZH, p.Index+1), EN: fmt.Sprintf("%s #%d", label.EN, p.Index+1)}
}

// checkTime is when the check the photos show was made: a fire point's
// arrival on site, a patrol's start to end, a site inspection's time, and
// for other registers the record's entry time.
func checkTime(sc *model.Schema, st *oplog.State) (from, to time.Time, label model.Text, ok bool) {
	at := func(key string) (time.Time, bool) {
		s, _ := st.Value(key).AsText()
		t, err := time.Parse(model.LayoutDateTime, s)
		return t, err == nil
	}
	fieldLabel := func(key string) model.Text {
		if f, ok := sc.FieldOrReserved(key); ok {
			return f.Label
		}
		return model.Text{ZH: key, EN: key}
	}
	switch sc.Name {
	case "fire_point":
		t, ok := at("arrived_at")
		return t, t, fieldLabel("arrived_at"), ok
	case "straw_patrol":
		a, oka := at("start_at")
		b, okb := at("end_at")
		if oka && okb && !b.Before(a) {
			return a, b, model.Text{ZH: "巡查时间", EN: "Patrol time"}, true
		}
		if oka {
			return a, a, fieldLabel("start_at"), true
		}
		return time.Time{}, time.Time{}, model.Text{}, false
	case "site_inspection":
		t, ok := at("inspected_at")
		return t, t, fieldLabel("inspected_at"), ok
	}
	label = model.Text{ZH: "录入时间", EN: "Entry time"}
	if t, ok := at(model.FieldCreatedAt); ok {
		return t, t, label, true
	}
	if st.Created != 0 {
		t := st.Created.Time()
		return t, t, label, true
	}
	return time.Time{}, time.Time{}, model.Text{}, false
}

// positions are where the record says the check was made: a fire point's
// position on site, else the record's location field, else its first GPS
// field, else the points of its GPS lists (a patrol's track and findings:
// a photo near any of them is near).
func positions(sc *model.Schema, st *oplog.State) []model.Point {
	point := func(key string) []model.Point {
		if p, err := st.Value(key).AsPoint(); err == nil {
			return []model.Point{p}
		}
		return nil
	}
	if sc.Name == "fire_point" {
		return point("verified_location")
	}
	if _, ok := sc.Field(model.FieldLocation); ok {
		return point(model.FieldLocation)
	}
	for i := range sc.Fields {
		if sc.Fields[i].Kind == model.KindGPS {
			return point(sc.Fields[i].Key)
		}
	}
	var out []model.Point
	for i := range sc.Fields {
		if sc.Fields[i].Kind == model.KindGPSList {
			if ps, err := st.Value(sc.Fields[i].Key).AsPoints(); err == nil {
				out = append(out, ps...)
			}
		}
	}
	return out
}

func num(x float64) string {
	if x >= 10 {
		return fmt.Sprintf("%.0f", x)
	}
	return fmt.Sprintf("%.1f", x)
}

func metres(m float64) string {
	if m >= 1000 {
		return fmt.Sprintf("%.1f km", m/1000)
	}
	return fmt.Sprintf("%.0f m", m)
}
