package e2e

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/admitcase"
	"github.com/lantian-tz/lantian/internal/hlc"
	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/e2e/fixture"
	"github.com/lantian-tz/lantian/sync/protocol"
	"github.com/lantian-tz/lantian/sync/server"
)

// agreeScope: 正定县 is the authors' county, 灵寿县 another of 河北省.
var agreeScope = admitcase.Scope{Province: fixture.Province, Own: fixture.County, Other: "130126"}

// refusalCode is the code a receiver or the server gives an op refused
// with an error of kind k ("" when admitted): the one mapping both use.
func refusalCode(k model.ErrorKind) string {
	switch k {
	case admitcase.Admitted:
		return ""
	case model.ErrScope:
		return protocol.RefusedScope
	case model.ErrForbidden:
		return protocol.RefusedRole
	}
	return protocol.RefusedSchema
}

// maker is a device enrolled over HTTP whose ops the test signs itself,
// as a device that admitted them would (or a tampered one).
type maker struct {
	id    uuid.UUID
	priv  ed25519.PrivateKey
	token string
	en    store.Enrolled
	seq   uint64
	prev  oplog.Hash
}

func (e *env) maker(t *testing.T, role model.Role) *maker {
	t.Helper()
	return e.makerIn(t, role, agreeScope.Own)
}

// makerIn is maker enrolled for county (the province for a province
// role).
func (e *env) makerIn(t *testing.T, role model.Role, county string) *maker {
	t.Helper()
	sc := protocol.Scope{Province: agreeScope.Province, County: county}
	if role == model.RoleProvince {
		sc.County = ""
	}
	code, err := server.IssueCode(context.Background(), e.store, gazetteer(t), sc, role, time.Hour, 0, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	pub, priv, _ := ed25519.GenerateKey(nil)
	m := &maker{id: uuid.Must(uuid.NewV7()), priv: priv, en: store.Enrolled{Role: role, County: sc.County, Province: sc.Province}}
	body, _ := json.Marshal(protocol.EnrollRequest{Code: code.Code, Device: m.id, PublicKey: pub, Label: "agree"})
	resp, err := http.Post(e.ts.URL+protocol.PathEnroll, protocol.ContentTypeJSON, strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var er protocol.EnrollResponse
	if err := json.NewDecoder(resp.Body).Decode(&er); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("enroll maker: %d, %v", resp.StatusCode, err)
	}
	m.token = er.Token
	return m
}

// op is the maker's next op, signed and chained.
func (m *maker) op(record uuid.UUID, register, county string, set map[string]model.Value) oplog.Op {
	return m.opAt(hlc.Make(admitcase.Now.UnixMilli(), uint16(m.seq+1)), record, register, county, set)
}

// opAt is op with the clock reading at.
func (m *maker) opAt(at hlc.Timestamp, record uuid.UUID, register, county string, set map[string]model.Value) oplog.Op {
	m.seq++
	o := oplog.Op{Device: m.id, Seq: m.seq, HLC: at, Record: record,
		Register: register, County: county, Author: "用户", Set: set, Prev: m.prev}
	o.Sign(m.priv)
	m.prev = o.Hash()
	return o
}

// TestFourPathsAgree puts every case of admitcase (every register as every
// role: a new record, another county, a bad value, a field or a status
// the role may not set, a record moved, an unknown register) to three of
// the paths that admit a change, and checks each decides as model.Admit
// does: the device store's Append (as a device enrolled for the role and
// county), the server's ingest (an op of the change pushed by a device
// enrolled so), and remote apply on a province device (the op received
// from the server's pull). The form, the fourth path, runs the same table
// in the app's tests (app/agree_test.go).
//
// Append decides a change made on the device (Want); ingest and remote
// apply decide a change already made (WantMade: the rules that hold in
// every order, so a grid record missing a field only reviewers fill in is
// refused by the form and Append but taken from a device that made it).
func TestFourPathsAgree(t *testing.T) {
	g := gazetteer(t)
	cases, err := admitcase.Cases(g, agreeScope)
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t)
	ctx := context.Background()
	open := func() *store.Store {
		st, err := store.Open(store.Options{InMemory: true, Logger: slog.New(slog.DiscardHandler), GCInterval: -1})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}
	authors := map[model.Role]*device{}
	for _, role := range admitcase.Roles {
		sc := protocol.Scope{Province: agreeScope.Province, County: agreeScope.Own}
		if role == model.RoleProvince {
			sc.County = ""
		}
		authors[role] = e.enrollStore("作者-"+string(role), sc, role, open(), nil)
	}
	recv := open()
	var cursor uint64
	seen := map[string]bool{}
	for _, c := range cases {
		seen[c.Register+"/"+c.Name[strings.LastIndexByte(c.Name, '/')+1:]] = true
		t.Run(c.Name, func(t *testing.T) {
			// store.Append, on a device enrolled for the role.
			d := authors[c.Role]
			var rec uuid.UUID
			if c.Existing != nil {
				st, err := d.st.Append(ctx, store.Change{Register: c.Register, County: agreeScope.Own, Author: "用户", Role: c.Role, Set: c.Existing, Now: admitcase.Now})
				if err != nil {
					t.Fatalf("creating the record to edit: %v", err)
				}
				rec = st.Record
			}
			_, err := d.st.Append(ctx, store.Change{Record: rec, Register: c.Register, County: c.County, Author: "用户", Role: c.Role, Set: c.Set, Now: admitcase.Now})
			if got := admitcase.Outcome(err); got != c.Want {
				t.Errorf("store.Append: got %s (%v); model.Admit: %s", admitcase.Name(got), err, admitcase.Name(c.Want))
			}

			// Server ingest and remote apply, of the op a device made.
			m := e.maker(t, c.Role)
			var ops []oplog.Op
			rec = uuid.Must(uuid.NewV7())
			if c.Existing != nil {
				ops = append(ops, m.op(rec, c.Register, agreeScope.Own, c.ExistingMade))
			}
			op := m.op(rec, c.Register, c.County, c.Made)
			ops = append(ops, op)
			pr := e.pushAs(t, m.id, m.token, ops)
			want := refusalCode(c.WantMade)
			last := pr.Receipts[len(pr.Receipts)-1]
			switch {
			case want == "" && last.Status != protocol.StatusApplied:
				t.Errorf("server ingest: got %s/%s (%v); model.Admit admits it", last.Status, last.Code, last.Msg)
			case want != "" && (last.Status != protocol.StatusRefused || last.Code != want):
				t.Errorf("server ingest: got %s/%s; model.Admit: refused/%s", last.Status, last.Code, want)
			}
			for _, r := range pr.Receipts[:len(pr.Receipts)-1] {
				if r.Status != protocol.StatusApplied {
					t.Fatalf("server ingest: the record to edit: got %s/%s", r.Status, r.Code)
				}
			}

			if err := recv.RegisterDeviceAs(m.id, m.priv.Public().(ed25519.PublicKey), "", m.en); err != nil {
				t.Fatal(err)
			}
			cursor += uint64(len(ops))
			if _, err := recv.ApplyPage(ctx, ops, cursor); err != nil {
				t.Fatalf("remote apply: the page is refused: %v", err)
			}
			q, err := recv.Quarantined()
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			for _, x := range q {
				if x.Op.ID() == op.ID() {
					got = x.Code
				}
			}
			if got != want {
				t.Errorf("remote apply: got set aside %q; model.Admit: %q", got, want)
			}
		})
	}
	// The table holds what the issue asks of every register.
	for _, sch := range model.Registers() {
		for _, kind := range []string{"create", "other-county"} {
			if !seen[sch.Name+"/"+kind] {
				t.Errorf("no %s case of %s", kind, sch.Name)
			}
		}
	}
}
