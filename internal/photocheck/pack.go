package photocheck

import (
	"bytes"
	"fmt"

	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/internal/photoexif"
	"github.com/lantian-tz/lantian/model"
)

// PackNotes says, for an evidence pack's report (evidence.Options), what
// each photo of record st shows of itself (time and place taken, camera,
// from its EXIF) and the doubts the checks raise about it, by SHA-256.
// Reuse on other records is not judged: a pack holds one record.
func PackNotes(st *oplog.State, photos map[string][]byte) map[string][]model.Text {
	sc, ok := model.Lookup(st.Register)
	if !ok {
		return nil
	}
	infos := map[string]photoexif.Info{}
	out := map[string][]model.Text{}
	for sha, b := range photos {
		in, err := photoexif.Read(bytes.NewReader(b))
		if err != nil {
			out[sha] = append(out[sha], model.Text{ZH: "EXIF 无法读取：" + err.Error(), EN: "EXIF unreadable: " + err.Error()})
			continue
		}
		infos[sha] = in
		if in.HasTime {
			at := in.Taken.In(model.Beijing).Format("2006-01-02 15:04")
			out[sha] = append(out[sha], model.Text{ZH: "拍摄时间 " + at, EN: "taken " + at})
		}
		if in.HasGPS {
			pos := fmt.Sprintf("%.5f, %.5f", in.Lat, in.Lon)
			out[sha] = append(out[sha], model.Text{ZH: "拍摄位置 " + pos, EN: "taken at " + pos})
		}
		if cam := trimJoin(in.Make, in.Model); cam != "" {
			out[sha] = append(out[sha], model.Text{ZH: "相机 " + cam, EN: "camera " + cam})
		}
	}
	for _, f := range Check(sc, st, infos, nil, Options{}) {
		out[f.Photo] = append(out[f.Photo], f.Text)
	}
	return out
}

func trimJoin(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + " " + b
}
