package verify

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/vouch"
)

// ErrProblems is CLI's error when the check found problems (the command
// exits non-zero).
var ErrProblems = errors.New("verify: problems found / 发现问题")

// CLI is the verify command shared by the app (lantian verify) and the
// server (lantian-server verify). fs holds the caller's own flags (where
// the ops are); CLI adds --record, --county and --json, parses args,
// opens the source, runs the check and writes the report to out: a
// summary and each problem in Chinese and English, or JSON. It returns
// ErrProblems when the check found any. The province keys trusted to
// vouch for devices are those open returns (the app's shipped ones, the
// server's own) and those given with --province-pubkey.
func CLI(ctx context.Context, fs *flag.FlagSet, args []string, out io.Writer, open func() (Source, []ed25519.PublicKey, func(), error)) error {
	var keys keyList
	fs.Var(&keys, "province-pubkey", "a province public key (base64) trusted to vouch for devices; may be repeated")
	record := fs.String("record", "", "check only this record (its id)")
	county := fs.String("county", "", "check only the records of this county (its code)")
	asJSON := fs.Bool("json", false, "write the report as JSON")
	each := fs.Bool("each-signature", false, "check every op's own signature (by default one per chained run, which proves the same content)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var opt Options
	if *record != "" {
		id, err := uuid.Parse(*record)
		if err != nil {
			return fmt.Errorf("--record %q 不是记录编号 / is not a record id: %w", *record, err)
		}
		opt.Record = id
	}
	opt.County, opt.EachSignature = *county, *each
	src, trusted, closeSrc, err := open()
	if err != nil {
		return err
	}
	defer closeSrc()
	opt.Trusted = append(trusted, keys...)
	rep, err := Run(ctx, src, opt)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		Print(out, rep)
	}
	if !rep.OK() {
		return ErrProblems
	}
	return nil
}

// Print writes rep for a person: the summary, then each problem.
func Print(w io.Writer, rep *Report) {
	fmt.Fprintf(w, "已核验 %d 条记录、%d 个操作、%d 台设备，用时 %.1f 秒（每秒 %.0f 个操作）\n",
		rep.Records, rep.Ops, rep.Devices, rep.Seconds, float64(rep.Ops)/max(rep.Seconds, 1e-9))
	fmt.Fprintf(w, "Checked %d records, %d ops, %d devices in %.1f s (%.0f ops/s)\n",
		rep.Records, rep.Ops, rep.Devices, rep.Seconds, float64(rep.Ops)/max(rep.Seconds, 1e-9))
	if !rep.Vouched {
		fmt.Fprintln(w, "注意：未给出省级公钥，设备的登记声明未核验（用 --province-pubkey 给出）。")
		fmt.Fprintln(w, "Note: no province public key given; the devices' enrollment statements were not checked (give --province-pubkey).")
	}
	if rep.OK() {
		fmt.Fprintln(w, "未发现问题：每个操作的签名、设备链、权限与记录状态均核验无误。")
		fmt.Fprintln(w, "No problems: every op's signature, device chain, permission and record state checks out.")
		return
	}
	kinds := make([]string, 0, len(rep.ByKind))
	for k := range rep.ByKind {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	fmt.Fprintf(w, "发现 %d 个问题 / %d problems:", len(rep.Problems), len(rep.Problems))
	for _, k := range kinds {
		fmt.Fprintf(w, " %s %d", k, rep.ByKind[k])
	}
	fmt.Fprintln(w)
	for _, p := range rep.Problems {
		fmt.Fprintf(w, "- [%s] 记录 record %s", p.Kind, p.Record)
		if p.OpText != "" {
			fmt.Fprintf(w, " 操作 op %s", p.OpText)
		}
		fmt.Fprintf(w, "\n    %s\n    %s\n", p.Msg.ZH, p.Msg.EN)
	}
}

// keyList is a repeatable flag of province public keys.
type keyList []ed25519.PublicKey

func (k *keyList) String() string { return fmt.Sprint(len(*k), " keys") }

func (k *keyList) Set(s string) error {
	key, err := vouch.ParseKey(s)
	if err != nil {
		return err
	}
	*k = append(*k, key)
	return nil
}
