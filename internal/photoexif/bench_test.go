package photoexif_test

import (
	"bytes"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/lantian-tz/lantian/internal/photoexif"
	"github.com/lantian-tz/lantian/internal/photoexif/exiftest"
	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/model"
)

// fiveMB is a 5 MB JPEG with time, GPS and camera in its EXIF.
var fiveMB = exiftest.JPEG(exiftest.Photo{Taken: time.Date(2023, 11, 20, 10, 3, 0, 0, model.Beijing),
	Lat: 38.3, Lon: 114.38, GPS: true, Make: "HUAWEI", Model: "ELS-AN00", Size: 5 << 20})

// BenchmarkRead5MB reads the EXIF of a 5 MB photo.
func BenchmarkRead5MB(b *testing.B) {
	for b.Loop() {
		if in, err := photoexif.Read(bytes.NewReader(fiveMB)); err != nil || !in.HasGPS {
			b.Fatal(in, err)
		}
	}
}

// BenchmarkAttach5MB is attaching a 5 MB photo: the blob written (hashed,
// fsynced) to an on-disk store, then its EXIF read back from the blob as
// the evidence checks do.
func BenchmarkAttach5MB(b *testing.B) {
	s, err := store.Open(store.Options{Dir: b.TempDir(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	buf := bytes.Clone(fiveMB)
	i := 0
	for b.Loop() {
		i++
		buf[len(buf)-3] = byte(i) // a new photo each time (another SHA-256)
		buf[len(buf)-4] = byte(i >> 8)
		sha, err := s.PutBlob(bytes.NewReader(buf))
		if err != nil {
			b.Fatal(err)
		}
		rc, err := s.OpenBlob(sha)
		if err != nil {
			b.Fatal(err)
		}
		in, err := photoexif.Read(rc)
		rc.Close()
		if err != nil || !in.HasTime {
			b.Fatal(in, err)
		}
	}
}
