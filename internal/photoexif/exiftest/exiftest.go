// Package exiftest makes JPEG photos with a chosen EXIF block for tests.
package exiftest

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"time"
)

// Photo says what the EXIF of a made photo holds.
type Photo struct {
	Taken    time.Time // DateTimeOriginal (zero: none)
	Offset   bool      // also write OffsetTimeOriginal
	Lat, Lon float64
	GPS      bool
	Make     string
	Model    string
	// Size pads the JPEG to about this many bytes (0: a small picture).
	Size int
	// Seed changes the picture's pixels, so photos differ in content.
	Seed byte
}

// JPEG returns a JPEG with p's EXIF (no EXIF block when p sets nothing).
func JPEG(p Photo) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 32, 24))
	for y := 0; y < 24; y++ {
		for x := 0; x < 32; x++ {
			img.Set(x, y, color.RGBA{uint8(x * 8), uint8(y * 10), p.Seed, 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		panic(err)
	}
	raw := b.Bytes()
	var out bytes.Buffer
	out.Write(raw[:2]) // SOI
	if t := tiffBlock(p); t != nil {
		seg := append([]byte("Exif\x00\x00"), t...)
		out.Write([]byte{0xFF, 0xE1})
		binary.Write(&out, binary.BigEndian, uint16(len(seg)+2))
		out.Write(seg)
	}
	if p.Size > out.Len()+len(raw) {
		// A COM segment run standing in for a big picture's scan data.
		left := p.Size - out.Len() - len(raw)
		for left > 4 {
			n := min(left-4, 65533)
			out.Write([]byte{0xFF, 0xFE})
			binary.Write(&out, binary.BigEndian, uint16(n+2))
			chunk := make([]byte, n)
			for i := range chunk {
				chunk[i] = byte(i*31) + p.Seed
			}
			out.Write(chunk)
			left -= n + 4
		}
	}
	out.Write(raw[2:])
	return out.Bytes()
}

type entry struct {
	tag, typ uint16
	count    uint32
	data     []byte // the value's bytes; a pointer entry has ptr set
	ptr      *[]entry
}

const (
	typASCII    = 2
	typLong     = 4
	typRational = 5
)

func ascii(tag uint16, s string) entry {
	return entry{tag: tag, typ: typASCII, count: uint32(len(s) + 1), data: append([]byte(s), 0)}
}

func degrees(tag uint16, v float64) entry {
	v = math.Abs(v)
	d := math.Floor(v)
	m := math.Floor((v - d) * 60)
	s := ((v-d)*60 - m) * 60
	var b bytes.Buffer
	for _, r := range [][2]uint32{{uint32(d), 1}, {uint32(m), 1}, {uint32(math.Round(s * 10000)), 10000}} {
		binary.Write(&b, binary.BigEndian, r)
	}
	return entry{tag: tag, typ: typRational, count: 3, data: b.Bytes()}
}

// tiffBlock lays out IFD0 (make, model, pointers), the Exif IFD and the
// GPS IFD, big-endian.
func tiffBlock(p Photo) []byte {
	var ifd0, exifIFD, gps []entry
	if p.Make != "" {
		ifd0 = append(ifd0, ascii(0x010F, p.Make))
	}
	if p.Model != "" {
		ifd0 = append(ifd0, ascii(0x0110, p.Model))
	}
	if !p.Taken.IsZero() {
		exifIFD = append(exifIFD, ascii(0x9003, p.Taken.Format("2006:01:02 15:04:05")))
		if p.Offset {
			exifIFD = append(exifIFD, ascii(0x9011, p.Taken.Format("-07:00")))
		}
	}
	if p.GPS {
		ns, ew := "N", "E"
		if p.Lat < 0 {
			ns = "S"
		}
		if p.Lon < 0 {
			ew = "W"
		}
		gps = append(gps, ascii(0x0001, ns), degrees(0x0002, p.Lat), ascii(0x0003, ew), degrees(0x0004, p.Lon))
	}
	if len(exifIFD) > 0 {
		ifd0 = append(ifd0, entry{tag: 0x8769, typ: typLong, count: 1, ptr: &exifIFD})
	}
	if len(gps) > 0 {
		ifd0 = append(ifd0, entry{tag: 0x8825, typ: typLong, count: 1, ptr: &gps})
	}
	if len(ifd0) == 0 {
		return nil
	}
	size := func(es []entry) int {
		n := 2 + 12*len(es) + 4
		for _, e := range es {
			if len(e.data) > 4 {
				n += (len(e.data) + 1) &^ 1
			}
		}
		return n
	}
	// IFD0 at 8, then the Exif IFD, then the GPS IFD.
	offs := map[*[]entry]int{}
	at := 8 + size(ifd0)
	for _, sub := range []*[]entry{&exifIFD, &gps} {
		if len(*sub) > 0 {
			offs[sub] = at
			at += size(*sub)
		}
	}
	var out bytes.Buffer
	out.WriteString("MM\x00*")
	binary.Write(&out, binary.BigEndian, uint32(8))
	write := func(es []entry, start int) {
		data := start + 2 + 12*len(es) + 4
		var tail bytes.Buffer
		binary.Write(&out, binary.BigEndian, uint16(len(es)))
		for _, e := range es {
			binary.Write(&out, binary.BigEndian, e.tag)
			binary.Write(&out, binary.BigEndian, e.typ)
			binary.Write(&out, binary.BigEndian, e.count)
			switch {
			case e.ptr != nil:
				binary.Write(&out, binary.BigEndian, uint32(offs[e.ptr]))
			case len(e.data) <= 4:
				v := make([]byte, 4)
				copy(v, e.data)
				out.Write(v)
			default:
				binary.Write(&out, binary.BigEndian, uint32(data+tail.Len()))
				tail.Write(e.data)
				if len(e.data)%2 == 1 {
					tail.WriteByte(0)
				}
			}
		}
		binary.Write(&out, binary.BigEndian, uint32(0))
		out.Write(tail.Bytes())
	}
	write(ifd0, 8)
	for _, sub := range []*[]entry{&exifIFD, &gps} {
		if len(*sub) > 0 {
			write(*sub, offs[sub])
		}
	}
	return out.Bytes()
}
