// Package evidence makes and checks evidence packs: one ZIP file holding
// a record's whole provenance, for an inspector who trusts neither the
// county's nor the province's database. A pack holds
//
//	manifest.json            every other file with its SHA-256 and size
//	report.html              the history, photos and verification result, 中文 then English
//	province-keys.txt        the province public key(s) that signed the statements
//	statements/DEVICE.json   the enrollment statement of each device that touched the record
//	ops/DEVICE-SEQ.op        each op of the record: its signed bytes, verbatim
//	photos/SHA256            each photo the ops reference: its original bytes
//
// Verify re-checks a pack offline: the ZIP and its manifest (a pack
// altered in any byte fails, naming the file whose hash differs, the op
// whose signature is bad, or the ZIP structure), every statement against
// the province keys the verifier trusts, every op's signature against its
// device's vouched key, the device chains as far as the pack holds them,
// each change against its author's role (internal/verify), and the
// record's state rebuilt from its ops.
//
// A pack is written in one canonical form (stored entries in a fixed
// order, no timestamps or comments), so that Verify can also check the
// bytes the entries' contents do not cover.
package evidence

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/internal/vouch"
	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/protocol"
)

// Format names the pack format in its manifest.
const Format = "lantian-evidence-pack v1"

// Names of a pack's fixed files.
const (
	ManifestName = "manifest.json"
	ReportName   = "report.html"
	KeysName     = "province-keys.txt"
)

// ErrNoRecord means the source holds no op of the record.
var ErrNoRecord = errors.New("没有该记录的任何操作，请核对记录编号 / no op of the record is held: check the record id")

// Source is a holder of a record's provenance: a server's store or a
// device's.
type Source interface {
	// RecordOps returns the signed bytes of every op of record the
	// holder keeps, in any order.
	RecordOps(ctx context.Context, record uuid.UUID) ([][]byte, error)
	// Statements returns the enrollment statements (vouch.Signed's
	// stored form) the holder keeps of the given devices; those it has
	// none of are left out.
	Statements(ctx context.Context, devices []uuid.UUID) (map[uuid.UUID][]byte, error)
	// Photo returns the original bytes of the photo with SHA-256 id (hex);
	// an error wrapping fs.ErrNotExist when the holder does not have it.
	Photo(ctx context.Context, id string) ([]byte, error)
}

// Options are a pack's settings.
type Options struct {
	// Trusted are the province public keys the builder trusts: the
	// report's verification result is checked against them, and they are
	// written to the pack beside the keys that signed its statements.
	Trusted []ed25519.PublicKey
	// Now is the time the pack is made (time.Now when zero).
	Now time.Time
	// PhotoNotes, when set, says for the report what each photo shows of
	// itself (time and place taken, camera) and what doubts the evidence
	// checks raise about it (internal/evidencecheck.PackNotes), by SHA-256,
	// given the record rebuilt from its ops and the photos' bytes.
	PhotoNotes func(st *oplog.State, photos map[string][]byte) map[string][]model.Text
}

// Manifest lists a pack's files.
type Manifest struct {
	Format  string      `json:"format"`
	Record  uuid.UUID   `json:"record"`
	Created string      `json:"created"`
	Files   []FileEntry `json:"files"`
}

// FileEntry is one file of a pack.
type FileEntry struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
	Size   int    `json:"size"`
}

// file is one file of a pack with its content.
type file struct {
	name string
	data []byte
}

// contents are what a pack holds besides its manifest and report.
type contents struct {
	record     uuid.UUID
	ops        []file // ops/...
	statements []file // statements/...
	keys       []byte // province-keys.txt
	photos     []file // photos/...
}

// opName is the pack file of op id.
func opName(id oplog.OpID) string { return fmt.Sprintf("ops/%s-%020d.op", id.Device, id.Seq) }

// Build writes the evidence pack of record from src to w and returns
// the result of checking it as Verify would (against opt.Trusted).
func Build(ctx context.Context, w io.Writer, src Source, record uuid.UUID, opt Options) (*Result, error) {
	raws, err := src.RecordOps(ctx, record)
	if err != nil {
		return nil, err
	}
	if len(raws) == 0 {
		return nil, fmt.Errorf("%w: %s", ErrNoRecord, record)
	}
	c := &contents{record: record}
	type held struct {
		id  oplog.OpID
		raw []byte
	}
	var ops []held
	devs := map[uuid.UUID]bool{}
	photos := map[string]bool{}
	for _, raw := range raws {
		var o oplog.Op
		if err := o.UnmarshalBinary(raw); err != nil {
			return nil, fmt.Errorf("evidence: a stored op of %s does not decode: %w", record, err)
		}
		ops = append(ops, held{o.ID(), raw})
		devs[o.Device] = true
		for _, p := range protocol.BlobRefs(&o) {
			photos[p] = true
		}
	}
	slices.SortFunc(ops, func(a, b held) int { return oplog.CompareOpID(a.id, b.id) })
	ops = slices.CompactFunc(ops, func(a, b held) bool { return a.id == b.id })
	for _, o := range ops {
		c.ops = append(c.ops, file{opName(o.id), o.raw})
	}
	ids := make([]uuid.UUID, 0, len(devs))
	for d := range devs {
		ids = append(ids, d)
	}
	slices.SortFunc(ids, func(a, b uuid.UUID) int { return bytes.Compare(a[:], b[:]) })
	sts, err := src.Statements(ctx, ids)
	if err != nil {
		return nil, err
	}
	keys := slices.Clone(opt.Trusted)
	for _, d := range ids {
		b, ok := sts[d]
		if !ok {
			continue
		}
		c.statements = append(c.statements, file{"statements/" + d.String() + ".json", b})
		if sg, err := vouch.Parse(b); err == nil && len(sg.Province) == ed25519.PublicKeySize && !vouch.Trusts(keys, sg.Province) {
			keys = append(keys, sg.Province)
		}
	}
	var kb strings.Builder
	kb.WriteString("# Province public keys that signed this pack's enrollment statements (base64 ed25519).\n")
	kb.WriteString("# 签署本证据包中设备登记声明的省级公钥。请与省级公布的公钥核对。\n")
	for _, k := range keys {
		kb.WriteString(vouch.KeyText(k) + "\n")
	}
	c.keys = []byte(kb.String())
	var missing []string
	for _, p := range sortedKeys(photos) {
		b, err := src.Photo(ctx, p)
		if err != nil {
			missing = append(missing, p)
			continue
		}
		c.photos = append(c.photos, file{"photos/" + p, b})
	}
	now := opt.Now
	if now.IsZero() {
		now = time.Now()
	}
	res := check(c, opt.Trusted)
	res.Notes = append(res.Notes, missingNotes(missing)...)
	var notes map[string][]model.Text
	if opt.PhotoNotes != nil && res.State != nil {
		bytesOf := map[string][]byte{}
		for _, f := range c.photos {
			bytesOf[strings.TrimPrefix(f.name, "photos/")] = f.data
		}
		notes = opt.PhotoNotes(res.State, bytesOf)
	}
	report, err := renderReport(c, res, now, notes)
	if err != nil {
		return nil, err
	}
	files := c.files(report)
	m := Manifest{Format: Format, Record: record, Created: now.UTC().Format(time.RFC3339)}
	for _, f := range files {
		sum := sha256.Sum256(f.data)
		m.Files = append(m.Files, FileEntry{Name: f.name, SHA256: hex.EncodeToString(sum[:]), Size: len(f.data)})
	}
	mb, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	b, err := writeZip(append([]file{{ManifestName, mb}}, files...))
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(b); err != nil {
		return nil, err
	}
	return res, nil
}

// files are c's files with the report, in pack order.
func (c *contents) files(report []byte) []file {
	out := []file{{ReportName, report}, {KeysName, c.keys}}
	out = append(out, c.statements...)
	out = append(out, c.ops...)
	return append(out, c.photos...)
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// writeZip is the canonical ZIP of files: stored (not compressed)
// entries, in the given order, with no times, extra fields or comments.
func writeZip(files []file) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		h := &zip.FileHeader{Name: f.name, Method: zip.Store, CRC32: crc32.ChecksumIEEE(f.data),
			CompressedSize64: uint64(len(f.data)), UncompressedSize64: uint64(len(f.data))}
		w, err := zw.CreateRaw(h)
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(f.data); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
