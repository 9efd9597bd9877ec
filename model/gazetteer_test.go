package model

import (
	"os"
	"testing"
)

func loadTestGazetteer(t *testing.T) *Gazetteer {
	t.Helper()
	data, err := os.ReadFile("../assets/scope.json")
	if err != nil {
		t.Fatal(err)
	}
	g, err := LoadGazetteer(data)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestGazetteerCounts(t *testing.T) {
	g := loadTestGazetteer(t)
	for _, c := range []struct {
		name      string
		got, want int
	}{
		{"provinces", len(g.Provinces()), 7},
		{"cities", len(g.Cities()), 56},
		{"counties", len(g.Counties()), 548},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.got != c.want {
				t.Errorf("got %v; want %v", c.got, c.want)
			}
		})
	}
}

func TestGazetteerLookups(t *testing.T) {
	g := loadTestGazetteer(t)
	t.Run("county", func(t *testing.T) {
		c, ok := g.County("110101")
		if !ok || c.Name != "东城区" || c.Province != "110000" {
			t.Errorf("got %+v %v; want 东城区 in 110000", c, ok)
		}
	})
	t.Run("xiongan app_id", func(t *testing.T) {
		c, ok := g.City("130000-XIONGAN")
		if !ok || c.Name != "雄安新区" || c.Code != "" || c.Province != "130000" {
			t.Errorf("got %+v %v; want 雄安新区 without code in 130000", c, ok)
		}
		cs := g.CountiesOf("130000-XIONGAN")
		if len(cs) != 3 {
			t.Errorf("got %d counties; want 3 (容城, 安新, 雄县)", len(cs))
		}
		for _, co := range cs {
			city, ok := g.CityOf(co.Code)
			if !ok || city.ID != "130000-XIONGAN" {
				t.Errorf("CityOf(%s) got %+v; want 雄安新区", co.Code, city)
			}
		}
	})
	t.Run("yangling app_id", func(t *testing.T) {
		c, ok := g.City("610000-YANGLING")
		if !ok || c.Name != "杨凌示范区" {
			t.Errorf("got %+v %v; want 杨凌示范区", c, ok)
		}
	})
	t.Run("province of county", func(t *testing.T) {
		p, ok := g.ProvinceOf("610403")
		if !ok || p.Name != "陕西省" {
			t.Errorf("got %+v %v; want 陕西省", p, ok)
		}
	})
	t.Run("counties of province", func(t *testing.T) {
		n := 0
		for _, p := range g.Provinces() {
			n += len(g.CountiesOf(p.Code))
		}
		if n != 548 {
			t.Errorf("got %d; want 548", n)
		}
	})
	t.Run("unknown", func(t *testing.T) {
		if _, ok := g.County("999999"); ok {
			t.Errorf("got found; want not found")
		}
	})
}

func TestInScopeBox(t *testing.T) {
	for _, c := range []struct {
		name string
		p    Point
		want bool
	}{
		{"beijing", Point{Lat: 39.9, Lon: 116.4}, true},
		{"xian", Point{Lat: 34.3, Lon: 108.9}, true},
		{"swapped", Point{Lat: 116.4, Lon: 39.9}, false},
		{"shanghai", Point{Lat: 31.2, Lon: 121.5}, false},
		{"corner", Point{Lat: 32.5, Lon: 120.5}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := InScopeBox(c.p); got != c.want {
				t.Errorf("got %v; want %v", got, c.want)
			}
		})
	}
}
