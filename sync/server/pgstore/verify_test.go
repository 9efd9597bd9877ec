package pgstore_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/lantian-tz/lantian/sync/server"
	"github.com/lantian-tz/lantian/sync/server/badgerstore"
	"github.com/lantian-tz/lantian/sync/server/storetest"
)

// pgTamper edits the tables under a Store with SQL, past its API.
type pgTamper struct{ url string }

func (pt pgTamper) exec(t *testing.T, q string, args ...any) {
	t.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, pt.url)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	tag, err := c.Exec(ctx, q, args...)
	if err != nil || tag.RowsAffected() != 1 {
		t.Fatalf("%s: %v (%d rows)", q, err, tag.RowsAffected())
	}
}

func (pt pgTamper) SetRaw(t *testing.T, dev uuid.UUID, seq uint64, raw []byte) {
	pt.exec(t, "UPDATE ops SET raw = $3 WHERE device = $1 AND seq = $2", dev, int64(seq), raw)
}

func (pt pgTamper) Remove(t *testing.T, dev uuid.UUID, seq uint64) {
	pt.exec(t, "DELETE FROM ops WHERE device = $1 AND seq = $2", dev, int64(seq))
}

func TestVerify(t *testing.T) {
	u := freshURL(t)
	storetest.Verify(t, openURL(t, u), pgTamper{url: u})
}

func (pt pgTamper) PutDevice(t *testing.T, d server.Device) {
	pt.exec(t, `INSERT INTO devices (id, public_key, label, province, county, role, token_hash, enrolled, revoked, statement)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		ON CONFLICT (id) DO UPDATE SET public_key = EXCLUDED.public_key, role = EXCLUDED.role, statement = EXCLUDED.statement`,
		d.ID, []byte(d.PublicKey), d.Label, d.Scope.Province, d.Scope.County, string(d.Role), d.TokenHash[:], d.Enrolled, d.Revoked, d.Statement)
}

func TestVouch(t *testing.T) {
	u := freshURL(t)
	storetest.Vouch(t, openURL(t, u), pgTamper{url: u})
}

// An evidence pack built from a PostgreSQL store verifies and holds the
// record's ops, statements and photos (storetest.EvidencePack); the
// byte-by-byte alterations are checked over the Badger store's pack.
func TestEvidencePack(t *testing.T) {
	blobs, err := badgerstore.OpenBlobs(t.TempDir(), 0)
	if err != nil {
		t.Fatal(err)
	}
	storetest.EvidencePack(t, openURL(t, freshURL(t)), blobs, 4<<10, nil)
}
