package demo

import "math/rand/v2"

const usccChars = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// uscc makes a unified social credit code registered in county with a
// correct GB 32100 check character.
func uscc(r *rand.Rand, county string, kind string) string {
	b := make([]byte, 18)
	copy(b, kind) // "91" enterprise, "93" farmers' cooperative
	copy(b[2:], county)
	for i := 8; i < 17; i++ {
		b[i] = usccChars[r.IntN(len(usccChars))]
	}
	weights := [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}
	sum := 0
	for i := 0; i < 17; i++ {
		for v := 0; v < len(usccChars); v++ {
			if usccChars[v] == b[i] {
				sum += v * weights[i]
				break
			}
		}
	}
	b[17] = usccChars[(31-sum%31)%31]
	return string(b)
}

// idCard makes a resident ID number of county with a correct ISO 7064
// MOD 11-2 check character.
func idCard(r *rand.Rand, county string) string {
	b := make([]byte, 18)
	copy(b, county)
	year := 1950 + r.IntN(50)
	copy(b[6:], pad(year, 4))
	copy(b[10:], pad(1+r.IntN(12), 2))
	copy(b[12:], pad(1+r.IntN(28), 2))
	copy(b[14:], pad(r.IntN(1000), 3))
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(b[i]-'0') * weights[i]
	}
	b[17] = "10X98765432"[sum%11]
	return string(b)
}
