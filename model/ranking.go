package model

import (
	"slices"
	"sort"
)

// RankAscending ranks keys by value, smallest first; equal values share a
// rank and the next rank skips (1, 2, 2, 4), as the dust-fall rankings do.
func RankAscending(values map[string]float64) map[string]int {
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if values[keys[i]] != values[keys[j]] {
			return values[keys[i]] < values[keys[j]]
		}
		return keys[i] < keys[j]
	})
	out := make(map[string]int, len(keys))
	for i, k := range keys {
		if i > 0 && values[k] == values[keys[i-1]] {
			out[k] = out[keys[i-1]]
		} else {
			out[k] = i + 1
		}
	}
	return out
}

// DustfallReading is one point's monthly result as the county value needs
// it.
type DustfallReading struct {
	Control bool    // 对照点
	Valid   bool    // the sample was valid
	Value   float64 // t/(km²·30d)
}

// DustfallCountyMean is the county's monthly dust fall: the mean of the
// valid regular points (control points excluded; INF). ok is false when
// there is none.
func DustfallCountyMean(readings []DustfallReading) (mean float64, ok bool) {
	n := 0
	for _, r := range readings {
		if r.Valid && !r.Control {
			mean += r.Value
			n++
		}
	}
	if n == 0 {
		return 0, false
	}
	return mean / float64(n), true
}

// DustfallCityExceeds reports whether a city's mean of county values is
// above DustfallCityLimit.
func DustfallCityExceeds(countyMeans []float64) bool {
	if len(countyMeans) == 0 {
		return false
	}
	sum := 0.0
	for _, v := range countyMeans {
		sum += v
	}
	return sum/float64(len(countyMeans)) > DustfallCityLimit
}

// DustDayFails reports whether a site's day fails under DustRule: more
// than MaxPerDay hourly exceedances.
func DustDayFails(hourlyExceeds []bool) bool {
	return len(slices.DeleteFunc(slices.Clone(hourlyExceeds), func(b bool) bool { return !b })) > DustRule.MaxPerDay
}
