package model

import "testing"

func TestValidIDCard(t *testing.T) {
	for _, c := range []struct {
		in   string
		want bool
	}{
		{"11010519491231002X", true},  // published GB 11643 example
		{"11010519491231002x", true},  // lower-case check character
		{"110105194912310021", false}, // wrong check character
		{"11010519491331002X", false}, // month 13
		{"1101051949123100", false},   // too short
		{"A1010519491231002X", false}, // letter in the body
		{"", false},
	} {
		t.Run(c.in, func(t *testing.T) {
			if got := ValidIDCard(c.in); got != c.want {
				t.Errorf("got %v; want %v", got, c.want)
			}
		})
	}
}

func TestValidUSCC(t *testing.T) {
	for _, c := range []struct {
		in   string
		want bool
	}{
		{"91350100M000100Y43", true},  // published GB 32100 example
		{"91350100M000100Y44", false}, // wrong check character
		{"91350100M000100Y4", false},  // too short
		{"91350100I000100Y43", false}, // I is not in the character set
		{"91350100m000100Y43", false}, // lower case
	} {
		t.Run(c.in, func(t *testing.T) {
			if got := ValidUSCC(c.in); got != c.want {
				t.Errorf("got %v; want %v", got, c.want)
			}
		})
	}
}

func TestValidPhone(t *testing.T) {
	for _, c := range []struct {
		in   string
		want bool
	}{
		{"13812345678", true},
		{"19912345678", true},
		{"12812345678", false}, // 12x is not a mobile prefix
		{"1381234567", false},  // 10 digits
		{"010-12345678", true},
		{"0311-1234567", true},
		{"031112345678", true},
		{"010-123456", false},
		{"10-12345678", false},
		{"0311-123456789", false},
		{"+8613812345678", false},
	} {
		t.Run(c.in, func(t *testing.T) {
			if got := ValidPhone(c.in); got != c.want {
				t.Errorf("got %v; want %v", got, c.want)
			}
		})
	}
}

func TestMaskID(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"11010519491231002X", "1101**********002X"},
		{"1234", "****"},
		{"", ""},
	} {
		t.Run(c.in, func(t *testing.T) {
			if got := MaskID(c.in); got != c.want {
				t.Errorf("got %v; want %v", got, c.want)
			}
		})
	}
}
