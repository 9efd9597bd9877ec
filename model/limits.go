package model

// Data tables for derived values and proposed (INF) thresholds. They are
// kept here, apart from the schemas, so that a province's own figures can
// replace them without touching validation code.

// PigEquivalentPerHead is the GB 18596-2001 pig-equivalent of one animal of
// each species (30 layers = 60 broilers = 1 pig; 1 dairy cow = 10 pigs;
// 1 beef cattle = 5 pigs; 3 sheep = 1 pig). Species not listed have none.
var PigEquivalentPerHead = map[string]float64{
	"pig":     1,
	"layer":   1.0 / 30,
	"broiler": 1.0 / 60,
	"dairy":   10,
	"beef":    5,
	"sheep":   1.0 / 3,
}

// PigEquivalent returns the pig-equivalent of n animals of species, rounded
// to 0.1; ok is false for species without a ratio.
func PigEquivalent(species string, n int64) (float64, bool) {
	f, ok := PigEquivalentPerHead[species]
	if !ok {
		return 0, false
	}
	return float64(int64(float64(n)*f*10+0.5)) / 10, true
}

// ScaleThreshold is the first pollution census's 规模化 threshold for a
// species, counted on stock (存栏) or annual output (出栏). Provinces set
// their own; these are the defaults.
type ScaleThreshold struct {
	Count    int64
	OnOutput bool // counted on annual output rather than stock
}

// ScaleThresholds are the census thresholds (registers.md §3).
var ScaleThresholds = map[string]ScaleThreshold{
	"pig":     {Count: 500, OnOutput: true},
	"dairy":   {Count: 100},
	"beef":    {Count: 200, OnOutput: true},
	"layer":   {Count: 20000},
	"broiler": {Count: 50000, OnOutput: true},
}

// FenceLineLimits are GB 14554-93 fence-line limits by limit class and
// parameter: NH₃ and H₂S in mg/m³, odour concentration dimensionless. The
// H₂S values are from the standard's table as commonly reproduced and are
// not re-verified here (INF).
var FenceLineLimits = map[string]map[string]float64{
	"ammonia": {"class1": 1.0, "class2_new": 1.5, "class2_existing": 2.0, "class3_new": 4.0, "class3_existing": 5.0},
	"h2s":     {"class1": 0.03, "class2_new": 0.06, "class2_existing": 0.10, "class3_new": 0.32, "class3_existing": 0.60},
	"odour":   {"class1": 10, "class2_new": 20, "class2_existing": 30, "class3_new": 60, "class3_existing": 70},
}

// DustPM10Rule is a province's rule for judging a construction site's
// hourly PM10 against the county's (Hebei DB13/2934-2019 by default).
type DustPM10Rule struct {
	CountyCap  float64 // the county value is capped at this (μg/m³)
	Limit      float64 // excess above this is an exceedance (μg/m³)
	MaxPerDay  int     // a day with more exceedances fails
	PointsRule func(areaM2 float64) int
}

// DustRule is the rule in force (Hebei's; other provinces not verified).
var DustRule = DustPM10Rule{CountyCap: 150, Limit: 80, MaxPerDay: 2, PointsRule: HebeiMonitorPoints}

// HebeiMonitorPoints is the number of monitoring points DB13/2934 requires
// for a site area: < 5000 m² → 1; < 10000 → 2; ≤ 100000 → 4; then one more
// per further 100000 m².
func HebeiMonitorPoints(area float64) int {
	switch {
	case area < 5000:
		return 1
	case area < 10000:
		return 2
	case area <= 100000:
		return 4
	}
	extra := int((area - 100000 + 99999) / 100000)
	return 4 + extra
}

// DustfallCityLimit is the seed's city monthly dust-fall limit,
// t/(km²·month).
const DustfallCityLimit = 7.0

// DustfallWarn flags a single point's monthly dust fall above this.
const DustfallWarn = 30.0

// BareGroundStaleDays flags a bare-ground record not updated for longer.
const BareGroundStaleDays = 35
