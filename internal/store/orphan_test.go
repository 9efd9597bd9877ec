package store

import (
	"context"
	"crypto/ed25519"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/hlc"
	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/model"
)

// An op that leaves created_by out does not make a record: a grid device
// that writes a fire point's check fields to a new id gets no fire point
// listed anywhere (grid staff may not create fire points). The same kind
// of op for a record whose creation arrives later (an edit received
// before the record, through a bundle) is listed once the creation is in.
func TestOpWithoutCreationMakesNoRecord(t *testing.T) {
	ctx := context.Background()
	s := openMem(t)
	pub, priv, _ := ed25519.GenerateKey(nil)
	dev := uuid.Must(uuid.NewV7())
	if err := s.RegisterDeviceAs(dev, pub, "grid tablet", Enrolled{Role: model.RoleGrid, County: testCounty, Province: "130000"}); err != nil {
		t.Fatal(err)
	}
	seq := uint64(0)
	var prev oplog.Hash
	edit := func(rec uuid.UUID) oplog.Op {
		seq++
		op := oplog.Op{Device: dev, Seq: seq, HLC: hlc.Make(time.Now().UnixMilli(), 0), Record: rec, Register: "fire_point", County: testCounty,
			Author: "网格员", Set: map[string]model.Value{"verify_note": model.Str("现场查看为大棚反光，无焚烧痕迹")}, Prev: prev}
		op.Sign(priv)
		prev = op.Hash()
		return op
	}
	phantom := uuid.Must(uuid.NewV7())
	if _, err := s.Apply(ctx, []oplog.Op{edit(phantom)}); err != nil {
		t.Fatalf("apply the phantom edit: %v", err)
	}
	if n, _ := s.Count(Query{Register: "fire_point"}); n != 0 {
		t.Fatalf("%d fire points listed after an op that created none; want 0", n)
	}

	// The county's fire point, with a grid edit that arrives first.
	county := openMem(t)
	introduce(t, county, s)
	fp, err := county.Append(ctx, Change{Register: "fire_point", County: testCounty, Author: "县局", Role: model.RoleCounty,
		Set: map[string]model.Value{"source_fire_id": model.Str("JS20231120-0001"), "source": model.Str("satellite_mee"), "sensor": model.Str("npp_viirs"),
			"detected_at": model.Str("2023-11-20T08:00+08:00"), "pushed_at": model.Str("2023-11-20T09:00+08:00"),
			"pushed_location": model.GPS(model.Point{Lat: 38.3, Lon: 114.4}), "pushed_county": model.Str(testCounty),
			"pushed_township": model.Str("城关镇"), "due_at": model.Str("2023-11-21T09:00+08:00")}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Apply(ctx, []oplog.Op{edit(fp.Record)}); err != nil {
		t.Fatalf("apply the early edit: %v", err)
	}
	if n, _ := s.Count(Query{Register: "fire_point"}); n != 0 {
		t.Fatalf("%d fire points listed before the creation arrived; want 0", n)
	}
	if _, err := s.Apply(ctx, allOps(t, county)); err != nil {
		t.Fatalf("apply the creation: %v", err)
	}
	page, err := s.List(Query{Register: "fire_point"})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Records) != 1 || page.Records[0].Record != fp.Record {
		t.Fatalf("listed %d fire points; want the county's one", len(page.Records))
	}
	if got := page.Records[0].Value("verify_note"); got.IsNull() {
		t.Error("the early edit was lost once the creation arrived")
	}
}
