package app

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"sort"

	"fyne.io/fyne/v2/lang"
	"golang.org/x/crypto/scrypt"

	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/model"
)

// User is a person using this (possibly shared) device. Every op they make
// carries their Name as its author.
type User struct {
	Name     string     `json:"name"`
	Role     model.Role `json:"role"`
	Township string     `json:"township,omitempty"`
	Village  string     `json:"village,omitempty"`
	// Grid is the record id of the user's straw_grid, if any.
	Grid string `json:"grid,omitempty"`
	Salt []byte `json:"salt"`
	Hash []byte `json:"hash"` // scrypt of the PIN
}

// metaUsers is the store meta key of the user list.
const metaUsers = "app.users"

// scrypt cost of PIN hashes: about 50 ms on a tablet, a PIN is short.
const (
	pinN      = 1 << 14
	pinR      = 8
	pinP      = 1
	pinKeyLen = 32
)

// ErrBadPIN is returned for a wrong PIN.
var ErrBadPIN = errors.New("wrong PIN")

// userBook keeps the device's users in the store's meta data.
type userBook struct{ st metaStore }

func newUserBook(st metaStore) *userBook { return &userBook{st: st} }

func (b *userBook) list() ([]User, error) {
	data, err := b.st.GetMeta(metaUsers)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var us []User
	if err := json.Unmarshal(data, &us); err != nil {
		return nil, err
	}
	sort.Slice(us, func(i, j int) bool { return us[i].Name < us[j].Name })
	return us, nil
}

func (b *userBook) find(name string) (User, bool) {
	us, _ := b.list()
	for _, u := range us {
		if u.Name == name {
			return u, true
		}
	}
	return User{}, false
}

// save adds or replaces u (by name), hashing pin when not empty.
func (b *userBook) save(u User, pin string) error {
	if pin != "" {
		u.Salt = make([]byte, 16)
		if _, err := rand.Read(u.Salt); err != nil {
			return err
		}
		h, err := scrypt.Key([]byte(pin), u.Salt, pinN, pinR, pinP, pinKeyLen)
		if err != nil {
			return err
		}
		u.Hash = h
	}
	us, err := b.list()
	if err != nil {
		return err
	}
	replaced := false
	for i := range us {
		if us[i].Name == u.Name {
			us[i], replaced = u, true
		}
	}
	if !replaced {
		us = append(us, u)
	}
	data, err := json.Marshal(us)
	if err != nil {
		return err
	}
	return b.st.SetMeta(metaUsers, data)
}

// remove deletes the user called name (their ops stay in the log).
func (b *userBook) remove(name string) error {
	us, err := b.list()
	if err != nil {
		return err
	}
	kept := us[:0]
	for _, u := range us {
		if u.Name != name {
			kept = append(kept, u)
		}
	}
	data, err := json.Marshal(kept)
	if err != nil {
		return err
	}
	return b.st.SetMeta(metaUsers, data)
}

// check returns the user when pin is theirs.
func (b *userBook) check(name, pin string) (User, error) {
	u, ok := b.find(name)
	if !ok {
		return User{}, ErrBadPIN
	}
	h, err := scrypt.Key([]byte(pin), u.Salt, pinN, pinR, pinP, pinKeyLen)
	if err != nil {
		return User{}, err
	}
	if subtle.ConstantTimeCompare(h, u.Hash) != 1 {
		return User{}, ErrBadPIN
	}
	return u, nil
}

// newPINProblem says what is wrong with a new PIN typed twice, in the
// user's language; "" when nothing is.
func newPINProblem(pin, repeat string) string {
	switch {
	case len([]rune(pin)) < 4:
		return lang.L("The PIN needs at least 4 digits.")
	case pin != repeat:
		return lang.L("The two PINs differ.")
	}
	return ""
}
