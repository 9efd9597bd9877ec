package dashboard

import (
	"strings"
	"time"

	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/model"
)

// text returns a text value's string; plain strings (no escapes, the
// common case) are sliced out without decoding JSON.
func text(st *oplog.State, key string) string {
	v := st.Value(key)
	if n := len(v); n >= 2 && v[0] == '"' && v[n-1] == '"' && !strings.ContainsRune(string(v[1:n-1]), '\\') {
		return string(v[1 : n-1])
	}
	s, _ := v.AsText()
	return s
}

func integer(st *oplog.State, key string) (int64, bool) {
	n, err := st.Value(key).AsInt()
	return n, err == nil
}

func decimal(st *oplog.State, key string) (float64, bool) {
	f, err := st.Value(key).AsDecimal()
	return f, err == nil
}

func boolean(st *oplog.State, key string) bool {
	b, _ := st.Value(key).AsBool()
	return b
}

func status(st *oplog.State) string { return text(st, model.FieldStatus) }

// when parses a date or datetime field (Beijing time); ok false when the
// field is empty or malformed.
func when(st *oplog.State, key string) (time.Time, bool) {
	s := text(st, key)
	if s == "" {
		return time.Time{}, false
	}
	for _, l := range []string{model.LayoutDateTime, model.LayoutDate} {
		if t, err := time.ParseInLocation(l, s, model.Beijing); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// monthOf returns the YYYY-MM month of t in Beijing time.
func monthOf(t time.Time) string { return t.In(model.Beijing).Format("2006-01") }

// monthRange returns the first instant of month and of the next month.
func monthRange(month string) (time.Time, time.Time, bool) {
	t, err := time.ParseInLocation("2006-01", month, model.Beijing)
	if err != nil {
		return time.Time{}, time.Time{}, false
	}
	return t, t.AddDate(0, 1, 0), true
}
