package client

import (
	"errors"
	"fmt"

	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/internal/vouch"
	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/protocol"
)

// Meta keys of an enrollment in the device store's meta data. They are the
// keys the app wrote before the client kept enrollments, so stores
// enrolled then keep their enrollment.
const (
	MetaServer   = "app.server"
	MetaToken    = "app.token"
	MetaRole     = "app.role"
	MetaCounty   = "app.county"
	MetaProvince = "app.province"
)

// Meta is where an enrollment is kept: the device store's meta data
// (satisfied by *store.Store, which encrypts it when the store is).
type Meta interface {
	GetMeta(key string) ([]byte, error)
	SetMeta(key string, v []byte) error
}

var _ Meta = (*store.Store)(nil)

// Enrollment is what a device keeps of its enrollment with a server.
type Enrollment struct {
	// Server is the server's address (Config.BaseURL).
	Server string
	// Token is the bearer token (Config.Token).
	Token string
	// Role is the role the device was enrolled with.
	Role model.Role
	// County and Province are the device's scope; County is "" on a
	// province device.
	County, Province string
}

// NewEnrollment is the enrollment of a device at server from the
// server's answer to Enroll.
func NewEnrollment(server string, resp protocol.EnrollResponse) Enrollment {
	return Enrollment{Server: server, Token: resp.Token, Role: resp.Role,
		County: resp.Scope.County, Province: resp.Scope.Province}
}

// Enrolled reports whether e names a server and a token to talk to it.
func (e Enrollment) Enrolled() bool { return e.Server != "" && e.Token != "" }

// Save writes e to m. An empty County or Province leaves the one kept
// (the county chosen at set-up stays on a device enrolled province-wide).
func (e Enrollment) Save(m Meta) error {
	keys := []struct {
		key, val string
		keep     bool // keep the stored value when val is empty
	}{
		{MetaToken, e.Token, false},
		{MetaServer, e.Server, false},
		{MetaRole, string(e.Role), false},
		{MetaCounty, e.County, true},
		{MetaProvince, e.Province, true},
	}
	for _, k := range keys {
		if k.val == "" && k.keep {
			continue
		}
		if err := m.SetMeta(k.key, []byte(k.val)); err != nil {
			return fmt.Errorf("client: saving enrollment: %w", err)
		}
	}
	return nil
}

// LoadEnrollment reads the enrollment kept in m; a device never enrolled
// gets an Enrollment that is not Enrolled (its County may still be set,
// chosen at set-up).
func LoadEnrollment(m Meta) (Enrollment, error) {
	var e Enrollment
	for _, k := range []struct {
		key string
		val *string
	}{
		{MetaServer, &e.Server},
		{MetaToken, &e.Token},
		{MetaCounty, &e.County},
		{MetaProvince, &e.Province},
	} {
		b, err := m.GetMeta(k.key)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return Enrollment{}, fmt.Errorf("client: loading enrollment: %w", err)
		}
		*k.val = string(b)
	}
	b, err := m.GetMeta(MetaRole)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return Enrollment{}, fmt.Errorf("client: loading enrollment: %w", err)
	}
	e.Role = model.Role(b)
	return e, nil
}

// SaveStatement keeps the enrollment statement the province signed for
// the device (resp.Statement, internal/vouch) in m under
// vouch.MetaKey(resp.Device), for the device's evidence packs; nothing
// when the server sent none.
func SaveStatement(m Meta, resp protocol.EnrollResponse) error {
	if len(resp.Statement) == 0 {
		return nil
	}
	if err := m.SetMeta(vouch.MetaKey(resp.Device), resp.Statement); err != nil {
		return fmt.Errorf("client: saving enrollment statement: %w", err)
	}
	return nil
}
