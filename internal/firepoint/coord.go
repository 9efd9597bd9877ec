package firepoint

import (
	"errors"
	"strconv"
	"strings"
	"unicode"
)

// errCoord is returned for a coordinate that is neither decimal degrees
// nor degrees-minutes-seconds.
var errCoord = errors.New("not a coordinate")

// ParseCoord parses a longitude or latitude written as decimal degrees
// ("116.243691"), or as degrees, minutes and seconds in the forms
// platforms use: 116°14'37.289"E, 116°14′37.289″, 116度14分37.289秒,
// E116°14'37", "116 14 37.289". A trailing or leading S or W (or 南纬,
// 西经) makes the value negative.
func ParseCoord(s string) (float64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, errCoord
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return f, nil
	}
	neg := false
	// Hemisphere letters or words, at either end.
	for _, h := range []struct {
		tok string
		neg bool
	}{{"北纬", false}, {"东经", false}, {"南纬", true}, {"西经", true},
		{"N", false}, {"E", false}, {"S", true}, {"W", true},
		{"n", false}, {"e", false}, {"s", true}, {"w", true}} {
		if strings.HasPrefix(s, h.tok) {
			s, neg = strings.TrimSpace(s[len(h.tok):]), h.neg
			break
		}
		if strings.HasSuffix(s, h.tok) {
			s, neg = strings.TrimSpace(s[:len(s)-len(h.tok)]), h.neg
			break
		}
	}
	if strings.HasPrefix(s, "-") {
		neg = !neg
		s = s[1:]
	}
	// Split on anything that is not part of a number.
	parts := strings.FieldsFunc(s, func(r rune) bool {
		return !(unicode.IsDigit(r) || r == '.')
	})
	if len(parts) == 0 || len(parts) > 3 {
		return 0, errCoord
	}
	var v float64
	div := 1.0
	for i, p := range parts {
		f, err := strconv.ParseFloat(p, 64)
		if err != nil {
			return 0, errCoord
		}
		if i > 0 && f >= 60 {
			return 0, errCoord
		}
		v += f / div
		div *= 60
	}
	if neg {
		v = -v
	}
	return v, nil
}
