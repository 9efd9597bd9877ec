package app

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/lantian-tz/lantian/assets"
	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/protocol"
	"github.com/lantian-tz/lantian/sync/server"
	"github.com/lantian-tz/lantian/sync/server/badgerstore"
)

// TestSyncWithServer enrolls the app with a real sync server (in-process)
// through the Syncer the app uses outside tests, and syncs from the sync
// screen: the pending changes go out and the screen says so.
func TestSyncWithServer(t *testing.T) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	g, err := model.LoadGazetteer(assets.ScopeJSON)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	sst, err := badgerstore.Open(badgerstore.Options{Dir: dir + "/db", Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer sst.Close()
	blobs, err := badgerstore.OpenBlobs(dir+"/blobs", 0)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(server.Config{Store: sst, Blobs: blobs, Gazetteer: g, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	code, err := server.IssueCode(context.Background(), sst, g, protocol.Scope{County: testCounty}, model.RoleGrid, time.Hour, 0, time.Now())
	if err != nil {
		t.Fatal(err)
	}

	a := newTestApp(t, LangZH, nil)
	if _, ok := a.syncer.(*remoteSyncer); !ok {
		t.Fatalf("got syncer %T; want the remote one", a.syncer)
	}
	seed(t, a, "straw_grid", 3)
	s := newSyncScreen(a)
	a.shell.show(s)
	test.Tap(s.syncBtn)
	if !strings.Contains(s.errLabel.Text, "尚未注册") {
		t.Errorf("got %q before enrolling; want 尚未注册", s.errLabel.Text)
	}
	if err := a.syncer.Enroll(context.Background(), ts.URL, "wrong-code"); err == nil {
		t.Error("got no error for a wrong code")
	} else if msg := plainError(err); !strings.Contains(msg, "注册码") {
		t.Errorf("got %q for a wrong code; want the server's words", msg)
	}
	if err := a.syncer.Enroll(context.Background(), ts.URL, code.Code); err != nil {
		t.Fatalf("enroll: %v", err)
	}
	if got := a.deviceRole(); got != model.RoleGrid {
		t.Errorf("device role after enrolling with a grid code: %q; want grid", got)
	}
	test.Tap(s.syncBtn)
	if s.errLabel.Visible() {
		t.Fatalf("sync failed: %s", s.errLabel.Text)
	}
	if n, _ := a.st.Pending(); n != 0 {
		t.Errorf("got %d pending after sync; want 0", n)
	}
	if !strings.Contains(s.phase.Text, "已上传") {
		t.Errorf("got result %q; want the client's summary", s.phase.Text)
	}
	if got := s.state.Text; got != "在线" {
		t.Errorf("got state %q; want 在线", got)
	}
}
