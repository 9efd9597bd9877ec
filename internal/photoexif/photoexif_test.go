package photoexif_test

import (
	"bytes"
	"errors"
	"image"
	"image/png"
	"io"
	"math"
	"testing"
	"time"

	"github.com/lantian-tz/lantian/internal/photoexif"
	"github.com/lantian-tz/lantian/internal/photoexif/exiftest"
	"github.com/lantian-tz/lantian/model"
)

func TestRead(t *testing.T) {
	taken := time.Date(2023, 11, 20, 10, 3, 0, 0, model.Beijing)
	utc := time.Date(2023, 11, 20, 2, 3, 0, 0, time.UTC)
	var pngBuf bytes.Buffer
	if err := png.Encode(&pngBuf, image.NewGray(image.Rect(0, 0, 4, 4))); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		file []byte
		want photoexif.Info
	}{
		{"time and GPS", exiftest.JPEG(exiftest.Photo{Taken: taken, Lat: 38.3012, Lon: 114.3825, GPS: true, Make: "HUAWEI", Model: "ELS-AN00"}),
			photoexif.Info{Taken: taken, HasTime: true, Lat: 38.3012, Lon: 114.3825, HasGPS: true, Make: "HUAWEI", Model: "ELS-AN00"}},
		{"time only", exiftest.JPEG(exiftest.Photo{Taken: taken, Make: "Xiaomi"}),
			photoexif.Info{Taken: taken, HasTime: true, Make: "Xiaomi"}},
		{"time with offset", exiftest.JPEG(exiftest.Photo{Taken: utc, Offset: true}),
			photoexif.Info{Taken: utc, HasTime: true}},
		{"southern western GPS only", exiftest.JPEG(exiftest.Photo{Lat: -33.5, Lon: -70.25, GPS: true}),
			photoexif.Info{Lat: -33.5, Lon: -70.25, HasGPS: true}},
		{"no EXIF", exiftest.JPEG(exiftest.Photo{}), photoexif.Info{}},
		{"no EXIF, large", exiftest.JPEG(exiftest.Photo{Size: 1 << 20}), photoexif.Info{}},
		{"PNG", pngBuf.Bytes(), photoexif.Info{}},
		{"empty file", nil, photoexif.Info{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := photoexif.Read(bytes.NewReader(c.file))
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if !got.Taken.Equal(c.want.Taken) || got.HasTime != c.want.HasTime || got.HasGPS != c.want.HasGPS ||
				math.Abs(got.Lat-c.want.Lat) > 1e-6 || math.Abs(got.Lon-c.want.Lon) > 1e-6 ||
				got.Make != c.want.Make || got.Model != c.want.Model {
				t.Errorf("got %+v; want %+v", got, c.want)
			}
			if c.want.HasTime {
				if _, off := got.Taken.Zone(); c.name == "time only" && off != 8*3600 {
					t.Errorf("time without offset in zone offset %d; want Beijing", off)
				}
			}
		})
	}
}

// A photo whose EXIF sits past the first HeadSize bytes is not read:
// reading stays cheap however large the photo.
func TestReadLooksAtHeadOnly(t *testing.T) {
	body := exiftest.JPEG(exiftest.Photo{Taken: time.Date(2023, 1, 2, 3, 4, 5, 0, model.Beijing)})
	r := &countingReader{r: bytes.NewReader(append(body, make([]byte, 4<<20)...))}
	if _, err := photoexif.Read(r); err != nil {
		t.Fatal(err)
	}
	if r.n > photoexif.HeadSize {
		t.Errorf("read %d bytes; want at most %d", r.n, photoexif.HeadSize)
	}
}

type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

func TestCache(t *testing.T) {
	photo := exiftest.JPEG(exiftest.Photo{Taken: time.Date(2023, 1, 2, 3, 4, 5, 0, model.Beijing)})
	opens := 0
	c := photoexif.NewCache(func(sha string) (io.ReadCloser, error) {
		opens++
		if sha == "missing" {
			return nil, errors.New("not found")
		}
		return io.NopCloser(bytes.NewReader(photo)), nil
	})
	for range 3 {
		if in, ok := c.Get("a"); !ok || !in.HasTime {
			t.Fatalf("Get(a) = %+v, %v", in, ok)
		}
	}
	if _, ok := c.Get("missing"); ok {
		t.Error("missing blob reported as read")
	}
	c.Get("missing")
	if opens != 3 {
		t.Errorf("%d opens; want 3 (one for a, two for the missing blob)", opens)
	}
}
