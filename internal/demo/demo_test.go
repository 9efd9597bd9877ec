package demo

import (
	"math/rand/v2"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/lantian-tz/lantian/model"
)

func installGazetteer(t testing.TB) *model.Gazetteer {
	t.Helper()
	data, err := os.ReadFile("../../assets/scope.json")
	if err != nil {
		t.Fatal(err)
	}
	g, err := model.LoadGazetteer(data)
	if err != nil {
		t.Fatal(err)
	}
	model.SetGazetteer(g)
	return g
}

func TestRecordsValidate(t *testing.T) {
	g := installGazetteer(t)
	defer model.SetGazetteer(nil)
	places := countyPlaces()
	if places == nil {
		t.Fatal("no places")
	}
	model.SetPlaces(places)
	defer model.SetPlaces(nil)
	for _, county := range []string{"130126", "110101", "610403", "410102", "370102", "140105", "120101"} {
		t.Run(county, func(t *testing.T) {
			if _, ok := g.County(county); !ok {
				t.Fatalf("county %s got missing from the gazetteer", county)
			}
			seeds := Records(rand.New(rand.NewPCG(1, uint64(len(county)))), county, 3000)
			if len(seeds) != 3000 {
				t.Fatalf("got %d records; want 3000", len(seeds))
			}
			ids := map[string]bool{}
			statuses := map[string]map[string]bool{}
			failures := 0
			for _, sd := range seeds {
				s, ok := model.Lookup(sd.Register)
				if !ok {
					t.Fatalf("register %s got unknown", sd.Register)
				}
				if ids[sd.ID] || !model.ValidRecordID(sd.ID) {
					t.Errorf("id %s got duplicate or malformed", sd.ID)
				}
				ids[sd.ID] = true
				if sd.County != county {
					t.Errorf("county got %s; want %s", sd.County, county)
				}
				r := model.Record{Register: sd.Register, County: sd.County, Fields: sd.Fields}
				if errs := s.Validate(r); errs != nil {
					if failures++; failures <= 10 {
						t.Errorf("%s (%s) got %v; want valid", sd.Register, sd.Fields[model.FieldStatus], errs)
					}
				}
				if v, ok := sd.Fields[model.FieldVillage]; ok {
					txt, _ := v.AsText()
					town, _ := sd.Fields[model.FieldTownship].AsText()
					if pl, known := places.Lookup(txt); !known || !strings.HasPrefix(txt, town) || !strings.HasPrefix(txt, county) {
						t.Errorf("village got %s (%s) in township %s; want a village code of the record's township in %s", txt, pl.Name, town, county)
					}
				}
				st, _ := sd.Fields[model.FieldStatus].AsText()
				if statuses[sd.Register] == nil {
					statuses[sd.Register] = map[string]bool{}
				}
				statuses[sd.Register][st] = true
			}
			for _, s := range model.Registers() {
				if len(statuses[s.Name]) < 2 {
					t.Errorf("register %s got statuses %v; want a spread", s.Name, statuses[s.Name])
				}
			}
			// Every reference points at a generated record.
			for _, sd := range seeds {
				s, _ := model.Lookup(sd.Register)
				for _, f := range s.Fields {
					v := sd.Fields[f.Key]
					if v.IsNull() || f.Kind != model.KindRef && f.Kind != model.KindRefList {
						continue
					}
					var refs []string
					if f.Kind == model.KindRef {
						id, _ := v.AsText()
						refs = []string{id}
					} else {
						refs, _ = v.AsList()
					}
					for _, id := range refs {
						if !ids[id] {
							t.Errorf("%s.%s got dangling ref %s", sd.Register, f.Key, id)
						}
					}
				}
			}
		})
	}
}

func TestRecordsDeterministic(t *testing.T) {
	a := Records(rand.New(rand.NewPCG(7, 7)), "130126", 200)
	b := Records(rand.New(rand.NewPCG(7, 7)), "130126", 200)
	if !reflect.DeepEqual(a, b) {
		t.Errorf("got different records for the same seed; want equal")
	}
}

func TestRecordsInCountyArea(t *testing.T) {
	for _, county := range []string{"110101", "610403"} {
		t.Run(county, func(t *testing.T) {
			c := countyCentre(county)
			for _, sd := range Records(rand.New(rand.NewPCG(3, 3)), county, 300) {
				v, ok := sd.Fields[model.FieldLocation]
				if !ok {
					continue
				}
				p, err := v.AsPoint()
				if err != nil || !model.InScopeBox(p) || model.DistanceM(p, c) > 40000 {
					t.Errorf("location got %v (%v); want within 40 km of %v", p, err, c)
				}
			}
		})
	}
}

func BenchmarkRecords(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	for b.Loop() {
		Records(rng, "130126", 1000)
	}
}
