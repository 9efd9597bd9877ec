// Package verify proves a store's history from its ops alone: every op
// signed by the key its device enrolled with, every device's chain
// intact and without unexplained gaps, every change one its author's role
// could make (model.Admit replayed on the op as made), every record kept
// in its register and county, and, where the store keeps states, every
// state equal to the merge of its record's ops.
//
// One implementation serves every holder of ops: a device store
// (internal/store), the server's store (sync/server, Badger or
// PostgreSQL) and files (bundles). Each provides a Source; Run checks it,
// in parallel over all cores, and returns a Report whose problems name
// the record, the op and what is wrong in Chinese and English.
package verify

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"
	"reflect"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"
	"golang.org/x/sync/errgroup"

	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/model"
)

// Device is a device as the holder of the ops enrolled it.
type Device struct {
	ID  uuid.UUID
	Key ed25519.PublicKey
	// Role, County and Province are what it was enrolled as; an empty
	// Role means not known (the role's rules are then not replayed).
	Role     model.Role
	County   string
	Province string
	// Statement is the enrollment statement the province signed for it
	// (vouch.Signed's stored form); nil when the holder has none.
	Statement []byte

	revoked time.Time // as vouched (zero: not revoked)
}

// Log is one device's ops as the holder keeps them, in seq order.
type Log struct {
	Device uuid.UUID
	Ops    []oplog.Op
	// After[i], when After is not nil, is the seq of the op before Ops[i]
	// that the holder was meant to receive (a server serves a county only
	// the ops of that county; refused ops are never served): a gap down
	// to it is explained, and the chain across it is not checked. With
	// After nil, every seq from 1 must be held.
	After []uint64
}

// Record is one record's ops with the state the holder keeps for it
// (nil when the holder keeps none).
type Record struct {
	ID     uuid.UUID
	Ops    []oplog.Op
	Stored *oplog.State
	// Equal, when set, says whether the stored state is the given merge
	// (the holder knows how its states are stored); else the two are
	// compared field by field.
	Equal func(merged *oplog.State) bool
}

// Source is a holder of ops.
type Source interface {
	// Devices returns the enrolled devices the holder knows.
	Devices(ctx context.Context) (map[uuid.UUID]Device, error)
	// Logs calls fn with each device's log, one device at a time.
	Logs(ctx context.Context, fn func(Log) error) error
}

// StateSource is a Source that keeps a state per record (a device
// store).
type StateSource interface {
	Source
	// Records calls fn with every record's ops and stored state, and with
	// every stored state that has no ops (Ops empty).
	Records(ctx context.Context, fn func(Record) error) error
}

// Kinds of problem.
const (
	KindSignature = "signature"      // an op's signature does not verify under its device's key
	KindChain     = "chain"          // an op does not name the hash of the op before it
	KindGap       = "gap"            // ops of a device are missing between two it holds
	KindDevice    = "unknown_device" // ops of a device the holder never enrolled
	KindAdmission = "admission"      // a change its author's role or scope could not make
	KindMoved     = "record_moved"   // an op moves a record to another register or county
	KindState     = "state"          // a stored state differs from the merge of its ops
	KindMalformed = "malformed"      // an op that does not decode or has a bad shape
	KindUnvouched = "unvouched"      // an op of a device the province did not vouch for (or after its revocation)
)

// Problem is one thing wrong.
type Problem struct {
	Kind   string     `json:"kind"`
	Record uuid.UUID  `json:"record,omitzero"`
	Op     oplog.OpID `json:"-"`
	OpText string     `json:"op,omitempty"` // Op as device/seq
	Msg    model.Text `json:"message"`
}

// Report is what Run found.
type Report struct {
	Records  int            `json:"records"`
	Ops      int            `json:"ops"`
	Devices  int            `json:"devices"`
	ByKind   map[string]int `json:"problems_by_kind"`
	Problems []Problem      `json:"problems"`
	Elapsed  time.Duration  `json:"-"`
	Seconds  float64        `json:"seconds"`
	// Vouched says that devices were checked against the province's
	// enrollment statements (Options.Trusted was given).
	Vouched bool `json:"devices_vouched"`
}

// OK reports a report without problems.
func (r *Report) OK() bool { return len(r.Problems) == 0 }

// Options narrow a run.
type Options struct {
	// Record, when set, checks only that record's ops (chains are still
	// followed through the other ops, whose signatures are not checked).
	Record uuid.UUID
	// County, when set, checks only the ops of records of that county.
	County string
	// Workers bounds the parallel work (all cores when 0).
	Workers int
	// EachSignature checks every op's own signature; else an op whose
	// successor names its hash is vouched for by the successor's (see
	// run.log), which proves the same content at a fraction of the cost.
	EachSignature bool
	// Trusted are the province public keys whose enrollment statements
	// vouch for devices. When given, every op's device must have a
	// statement signed by one of them naming the key the op verifies
	// under, and the op must not be made after the statement's
	// revocation; the role and scope replayed are the statement's.
	Trusted []ed25519.PublicKey
}

// chunk is the number of ops whose signatures one job checks.
const chunk = 512

// Run checks src and returns what it found. Its error is the source's
// (a storage error), never a problem of the ops.
func Run(ctx context.Context, src Source, opt Options) (*Report, error) {
	start := time.Now()
	devs, err := src.Devices(ctx)
	if err != nil {
		return nil, err
	}
	v := &run{opt: opt, devs: devs, homes: map[uuid.UUID]home{}, rep: &Report{ByKind: map[string]int{}, Vouched: len(opt.Trusted) > 0}}
	g, gctx := errgroup.WithContext(ctx)
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	g.SetLimit(workers)
	err = src.Logs(gctx, func(l Log) error {
		v.log(g, l)
		return nil
	})
	if werr := g.Wait(); err == nil {
		err = werr
	}
	if err != nil {
		return nil, err
	}
	if ss, ok := src.(StateSource); ok {
		if err := ss.Records(ctx, v.record); err != nil {
			return nil, err
		}
	} else {
		v.rep.Records = len(v.homes)
	}
	slices.SortStableFunc(v.rep.Problems, func(a, b Problem) int {
		if c := bytes.Compare(a.Record[:], b.Record[:]); c != 0 {
			return c
		}
		return oplog.CompareOpID(a.Op, b.Op)
	})
	for i := range v.rep.Problems {
		p := &v.rep.Problems[i]
		if p.Op != (oplog.OpID{}) {
			p.OpText = p.Op.String()
		}
		v.rep.ByKind[p.Kind]++
	}
	v.rep.Elapsed = time.Since(start)
	v.rep.Seconds = v.rep.Elapsed.Seconds()
	return v.rep, nil
}

// home is where a record lives: the register and county its first op
// (in the order logs were read) named.
type home struct {
	register, county string
	first            oplog.OpID
}

// run is one Run's state.
type run struct {
	opt  Options
	devs map[uuid.UUID]Device

	mu    sync.Mutex
	homes map[uuid.UUID]home
	rep   *Report
}

// add records problems.
func (v *run) add(ps ...Problem) {
	if len(ps) == 0 {
		return
	}
	v.mu.Lock()
	v.rep.Problems = append(v.rep.Problems, ps...)
	v.mu.Unlock()
}

// wanted reports whether the options select op o.
func (v *run) wanted(o *oplog.Op) bool {
	return (v.opt.Record == uuid.Nil || o.Record == v.opt.Record) && (v.opt.County == "" || o.County == v.opt.County)
}

// log checks one device's log: its chain and gaps here, its signatures
// and admissions in parallel jobs of chunk ops.
//
// Unless Options.EachSignature, an op whose successor in the log names
// its hash (a contiguous, linked run) is vouched for by that successor:
// SHA-256 chains the run, so a valid signature on the run's last op
// authenticates every op of it (see oplog.VerifyRun), and only ops that
// end a run have their own signature checked. When one fails, every op of
// its run is checked on its own, so that the report names each bad one.
func (v *run) log(g *errgroup.Group, l Log) {
	dev, known := v.devs[l.Device]
	var unvouched *model.Text
	if known && len(v.opt.Trusted) > 0 {
		dev, unvouched = vouched(dev, v.opt.Trusted)
	}
	v.mu.Lock()
	v.rep.Devices++
	v.mu.Unlock()
	var ps []Problem
	hashes := make([]oplog.Hash, len(l.Ops))
	linked := make([]bool, len(l.Ops)) // linked[i]: op i+1 names op i's hash
	for i := range l.Ops {
		o := &l.Ops[i]
		if err := o.CheckShape(); err != nil {
			ps = append(ps, Problem{Kind: KindMalformed, Record: o.Record, Op: o.ID(), Msg: textOf(err)})
			continue
		}
		hashes[i] = o.Hash()
		if o.Device != l.Device {
			ps = append(ps, Problem{Kind: KindChain, Record: o.Record, Op: o.ID(),
				Msg: model.Text{ZH: fmt.Sprintf("该操作出现在设备 %s 的日志中", l.Device), EN: fmt.Sprintf("op found in the log of device %s", l.Device)}})
			continue
		}
		lp := v.link(l, i, hashes)
		if len(lp) == 0 && i > 0 && hashes[i-1] != (oplog.Hash{}) && o.Seq == l.Ops[i-1].Seq+1 {
			linked[i-1] = true
		}
		ps = append(ps, lp...)
	}
	ps = append(ps, v.homesOf(l.Ops)...)
	v.add(ps...)
	j := &logJob{dev: dev, known: known, unvouched: unvouched, ops: l.Ops, hashes: hashes, linked: linked}
	for start := 0; start < len(l.Ops); start += chunk {
		g.Go(func() error {
			v.checkOps(j, start, min(start+chunk, len(l.Ops)))
			return nil
		})
	}
	v.mu.Lock()
	v.rep.Ops += len(l.Ops)
	v.mu.Unlock()
}

// logJob is one device's log being checked.
type logJob struct {
	dev   Device
	known bool
	// unvouched says why the device has no valid statement (nil when it
	// has one, or none is asked for).
	unvouched *model.Text
	ops       []oplog.Op
	hashes    []oplog.Hash
	linked    []bool
}

// link checks that op i of l follows the op before it: the next seq
// whose Prev is that op's hash, or a gap the holder explains.
func (v *run) link(l Log, i int, hashes []oplog.Hash) []Problem {
	o := &l.Ops[i]
	prevSeq, prevHash := uint64(0), oplog.Hash{}
	if i > 0 {
		prevSeq, prevHash = l.Ops[i-1].Seq, hashes[i-1]
	}
	if o.Seq <= prevSeq {
		return []Problem{{Kind: KindChain, Record: o.Record, Op: o.ID(), Msg: model.Text{
			ZH: fmt.Sprintf("序号 %d 排在 %d 之后", o.Seq, prevSeq), EN: fmt.Sprintf("seq %d after %d", o.Seq, prevSeq)}}}
	}
	if o.Seq != prevSeq+1 {
		if l.After != nil && l.After[i] == prevSeq {
			return nil // a gap the holder explains (ops of other counties, refused ops)
		}
		return []Problem{{Kind: KindGap, Record: o.Record, Op: o.ID(), Msg: model.Text{
			ZH: fmt.Sprintf("设备 %s 缺少序号 %d–%d 的操作", o.Device, prevSeq+1, o.Seq-1),
			EN: fmt.Sprintf("device %s: ops %d–%d are missing", o.Device, prevSeq+1, o.Seq-1)}}}
	}
	if prevSeq == 0 && o.Seq != 1 {
		return nil
	}
	if err := oplog.CheckLink(oplog.Link{Device: o.Device, Seq: prevSeq, Hash: prevHash}, o); err != nil {
		return []Problem{{Kind: KindChain, Record: o.Record, Op: o.ID(), Msg: model.Text{
			ZH: fmt.Sprintf("未指向前一操作（序号 %d）的哈希：此前的操作被改动或替换", prevSeq),
			EN: fmt.Sprintf("does not name the hash of op %d before it: an earlier op was changed or replaced", prevSeq)}}}
	}
	return nil
}

// homesOf checks that each op keeps its record's register and county
// (model.KeepsRecord), the first op read fixing them.
func (v *run) homesOf(ops []oplog.Op) []Problem {
	var ps []Problem
	v.mu.Lock()
	defer v.mu.Unlock()
	for i := range ops {
		o := &ops[i]
		h, ok := v.homes[o.Record]
		if !ok {
			v.homes[o.Record] = home{register: o.Register, county: o.County, first: o.ID()}
			continue
		}
		if !v.wanted(o) {
			continue
		}
		if err := model.KeepsRecord(h.register, h.county, o.Register, o.County); err != nil {
			ps = append(ps, Problem{Kind: KindMoved, Record: o.Record, Op: o.ID(), Msg: textOf(err)})
		}
	}
	return ps
}

// checkOps checks ops [from, to) of j: signatures under the device's
// key (see log for which), and their admission as changes made by the
// device's role.
func (v *run) checkOps(j *logJob, from, to int) {
	var ps []Problem
	each := v.opt.EachSignature || v.opt.Record != uuid.Nil || v.opt.County != ""
	for i := from; i < to; i++ {
		o := &j.ops[i]
		if j.hashes[i] == (oplog.Hash{}) || !v.wanted(o) {
			continue // malformed (reported), or not asked for
		}
		if !j.known {
			ps = append(ps, Problem{Kind: KindDevice, Record: o.Record, Op: o.ID(), Msg: model.Text{
				ZH: fmt.Sprintf("设备 %s 未登记：无法确认签名", o.Device),
				EN: fmt.Sprintf("device %s was never enrolled: its signature cannot be checked", o.Device)}})
			continue
		}
		if j.unvouched != nil {
			ps = append(ps, Problem{Kind: KindUnvouched, Record: o.Record, Op: o.ID(), Msg: *j.unvouched})
			continue
		}
		if !j.dev.revoked.IsZero() && o.HLC.Time().After(j.dev.revoked) {
			ps = append(ps, Problem{Kind: KindUnvouched, Record: o.Record, Op: o.ID(), Msg: model.Text{
				ZH: fmt.Sprintf("设备未获省级担保：该操作签于设备被吊销（%s）之后", j.dev.revoked.Format(time.RFC3339)),
				EN: fmt.Sprintf("device not vouched by the province: the op was signed after the device was revoked (%s)", j.dev.revoked.Format(time.RFC3339))}})
		}
		if each || !j.linked[i] {
			if err := o.VerifySigHashed(j.dev.Key, j.hashes[i]); err != nil {
				ps = append(ps, badSig(o))
				if !each { // the ops it vouched for, each on its own
					for k := i - 1; k >= 0 && j.linked[k]; k-- {
						if j.ops[k].VerifySigHashed(j.dev.Key, j.hashes[k]) != nil {
							ps = append(ps, badSig(&j.ops[k]))
						}
					}
				}
			}
		}
		if err := admit(j.dev, o); err != nil {
			ps = append(ps, Problem{Kind: KindAdmission, Record: o.Record, Op: o.ID(), Msg: textOfIn(o.Register, err)})
		}
	}
	v.add(ps...)
}

func badSig(o *oplog.Op) Problem {
	return Problem{Kind: KindSignature, Record: o.Record, Op: o.ID(), Msg: model.Text{
		ZH: "签名与设备登记的公钥不符：操作内容被改动，或不是该设备签发",
		EN: "the signature does not verify under the key the device enrolled with: the op was changed, or not signed by that device"}}
}

// admit replays the admission of o as a change made by dev's role in its
// scope, at the op's time.
func admit(dev Device, o *oplog.Op) error {
	sc, ok := model.Lookup(o.Register)
	if !ok {
		return model.E("verify", model.ErrInvalid, model.Text{ZH: "未知台账 " + o.Register, EN: "unknown register " + o.Register})
	}
	_, err := model.Admit(sc, nil, model.Change{Register: o.Register, County: o.County, Set: o.Set,
		Author: model.Author{Name: o.Author, Role: dev.Role, County: dev.County},
		Now:    o.HLC.Time(), Made: true})
	return err
}

// record compares a record's stored state with the merge of its ops.
func (v *run) record(r Record) error {
	v.mu.Lock()
	v.rep.Records++
	v.mu.Unlock()
	if v.opt.Record != uuid.Nil && r.ID != v.opt.Record {
		return nil
	}
	if len(r.Ops) == 0 {
		v.add(Problem{Kind: KindState, Record: r.ID, Msg: model.Text{
			ZH: "有记录状态但没有任何操作：状态是直接写入的", EN: "a state without any op: it was written directly"}})
		return nil
	}
	if v.opt.County != "" && r.Ops[0].County != v.opt.County {
		return nil
	}
	want := oplog.Merge(r.Ops)
	switch {
	case r.Stored == nil:
		v.add(Problem{Kind: KindState, Record: r.ID, Msg: model.Text{
			ZH: fmt.Sprintf("有 %d 个操作但没有记录状态", len(r.Ops)), EN: fmt.Sprintf("%d ops but no state", len(r.Ops))}})
	case r.Equal != nil && !r.Equal(&want), r.Equal == nil && !reflect.DeepEqual(r.Stored, &want):
		v.add(Problem{Kind: KindState, Record: r.ID, Msg: model.Text{
			ZH: fmt.Sprintf("记录状态与其 %d 个操作合并的结果不同：状态被直接改动", len(r.Ops)),
			EN: fmt.Sprintf("the stored state differs from the merge of its %d ops: it was changed directly", len(r.Ops))}})
	}
	return nil
}

// textOf is an error's bilingual text.
func textOf(err error) model.Text { return textOfIn("", err) }

// textOfIn is an error's bilingual text: each field's error named by the
// field's label in register's schema (its key when unknown), else the
// error's message.
func textOfIn(register string, err error) model.Text {
	if fes := model.FieldErrors(err); len(fes) > 0 {
		sc, _ := model.Lookup(register)
		var t model.Text
		for i, fe := range fes {
			label := model.Text{ZH: fe.Field, EN: fe.Field}
			if sc != nil {
				if f, ok := sc.Field(fe.Field); ok {
					label = f.Label
				}
			}
			if i > 0 {
				t.ZH += "；"
				t.EN += "; "
			}
			t.ZH += label.ZH + "：" + fe.Msg.ZH
			t.EN += label.EN + ": " + fe.Msg.EN
		}
		return t
	}
	if t, ok := model.MsgOf(err); ok {
		return t
	}
	return model.Text{ZH: err.Error(), EN: err.Error()}
}
