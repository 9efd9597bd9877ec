package server

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/protocol"
)

// codeAlphabet avoids 0/O and 1/I, which people misread from paper.
const codeAlphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"

// newCode returns a random 12-character code (60 bits) as XXXX-XXXX-XXXX.
func newCode() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	var sb strings.Builder
	for i, c := range b {
		if i > 0 && i%4 == 0 {
			sb.WriteByte('-')
		}
		sb.WriteByte(codeAlphabet[int(c)%len(codeAlphabet)])
	}
	return sb.String()
}

// hashCode hashes an enrollment code as typed: case, spaces and dashes do
// not matter.
func hashCode(code string) [32]byte {
	norm := strings.Map(func(r rune) rune {
		if r == '-' || r == ' ' {
			return -1
		}
		return r
	}, strings.ToUpper(strings.TrimSpace(code)))
	return sha256.Sum256([]byte("lantian-enroll:" + norm))
}

// CheckScope validates a scope and role against the gazetteer and fills in
// the province of a county scope. Province devices cover a whole province;
// grid and county devices one county.
func CheckScope(g *model.Gazetteer, sc protocol.Scope, role model.Role) (protocol.Scope, error) {
	switch role {
	case model.RoleGrid, model.RoleCounty:
		p, ok := g.ProvinceOf(sc.County)
		if !ok {
			return sc, protocol.ErrBadScope.Withf("unknown county %q", sc.County)
		}
		if sc.Province != "" && sc.Province != p.Code {
			return sc, protocol.ErrBadScope.Withf("county %s is not in province %s", sc.County, sc.Province)
		}
		sc.Province = p.Code
	case model.RoleProvince:
		if _, ok := g.Province(sc.Province); !ok || sc.County != "" {
			return sc, protocol.ErrBadScope.Withf("a province device needs a province code and no county")
		}
	default:
		return sc, protocol.ErrBadRole.Withf("role %q", role)
	}
	return sc, nil
}

// DefaultMaxCodeTTL is the longest validity of an enrollment code unless
// configured otherwise: a code is meant to be used within days, and one
// left lying about stays a way in for as long as it is valid.
const DefaultMaxCodeTTL = 30 * 24 * time.Hour

// IssueCode creates a one-time enrollment code for scope and role, valid
// for ttl from now, and returns it; the store keeps only its hash. A ttl
// past maxTTL (DefaultMaxCodeTTL when 0) is refused with
// protocol.ErrCodeTTL. The offline `lantian-server code` command and
// POST /v1/admin/codes use it.
func IssueCode(ctx context.Context, st Storage, g *model.Gazetteer, sc protocol.Scope, role model.Role, ttl, maxTTL time.Duration, now time.Time) (protocol.CodeResponse, error) {
	if err := checkCodeTTL(ttl, maxTTL); err != nil {
		return protocol.CodeResponse{}, err
	}
	sc, err := CheckScope(g, sc, role)
	if err != nil {
		return protocol.CodeResponse{}, err
	}
	code := newCode()
	exp := now.Add(ttl)
	if err := st.CreateCode(ctx, Code{Hash: hashCode(code), Scope: sc, Role: role, Expires: exp}); err != nil {
		return protocol.CodeResponse{}, err
	}
	return protocol.CodeResponse{Code: code, Scope: sc, Role: role, Expires: protocol.Millis(exp)}, nil
}

// checkCodeTTL refuses a code validity that is not positive or passes max
// (DefaultMaxCodeTTL when 0), naming the limit in both languages.
func checkCodeTTL(ttl, max time.Duration) error {
	if max == 0 {
		max = DefaultMaxCodeTTL
	}
	if ttl <= 0 {
		return protocol.ErrBadRequest.Withf("code validity %v is not positive", ttl)
	}
	if ttl <= max {
		return nil
	}
	e := protocol.ErrCodeTTL.Withf("%v; at most %v", ttl, max)
	zh, en := spellDuration(max)
	e.Msg = model.Text{ZH: "注册码有效期过长，最长为" + zh, EN: "enrollment code validity too long: at most " + en}
	return e
}

// spellDuration says d in days, or in hours when not whole days.
func spellDuration(d time.Duration) (zh, en string) {
	const day = 24 * time.Hour
	if d%day == 0 {
		n := int64(d / day)
		if n == 1 {
			return "1 天", "1 day"
		}
		return fmt.Sprintf("%d 天", n), fmt.Sprintf("%d days", n)
	}
	h := strconv.FormatFloat(d.Hours(), 'f', -1, 64)
	if h == "1" {
		return "1 小时", "1 hour"
	}
	return h + " 小时", h + " hours"
}
