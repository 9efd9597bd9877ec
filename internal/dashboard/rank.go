package dashboard

import "sort"

// Ranked is one place of a ranking.
type Ranked struct {
	Name  string
	Value float64
	// Rank from 1; equal values share a rank and the next rank skips
	// (1, 2, 2, 4): standard competition ranking, as dustfall rankings
	// are published.
	Rank int
}

// Rank orders values ascending (lowest dustfall first) and ranks them;
// equal values share a rank. Names break ties in the order only.
func Rank(values map[string]float64) []Ranked {
	out := make([]Ranked, 0, len(values))
	for n, v := range values {
		out = append(out, Ranked{Name: n, Value: v})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Value != out[j].Value {
			return out[i].Value < out[j].Value
		}
		return out[i].Name < out[j].Name
	})
	for i := range out {
		if i > 0 && out[i].Value == out[i-1].Value {
			out[i].Rank = out[i-1].Rank
		} else {
			out[i].Rank = i + 1
		}
	}
	return out
}
