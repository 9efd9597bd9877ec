// Package photoexif reads what a photo says about itself: when it was
// taken, where, and with which camera, from its EXIF block. It never
// changes the photo; a photo without EXIF (a PNG, a stripped JPEG) reads
// as an Info with nothing set.
//
// The decoding is github.com/rwcarlsen/goexif's: it has no dependencies
// of its own and reads a JPEG only up to its EXIF segment. It does not
// name EXIF 2.31's OffsetTimeOriginal, which a parser here adds.
package photoexif

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/rwcarlsen/goexif/exif"
	"github.com/rwcarlsen/goexif/tiff"

	"github.com/lantian-tz/lantian/model"
)

// HeadSize is how much of a photo Read looks at: EXIF sits in the JPEG's
// APP1 segment right after its start (at most 64 KiB), so the first
// 128 KiB hold it.
const HeadSize = 128 << 10

// Info is what a photo's EXIF says. The zero Info is a photo that says
// nothing.
type Info struct {
	// Taken is DateTimeOriginal, in its OffsetTimeOriginal when the
	// camera wrote one, else read as Beijing time.
	Taken   time.Time
	HasTime bool
	// Lat and Lon are the GPS position in degrees (WGS 84 as cameras
	// write it).
	Lat, Lon float64
	HasGPS   bool
	// Make and Model name the camera.
	Make, Model string
}

// Point is the photo's position.
func (i Info) Point() model.Point { return model.Point{Lat: i.Lat, Lon: i.Lon} }

// Empty reports whether the photo said nothing.
func (i Info) Empty() bool { return !i.HasTime && !i.HasGPS && i.Make == "" && i.Model == "" }

// Read reads the EXIF of the photo in r, looking at its first HeadSize
// bytes only. A photo without EXIF is the zero Info and no error; an error
// means an EXIF block was there but could not be read (what was readable
// is still returned), and never stops a photo being attached.
func Read(r io.Reader) (Info, error) {
	x, err := exif.Decode(io.LimitReader(r, HeadSize))
	if x == nil {
		if noEXIF(err) {
			return Info{}, nil
		}
		return Info{}, fmt.Errorf("photoexif: %w", err)
	}
	var in Info
	in.Make = str(x, exif.Make)
	in.Model = str(x, exif.Model)
	if s := str(x, exif.DateTimeOriginal); s != "" {
		loc := model.Beijing
		if off, ok := offset(str(x, offsetTimeOriginal)); ok {
			loc = off
		}
		if t, perr := time.ParseInLocation("2006:01:02 15:04:05", s, loc); perr == nil {
			in.Taken, in.HasTime = t, true
		}
	}
	if lat, lon, gerr := x.LatLong(); gerr == nil && validPos(lat, lon) {
		in.Lat, in.Lon, in.HasGPS = lat, lon, true
	}
	if err != nil {
		return in, fmt.Errorf("photoexif: %w", err)
	}
	return in, nil
}

// noEXIF reports whether Decode's error says there is no EXIF block (as
// opposed to a broken one).
func noEXIF(err error) bool {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return true
	}
	s := err.Error()
	return strings.Contains(s, "exif intro marker") || strings.Contains(s, "4 byte header")
}

// validPos rejects positions out of range and the 0,0 some cameras write
// when they have no fix.
func validPos(lat, lon float64) bool {
	if math.IsNaN(lat) || math.IsNaN(lon) || math.Abs(lat) > 90 || math.Abs(lon) > 180 {
		return false
	}
	return lat != 0 || lon != 0
}

// str returns an ASCII tag's text, "" when absent.
func str(x *exif.Exif, name exif.FieldName) string {
	t, err := x.Get(name)
	if err != nil || t.Format() != tiff.StringVal {
		return ""
	}
	s, err := t.StringVal()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(strings.TrimRight(s, "\x00"))
}

// offset parses an EXIF 2.31 offset ("+08:00").
func offset(s string) (*time.Location, bool) {
	t, err := time.Parse("-07:00", s)
	if err != nil {
		return nil, false
	}
	_, off := t.Zone()
	return time.FixedZone("", off), true
}

// offsetTimeOriginal is EXIF 2.31's tag 0x9011, which the library does not
// name; offsetParser loads it from the Exif sub-IFD.
const offsetTimeOriginal exif.FieldName = "OffsetTimeOriginal"

type offsetParser struct{}

func (offsetParser) Parse(x *exif.Exif) error {
	tag, err := x.Get(exif.ExifIFDPointer)
	if err != nil {
		return nil
	}
	off, err := tag.Int64(0)
	if err != nil {
		return nil
	}
	r := bytes.NewReader(x.Raw)
	if _, err := r.Seek(off, io.SeekStart); err != nil {
		return nil
	}
	d, _, err := tiff.DecodeDir(r, x.Tiff.Order)
	if err != nil {
		return nil
	}
	x.LoadTags(d, map[uint16]exif.FieldName{0x9011: offsetTimeOriginal}, false)
	return nil
}

func init() { exif.RegisterParsers(offsetParser{}) }

// Cache reads photos' EXIF by content hash, once each: a blob's content
// never changes, so neither does its Info.
type Cache struct {
	open func(sha string) (io.ReadCloser, error)
	mu   sync.Mutex
	m    map[string]Info
}

// maxCached bounds the cache (an Info is about 100 bytes).
const maxCached = 200_000

// NewCache returns a cache reading blobs with open (store.OpenBlob).
func NewCache(open func(sha string) (io.ReadCloser, error)) *Cache {
	return &Cache{open: open, m: map[string]Info{}}
}

// Get returns the Info of blob sha; ok is false when the blob is not on
// this device (not yet downloaded), which is not remembered.
func (c *Cache) Get(sha string) (in Info, ok bool) {
	c.mu.Lock()
	in, ok = c.m[sha]
	c.mu.Unlock()
	if ok {
		return in, true
	}
	rc, err := c.open(sha)
	if err != nil {
		return Info{}, false
	}
	in, _ = Read(rc) // a broken EXIF block says what it could
	rc.Close()
	c.mu.Lock()
	if len(c.m) >= maxCached {
		clear(c.m)
	}
	c.m[sha] = in
	c.mu.Unlock()
	return in, true
}
