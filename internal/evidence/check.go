package evidence

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/internal/verify"
	"github.com/lantian-tz/lantian/internal/vouch"
	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/protocol"
)

// Kinds of a pack's own problems (beside internal/verify's, which name
// ops).
const (
	KindZip       = "zip"       // the file is no ZIP, or its structure was altered
	KindManifest  = "manifest"  // no manifest, or one that does not read
	KindFile      = "file"      // a file missing, unlisted, or whose hash differs
	KindStatement = "statement" // an enrollment statement that does not verify
	KindOp        = "op"        // an op file that does not decode or is not the record's
	KindPhoto     = "photo"     // a photo whose bytes are not its name's hash
)

// Problem is one thing wrong with a pack.
type Problem struct {
	Kind string     `json:"kind"`
	File string     `json:"file,omitempty"`
	Op   string     `json:"op,omitempty"` // device/seq
	Msg  model.Text `json:"message"`
}

// Result is what checking a pack found.
type Result struct {
	Record   uuid.UUID    `json:"record"`
	Problems []Problem    `json:"problems"`
	Notes    []model.Text `json:"notes,omitempty"`
	// Checked is internal/verify's report on the pack's ops (nil when
	// the pack could not be read that far).
	Checked *verify.Report `json:"ops_checked,omitempty"`
	// Trusted reports that the statements were checked against keys the
	// verifier gave, not only those the pack holds.
	Trusted bool `json:"trusted_keys"`
	// State is the record rebuilt from the pack's ops.
	State *oplog.State `json:"-"`
	// ops are the pack's decoded ops (for the report).
	ops []oplog.Op
	// statements are the devices' statements that verified.
	statements map[uuid.UUID]vouch.Statement
}

// OK reports a pack without problems.
func (r *Result) OK() bool { return len(r.Problems) == 0 }

func (r *Result) add(kind, file string, zh, en string) {
	r.Problems = append(r.Problems, Problem{Kind: kind, File: file, Msg: model.Text{ZH: zh, EN: en}})
}

// Verify checks the pack in data against the province public keys
// trusted (when none, against the keys the pack holds, which Result
// notes). Its problems name what changed; it never fails otherwise.
func Verify(data []byte, trusted []ed25519.PublicKey) *Result {
	res := &Result{}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		res.add(KindZip, "", "证据包不是可读取的 ZIP 文件："+err.Error(), "the pack is not a readable ZIP file: "+err.Error())
		return res
	}
	var files []file
	byName := map[string][]byte{}
	for _, f := range zr.File {
		if _, dup := byName[f.Name]; dup {
			res.add(KindZip, f.Name, "文件 "+f.Name+" 出现了两次", "file "+f.Name+" appears twice")
			continue
		}
		b, err := readEntry(f)
		if err != nil {
			res.add(KindFile, f.Name, fmt.Sprintf("文件 %s 无法读取（内容被改动）：%v", f.Name, err),
				fmt.Sprintf("file %s cannot be read (its content was altered): %v", f.Name, err))
			continue
		}
		byName[f.Name] = b
		files = append(files, file{f.Name, b})
	}
	mb, ok := byName[ManifestName]
	if !ok {
		res.add(KindManifest, ManifestName, "证据包缺少清单 manifest.json", "the pack has no manifest.json")
		return res
	}
	var m Manifest
	if err := json.Unmarshal(mb, &m); err != nil || m.Format != Format {
		res.add(KindManifest, ManifestName, fmt.Sprintf("清单无法读取或格式不符（%v）", err),
			fmt.Sprintf("the manifest does not read as a %s manifest (%v)", Format, err))
		return res
	}
	res.Record = m.Record
	listed := map[string]bool{ManifestName: true}
	for _, e := range m.Files {
		if listed[e.Name] {
			res.add(KindManifest, e.Name, "清单两次列出文件 "+e.Name, "the manifest lists file "+e.Name+" twice")
			continue
		}
		listed[e.Name] = true
		b, ok := byName[e.Name]
		if !ok {
			res.add(KindFile, e.Name, "清单列出的文件 "+e.Name+" 不在证据包中或无法读取", "file "+e.Name+" listed in the manifest is missing or unreadable")
			continue
		}
		sum := sha256.Sum256(b)
		if hex.EncodeToString(sum[:]) != e.SHA256 || len(b) != e.Size {
			res.add(KindFile, e.Name, "文件 "+e.Name+" 的 SHA-256 与清单不符：内容被改动",
				"file "+e.Name+" hash differs from the manifest: its content was altered")
		}
	}
	for _, f := range files {
		if !listed[f.name] {
			res.add(KindFile, f.name, "文件 "+f.name+" 不在清单中：是后加入的", "file "+f.name+" is not in the manifest: it was added")
		}
	}
	if len(zr.File) == len(files) {
		// Every entry read: the pack must be their canonical ZIP, so that
		// no byte outside the contents (headers, directory) changed.
		canon, err := writeZip(files)
		if err != nil || !bytes.Equal(canon, data) {
			res.add(KindZip, "", "ZIP 结构（文件头或目录）被改动：与由同样内容生成的证据包不一致",
				"the ZIP structure (headers or directory) was altered: it differs from the pack its contents make")
		}
	}
	c := &contents{record: m.Record, keys: byName[KeysName]}
	for _, f := range files {
		switch {
		case strings.HasPrefix(f.name, "ops/"):
			c.ops = append(c.ops, f)
		case strings.HasPrefix(f.name, "statements/"):
			c.statements = append(c.statements, f)
		case strings.HasPrefix(f.name, "photos/"):
			c.photos = append(c.photos, f)
		}
	}
	given := len(trusted) > 0
	if !given {
		keys, err := vouch.ParseKeys(c.keys)
		if err != nil {
			res.add(KindFile, KeysName, "省级公钥文件无法读取："+err.Error(), "the province keys file does not read: "+err.Error())
		}
		trusted = keys
		var txt []string
		for _, k := range keys {
			txt = append(txt, vouch.KeyText(k))
		}
		res.Notes = append(res.Notes, model.Text{
			ZH: "未给出可信的省级公钥：登记声明仅对照证据包自带的公钥核验。请将其与省级公布的公钥核对：" + strings.Join(txt, ", "),
			EN: "no trusted province key given: the statements were checked against the keys the pack itself holds. Compare them with the province's published key: " + strings.Join(txt, ", ")})
	}
	cr := check(c, trusted)
	res.Problems = append(res.Problems, cr.Problems...)
	res.Notes = append(res.Notes, cr.Notes...)
	res.Checked, res.State, res.ops, res.statements = cr.Checked, cr.State, cr.ops, cr.statements
	res.Trusted = given
	return res
}

// readEntry reads a ZIP entry whole, checking its CRC-32.
func readEntry(f *zip.File) ([]byte, error) {
	if f.UncompressedSize64 > 1<<31 {
		return nil, fmt.Errorf("%d bytes", f.UncompressedSize64)
	}
	r, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

// check checks a pack's contents: statements against trusted, ops by
// internal/verify (signatures under the vouched keys, chains, roles),
// photos against their names; and rebuilds the record's state.
func check(c *contents, trusted []ed25519.PublicKey) *Result {
	res := &Result{Record: c.record, Trusted: len(trusted) > 0, statements: map[uuid.UUID]vouch.Statement{}}
	devs := map[uuid.UUID]verify.Device{}
	for _, f := range c.statements {
		id, err := uuid.Parse(strings.TrimSuffix(strings.TrimPrefix(f.name, "statements/"), ".json"))
		if err != nil {
			res.add(KindStatement, f.name, "登记声明文件名不是设备编号", "the statement's file name is not a device id")
			continue
		}
		sg, err := vouch.Parse(f.data)
		if err != nil {
			res.add(KindStatement, f.name, "设备 "+id.String()+" 的登记声明无法读取："+err.Error(), "the statement of device "+id.String()+" does not read: "+err.Error())
			continue
		}
		st, err := sg.Check(trusted)
		if err != nil {
			res.add(KindStatement, f.name, "设备 "+id.String()+" 的登记声明未通过省级公钥核验："+err.Error(),
				"the statement of device "+id.String()+" does not verify under a trusted province key: "+err.Error())
			continue
		}
		res.statements[id] = st
		// The device as vouched: verify checks the statement again, and
		// names the ops of a device without one.
		devs[id] = verify.Device{ID: id, Key: st.Key, Role: st.Role, County: st.County, Province: st.Province, Statement: f.data}
	}
	logs := map[uuid.UUID]*verify.Log{}
	for _, f := range c.ops {
		var o oplog.Op
		if err := o.UnmarshalBinary(f.data); err != nil {
			res.add(KindOp, f.name, "操作文件无法解码："+err.Error(), "the op file does not decode: "+err.Error())
			continue
		}
		if f.name != opName(o.ID()) {
			res.add(KindOp, f.name, "操作文件名与其内容（"+o.ID().String()+"）不符", "the op file's name does not match its content ("+o.ID().String()+")")
		}
		if o.Record != c.record {
			res.Problems = append(res.Problems, Problem{Kind: KindOp, File: f.name, Op: o.ID().String(), Msg: model.Text{
				ZH: "该操作属于另一条记录 " + o.Record.String(), EN: "the op is of another record, " + o.Record.String()}})
			continue
		}
		res.ops = append(res.ops, o)
		if _, ok := devs[o.Device]; !ok && len(trusted) > 0 {
			// No statement that verifies: verify names its ops unvouched.
			devs[o.Device] = verify.Device{ID: o.Device}
		}
		l := logs[o.Device]
		if l == nil {
			l = &verify.Log{Device: o.Device, After: []uint64{}}
			logs[o.Device] = l
		}
		l.Ops = append(l.Ops, o)
	}
	src := &packSource{devs: devs}
	for _, l := range logs {
		slices.SortFunc(l.Ops, func(a, b oplog.Op) int { return oplog.CompareOpID(a.ID(), b.ID()) })
		for i := range l.Ops {
			// The pack holds the record's ops only: a device's other ops
			// between two of them are explained gaps.
			prev := uint64(0)
			if i > 0 {
				prev = l.Ops[i-1].Seq
			}
			l.After = append(l.After, prev)
		}
		src.logs = append(src.logs, *l)
	}
	slices.SortFunc(src.logs, func(a, b verify.Log) int { return bytes.Compare(a.Device[:], b.Device[:]) })
	if len(trusted) == 0 {
		res.Notes = append(res.Notes, model.Text{ZH: "没有任何省级公钥：设备登记未核验", EN: "no province key at all: the devices' enrollments were not checked"})
	}
	rep, err := verify.Run(context.Background(), src, verify.Options{Record: c.record, EachSignature: true, Trusted: trusted})
	if err == nil {
		res.Checked = rep
		for _, p := range rep.Problems {
			name := ""
			if p.Op != (oplog.OpID{}) {
				name = opName(p.Op)
			}
			res.Problems = append(res.Problems, Problem{Kind: p.Kind, File: name, Op: p.OpText, Msg: p.Msg})
		}
	}
	referenced := map[string]bool{}
	for i := range res.ops {
		for _, p := range protocol.BlobRefs(&res.ops[i]) {
			referenced[p] = true
		}
	}
	for _, f := range c.photos {
		id := strings.TrimPrefix(f.name, "photos/")
		sum := sha256.Sum256(f.data)
		if hex.EncodeToString(sum[:]) != id {
			res.add(KindPhoto, f.name, "照片内容与其 SHA-256 名称不符：照片被改动或替换", "the photo's bytes do not hash to its name: it was altered or replaced")
		}
		if !referenced[id] {
			res.Notes = append(res.Notes, model.Text{ZH: "照片 " + id + " 未被任何操作引用", EN: "photo " + id + " is referenced by no op"})
		}
		delete(referenced, id)
	}
	res.Notes = append(res.Notes, missingNotes(sortedKeys(referenced))...)
	if len(res.ops) > 0 {
		st := oplog.Merge(res.ops)
		res.State = &st
	}
	return res
}

// missingNotes say that photos the ops reference are not in the pack.
func missingNotes(ids []string) []model.Text {
	var out []model.Text
	for _, id := range ids {
		out = append(out, model.Text{ZH: "操作引用的照片 " + id + " 不在证据包中（制作时未持有）",
			EN: "photo " + id + " an op references is not in the pack (its maker did not hold it)"})
	}
	return out
}

// packSource is a pack's ops as a verify.Source.
type packSource struct {
	devs map[uuid.UUID]verify.Device
	logs []verify.Log
}

func (p *packSource) Devices(context.Context) (map[uuid.UUID]verify.Device, error) {
	return p.devs, nil
}

func (p *packSource) Logs(_ context.Context, fn func(verify.Log) error) error {
	for _, l := range p.logs {
		if err := fn(l); err != nil {
			return err
		}
	}
	return nil
}
