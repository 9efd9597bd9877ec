package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/e2e/fixture"
	"github.com/lantian-tz/lantian/sync/protocol"
	"github.com/lantian-tz/lantian/sync/server"
)

// revoke posts body to the revoke endpoint of device id as the holder of
// token, and returns the status and the answer.
func (e *env) revoke(t *testing.T, token string, id uuid.UUID, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.ts.URL+protocol.PathAdminDevices+"/"+id.String()+"/revoke", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", protocol.ContentTypeJSON)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(resp.Body); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, buf.Bytes()
}

// A device revoked with its ops withdrawn after a time: a device enrolled
// afterwards never receives them; a device that applied them holds them
// after its next pull, with the reason, and its records are as if they
// had never arrived (the honest device's later edit of the same record
// included); every device converges, and syncs go on. Its ops from
// before the time stay.
func TestRevokeWithdrawsOps(t *testing.T) {
	// The server's clock runs one second ahead once the withdrawal's
	// start is taken, so that every op after it is accepted after it.
	var mu sync.Mutex
	var shift time.Duration
	e := newEnvWith(t, func(c *server.Config) {
		c.Now = func() time.Time {
			mu.Lock()
			defer mu.Unlock()
			return time.Now().Add(shift)
		}
	})
	ctx := context.Background()
	prov := e.enroll("省", fixture.Province, model.RoleProvince, nil)
	a := e.enroll("甲", fixture.County, model.RoleGrid, nil)
	x := e.enroll("坏", fixture.County, model.RoleGrid, nil)
	b := e.enroll("乙", fixture.County, model.RoleGrid, nil)
	r1 := fixture.Create(t, a.st, 1)
	kept := fixture.Create(t, x.st, 2) // before the withdrawal's start
	settle(t, a, x, b, prov)

	mu.Lock()
	since := time.Now()
	shift = time.Second
	mu.Unlock()

	r2 := fixture.Create(t, x.st, 3)
	fixture.Edit(t, x.st, r1, map[string]model.Value{"unit_count": model.Int(99)})
	x.sync(t)
	a.sync(t)
	// a edits the record after seeing x's edit.
	fixture.Edit(t, a.st, r1, map[string]model.Value{"contact_name": model.Str("李四")})
	a.sync(t)
	b.sync(t)
	prov.sync(t)
	if st, err := b.st.Get(r1); err != nil || st.Fields["unit_count"].Value != model.Int(99) {
		t.Fatalf("b before the revocation: %+v, %v; want x's edit", st.Fields["unit_count"], err)
	}

	// A bad start time is refused in both languages, and revokes nothing.
	status, body := e.revoke(t, prov.c.Token(), x.st.Device(), `{"withdraw":true,"since":"last tuesday"}`)
	var perr protocol.Error
	if err := json.Unmarshal(body, &perr); err != nil || status != http.StatusBadRequest || perr.Code != protocol.CodeBadSince ||
		!strings.Contains(perr.Msg.ZH, "北京时间") || !strings.Contains(perr.Msg.EN, "RFC3339") {
		t.Fatalf("bad since: %d %s; want 400 bad_since naming the forms in both languages", status, body)
	}
	if d, err := e.store.Device(ctx, x.st.Device()); err != nil || d.Revoked {
		t.Fatalf("after a refused revocation the device is %+v, %v; want not revoked", d, err)
	}

	status, body = e.revoke(t, prov.c.Token(), x.st.Device(), `{"withdraw":true,"since":"`+since.Format(time.RFC3339Nano)+`"}`)
	var info protocol.DeviceInfo
	if err := json.Unmarshal(body, &info); err != nil || status != http.StatusOK || !info.Revoked || info.Withdrawn != 2 {
		t.Fatalf("revoke: %d %s; want revoked with 2 ops withdrawn", status, body)
	}
	if _, err := x.c.Sync(ctx, nil); !errors.Is(err, protocol.ErrRevoked) {
		t.Errorf("x's sync after revocation: %v; want revoked", err)
	}

	// A device enrolled now never receives the withdrawn ops.
	c := e.enroll("丙", fixture.County, model.RoleGrid, nil)
	c.sync(t)
	got, err := c.st.Ops(x.st.Device(), 0, 0)
	if err != nil || len(got) != 1 || got[0].Record != kept {
		t.Fatalf("c holds %d ops of x (%v); want only the one from before the start", len(got), err)
	}
	if q, err := c.st.Quarantined(); err != nil || len(q) != 0 {
		t.Errorf("c holds back %+v, %v; want nothing", q, err)
	}

	// b holds them after its next pull, with the reason.
	res := b.sync(t)
	if res.Withdrawn != 2 {
		t.Errorf("b's sync withdrew %d ops; want 2", res.Withdrawn)
	}
	q, err := b.st.Quarantined()
	if err != nil || len(q) != 2 {
		t.Fatalf("b holds back %+v, %v; want x's 2 ops", q, err)
	}
	for _, h := range q {
		if h.Op.Device != x.st.Device() || !h.Received || h.Code != store.Withdrawn ||
			!strings.Contains(h.Reason.ZH, "吊销") || !strings.Contains(h.Reason.EN, "revoked by the province") ||
			!strings.Contains(h.Reason.EN, since.In(model.Beijing).Format("2006-01-02 15:04")) {
			t.Errorf("b holds %v/%d %q %+v; want x's op withdrawn with the reason", h.Op.Device, h.Op.Seq, h.Code, h.Reason)
		}
	}
	if _, err := b.st.Get(r2); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("b still has x's record: %v", err)
	}
	if st, err := b.st.Get(r1); err != nil || st.Fields["unit_count"].Value == model.Int(99) || st.Fields["contact_name"].Value != model.Str("李四") {
		t.Errorf("b's record after the withdrawal: %+v %+v, %v; want a's edit without x's", st.Fields["unit_count"], st.Fields["contact_name"], err)
	}
	if err := b.st.Check(ctx); err != nil {
		t.Errorf("b's store after the withdrawal: %v", err)
	}
	a.sync(t)
	prov.sync(t)
	want := records(t, c.st)
	sameRecords(t, want, a, b, prov)

	// Syncs go on: a's next edit reaches everyone, nothing more is held.
	fixture.Edit(t, a.st, r1, map[string]model.Value{"unit_count": model.Int(7)})
	settle(t, a, b, c, prov)
	sameRecords(t, records(t, a.st), b, c, prov)
	if q, err := b.st.Quarantined(); err != nil || len(q) != 2 {
		t.Errorf("b holds back %d, %v after more syncs; want the same 2", len(q), err)
	}
	if res := b.sync(t); res.Withdrawn != 0 || res.SetAside != 0 {
		t.Errorf("b's next sync withdrew %d and set aside %d; want none", res.Withdrawn, res.SetAside)
	}
	// The administrator sees the count.
	counts, err := server.WithdrawnCounts(ctx, e.store)
	if err != nil || counts[x.st.Device()] != 2 || len(counts) != 1 {
		t.Errorf("withdrawn counts %v, %v; want 2 for x", counts, err)
	}
}
