package pgstore_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/lantian-tz/lantian/internal/hlc"
	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/sync/server"
	"github.com/lantian-tz/lantian/sync/server/pgstore"
)

// baseURL is the test server's URL from LANTIAN_PG_URL. Without it the
// test is skipped, except in CI (CI=true), where a skip would hide that
// this backend went untested.
func baseURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("LANTIAN_PG_URL")
	if u != "" {
		return u
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("LANTIAN_PG_URL is unset in CI: run the tests under packaging/scripts/with-postgres.sh (make test does)")
	}
	t.Skip("LANTIAN_PG_URL is unset: run packaging/scripts/with-postgres.sh go test -race ./sync/server/pgstore/ to test the PostgreSQL backend")
	return ""
}

// withParam adds a connection parameter to a URL or key=value string.
func withParam(u, k, v string) string {
	if strings.Contains(u, "://") {
		pu, err := url.Parse(u)
		if err != nil {
			panic(err)
		}
		q := pu.Query()
		q.Set(k, v)
		pu.RawQuery = q.Encode()
		return pu.String()
	}
	return u + " " + k + "=" + v
}

// freshURL creates an empty schema test_<random>, dropped when the test
// ends, and returns a URL whose connections use it.
func freshURL(t testing.TB) string {
	t.Helper()
	base := baseURL(t)
	ctx := context.Background()
	var b [8]byte
	_, _ = rand.Read(b[:])
	name := "test_" + hex.EncodeToString(b[:])
	exec := func(q string) error {
		c, err := pgx.Connect(ctx, base)
		if err != nil {
			return err
		}
		defer c.Close(ctx)
		_, err = c.Exec(ctx, q)
		return err
	}
	if err := exec("CREATE SCHEMA " + name); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		if err := exec("DROP SCHEMA " + name + " CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", name, err)
		}
	})
	return withParam(base, "search_path", name)
}

// openStore opens a store on a fresh schema, closed when the test ends.
func openStore(t testing.TB) *pgstore.Store {
	t.Helper()
	return openURL(t, freshURL(t))
}

// openURL opens a store on u, closed when the test ends.
func openURL(t testing.TB, u string) *pgstore.Store {
	t.Helper()
	s, err := pgstore.Open(context.Background(), u, nil)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// entries makes n log entries after head for county (province 130000
// unless the county is of Shanxi, 14xxxx), each on a record of its own.
func entries(head server.Head, n int, county string) []server.LogEntry {
	province := "130000"
	if strings.HasPrefix(county, "14") {
		province = "140000"
	}
	out := make([]server.LogEntry, n)
	for i := range out {
		seq := head.Acked + 1 + uint64(i)
		var h oplog.Hash
		copy(h[:], fmt.Sprintf("hash-%s-%d", county, seq))
		out[i] = server.LogEntry{Seq: seq, Hash: h, Record: uuid.Must(uuid.NewV7()), Register: "farm_coal_facility", County: county, Province: province,
			Eff: hlc.Timestamp(seq), Raw: []byte(fmt.Sprintf("op-%s-%d", county, seq))}
	}
	return out
}
