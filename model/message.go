package model

import (
	"fmt"
	"strings"
)

// msg builds a bilingual text. When args holds twice as many values as the
// formats have verbs, the first half formats the Chinese and the second
// half the English (so labels can be passed in each language); otherwise
// both formats take all args.
func msg(zh, en string, args ...any) Text {
	n := countVerbs(zh)
	if n > 0 && len(args) == 2*n && countVerbs(en) == n {
		return Text{ZH: fmt.Sprintf(zh, args[:n]...), EN: fmt.Sprintf(en, args[n:]...)}
	}
	za, ea := args, args
	return Text{ZH: fmt.Sprintf(zh, za...), EN: fmt.Sprintf(en, ea...)}
}

// countVerbs counts printf verbs (not %%) in a format.
func countVerbs(f string) int {
	n := 0
	for i := strings.IndexByte(f, '%'); i >= 0 && i+1 < len(f); {
		if f[i+1] == '%' {
			i += 2
		} else {
			n++
			i++
		}
		j := strings.IndexByte(f[i:], '%')
		if j < 0 {
			break
		}
		i += j
	}
	return n
}

// ferr returns a FieldError for field key.
func ferr(key string, t Text) *FieldError { return &FieldError{Field: key, Msg: t} }

func msgUnknownField(key string) Text { return msg("未知字段 %s", "unknown field %s", key) }
