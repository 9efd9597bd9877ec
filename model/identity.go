package model

import "strings"

// ValidIDCard reports whether s is an 18-character resident identity card
// number (GB 11643) with a correct ISO 7064 MOD 11-2 check character and a
// plausible birth date. A lower-case x is accepted.
func ValidIDCard(s string) bool {
	if len(s) != 18 {
		return false
	}
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := 0; i < 17; i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return false
		}
		sum += int(c-'0') * weights[i]
	}
	const checks = "10X98765432"
	last := s[17]
	if last == 'x' {
		last = 'X'
	}
	if checks[sum%11] != last {
		return false
	}
	month := int(s[10]-'0')*10 + int(s[11]-'0')
	day := int(s[12]-'0')*10 + int(s[13]-'0')
	year := int(s[6]-'0')*1000 + int(s[7]-'0')*100 + int(s[8]-'0')*10 + int(s[9]-'0')
	return year >= 1900 && month >= 1 && month <= 12 && day >= 1 && day <= 31
}

// usccChars is the GB 32100 character set in value order (no I, O, S, V, Z).
const usccChars = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// ValidUSCC reports whether s is an 18-character unified social credit code
// (GB 32100) with a correct check character.
func ValidUSCC(s string) bool {
	if len(s) != 18 {
		return false
	}
	weights := [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}
	sum := 0
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(usccChars, s[i])
		if v < 0 {
			return false
		}
		sum += v * weights[i]
	}
	c := (31 - sum%31) % 31
	return s[17] == usccChars[c]
}

// ValidPhone reports whether s is a mainland mobile number (1[3-9] and nine
// digits) or a landline with area code (0, two or three digits, an optional
// hyphen, seven or eight digits).
func ValidPhone(s string) bool {
	digits := func(t string) bool {
		for i := 0; i < len(t); i++ {
			if t[i] < '0' || t[i] > '9' {
				return false
			}
		}
		return true
	}
	if len(s) == 11 && s[0] == '1' && s[1] >= '3' && s[1] <= '9' && digits(s) {
		return true
	}
	if len(s) < 2 || s[0] != '0' {
		return false
	}
	if i := strings.IndexByte(s, '-'); i >= 0 {
		area, local := s[:i], s[i+1:]
		return len(area) >= 3 && len(area) <= 4 && digits(area) && len(local) >= 7 && len(local) <= 8 && digits(local)
	}
	// Without a hyphen the split is ambiguous; any total of 10–12 digits
	// fits some area code (3–4) plus local number (7–8).
	return len(s) >= 10 && len(s) <= 12 && digits(s)
}

// MaskID masks an identity card number for display, keeping the first four
// and last four characters (1301**********123X). Short strings are masked
// entirely.
func MaskID(s string) string {
	r := []rune(s)
	if len(r) <= 8 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:4]) + strings.Repeat("*", len(r)-8) + string(r[len(r)-4:])
}
