package model

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"sync/atomic"
)

// Province is a province-level division of the plan's scope.
type Province struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// City is a prefecture-level division, or one of the seed's separately
// listed areas. ID is its code, or its app_id when it has no official code
// (雄安新区 "130000-XIONGAN", 杨凌示范区 "610000-YANGLING").
type City struct {
	ID       string `json:"id"`
	Code     string `json:"code"` // empty for 雄安新区 and 杨凌示范区
	Name     string `json:"name"`
	Kind     string `json:"kind"`
	Province string `json:"province"` // province code
}

// County is a county-level division: the scope unit of a device.
type County struct {
	Code     string `json:"code"`
	Name     string `json:"name"`
	Type     string `json:"type"` // 区, 县, 县级市, ...
	City     string `json:"city"` // City.ID
	Province string `json:"province"`
}

// Gazetteer is the scope's provinces, cities and counties with lookups.
// It is immutable once loaded and safe for concurrent use.
type Gazetteer struct {
	provinces []Province
	cities    []City
	counties  []County
	provByID  map[string]int
	cityByID  map[string]int
	countyBy  map[string]int
}

type scopeFile struct {
	Provinces []struct {
		Code   string `json:"code"`
		Name   string `json:"name"`
		Cities []struct {
			Code     *string `json:"code"`
			AppID    string  `json:"app_id"`
			Name     string  `json:"name"`
			Kind     string  `json:"kind"`
			Counties []struct {
				Code string `json:"code"`
				Name string `json:"name"`
				Type string `json:"type"`
			} `json:"counties"`
		} `json:"cities"`
	} `json:"provinces"`
}

// LoadGazetteer decodes the scope JSON (assets.ScopeJSON). Cities without
// an official code are keyed by their app_id.
func LoadGazetteer(data []byte) (*Gazetteer, error) {
	var f scopeFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("gazetteer: %w", err)
	}
	if len(f.Provinces) == 0 {
		return nil, errors.New("gazetteer: no provinces")
	}
	g := &Gazetteer{provByID: map[string]int{}, cityByID: map[string]int{}, countyBy: map[string]int{}}
	for _, p := range f.Provinces {
		if p.Code == "" {
			return nil, fmt.Errorf("gazetteer: province %q has no code", p.Name)
		}
		g.provByID[p.Code] = len(g.provinces)
		g.provinces = append(g.provinces, Province{Code: p.Code, Name: p.Name})
		for _, c := range p.Cities {
			city := City{Name: c.Name, Kind: c.Kind, Province: p.Code}
			if c.Code != nil && *c.Code != "" {
				city.Code = *c.Code
				city.ID = *c.Code
			} else {
				city.ID = c.AppID
			}
			if city.ID == "" {
				return nil, fmt.Errorf("gazetteer: city %q has neither code nor app_id", c.Name)
			}
			if _, dup := g.cityByID[city.ID]; dup {
				return nil, fmt.Errorf("gazetteer: duplicate city %s", city.ID)
			}
			g.cityByID[city.ID] = len(g.cities)
			if c.AppID != "" && c.AppID != city.ID {
				g.cityByID[c.AppID] = len(g.cities)
			}
			g.cities = append(g.cities, city)
			for _, co := range c.Counties {
				if _, dup := g.countyBy[co.Code]; dup || co.Code == "" {
					return nil, fmt.Errorf("gazetteer: bad or duplicate county code %q (%s)", co.Code, co.Name)
				}
				g.countyBy[co.Code] = len(g.counties)
				g.counties = append(g.counties, County{Code: co.Code, Name: co.Name, Type: co.Type, City: city.ID, Province: p.Code})
			}
		}
	}
	return g, nil
}

// County returns the county with the given code.
func (g *Gazetteer) County(code string) (County, bool) {
	i, ok := g.countyBy[code]
	if !ok {
		return County{}, false
	}
	return g.counties[i], true
}

// City returns the city with the given code or app_id.
func (g *Gazetteer) City(id string) (City, bool) {
	i, ok := g.cityByID[id]
	if !ok {
		return City{}, false
	}
	return g.cities[i], true
}

// Province returns the province with the given code.
func (g *Gazetteer) Province(code string) (Province, bool) {
	i, ok := g.provByID[code]
	if !ok {
		return Province{}, false
	}
	return g.provinces[i], true
}

// Provinces returns all provinces in file order.
func (g *Gazetteer) Provinces() []Province { return append([]Province(nil), g.provinces...) }

// Cities returns all cities in file order.
func (g *Gazetteer) Cities() []City { return append([]City(nil), g.cities...) }

// Counties returns all counties in file order.
func (g *Gazetteer) Counties() []County { return append([]County(nil), g.counties...) }

// CityOf returns the city a county belongs to.
func (g *Gazetteer) CityOf(county string) (City, bool) {
	c, ok := g.County(county)
	if !ok {
		return City{}, false
	}
	return g.City(c.City)
}

// ProvinceOf returns the province a county belongs to.
func (g *Gazetteer) ProvinceOf(county string) (Province, bool) {
	c, ok := g.County(county)
	if !ok {
		return Province{}, false
	}
	return g.Province(c.Province)
}

// CountiesOf returns the counties of a province, or of a city when the code
// is a city id, sorted by code.
func (g *Gazetteer) CountiesOf(code string) []County {
	var out []County
	for _, c := range g.counties {
		if c.Province == code || c.City == code {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}

// Scope bounding box (INF, registers.md §0): 32.5–41.5°N × 105.5–120.5°E.
const (
	ScopeMinLat = 32.5
	ScopeMaxLat = 41.5
	ScopeMinLon = 105.5
	ScopeMaxLon = 120.5
)

// InScopeBox reports whether p lies inside the scope's coarse bounding box.
func InScopeBox(p Point) bool {
	return p.Lat >= ScopeMinLat && p.Lat <= ScopeMaxLat && p.Lon >= ScopeMinLon && p.Lon <= ScopeMaxLon
}

var defaultGazetteer atomic.Pointer[Gazetteer]

// SetGazetteer installs the gazetteer that Validate, ValidateValue and
// ParseInput use for county codes (Record.County and county fields). Until
// it is called, county codes are checked for shape only (six digits, or an
// app_id such as 130000-XIONGAN); the store still checks scope.
func SetGazetteer(g *Gazetteer) { defaultGazetteer.Store(g) }

// DefaultGazetteer returns the gazetteer installed by SetGazetteer, or nil.
func DefaultGazetteer() *Gazetteer { return defaultGazetteer.Load() }
