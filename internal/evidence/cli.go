package evidence

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/lantian-tz/lantian/internal/vouch"
)

// ErrPack is VerifyCLI's error when the pack failed its check (the
// command exits non-zero).
var ErrPack = errors.New("evidence: the pack failed verification / 证据包未通过核验")

// VerifyCLI is "verify PACK.zip [--province-pubkey KEY]... [--json]":
// it checks the pack offline against the province keys trusted (those
// given here, and those the flags add) and writes the result to out, in
// Chinese then English, or as JSON. It returns ErrPack when the pack
// fails.
func VerifyCLI(args []string, out io.Writer, trusted []ed25519.PublicKey) error {
	fs := flag.NewFlagSet("verify PACK.zip", flag.ContinueOnError)
	fs.SetOutput(out)
	asJSON := fs.Bool("json", false, "write the result as JSON")
	fs.Func("province-pubkey", "a province public key (base64) trusted to vouch for devices; may be repeated", func(s string) error {
		k, err := vouch.ParseKey(s)
		if err == nil {
			trusted = append(trusted, k)
		}
		return err
	})
	// The pack may come before or after the flags.
	var path string
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		path, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if path == "" && fs.NArg() == 1 {
		path = fs.Arg(0)
	} else if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if path == "" {
		return errors.New("verify: which pack? / 请给出证据包文件")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	res := Verify(data, trusted)
	if *asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			return err
		}
	} else {
		Print(out, path, res)
	}
	if !res.OK() {
		return ErrPack
	}
	return nil
}

// Print writes res for a person.
func Print(w io.Writer, path string, res *Result) {
	ops := 0
	if res.Checked != nil {
		ops = res.Checked.Ops
	}
	fmt.Fprintf(w, "证据包 %s：记录 %s，%d 个操作\n", path, res.Record, ops)
	fmt.Fprintf(w, "Evidence pack %s: record %s, %d ops\n", path, res.Record, ops)
	if res.OK() {
		fmt.Fprintln(w, "核验通过：清单与每个文件的哈希一致，每个操作的签名、设备登记（省级担保）、设备链与权限均无问题，记录状态已由操作重建。")
		fmt.Fprintln(w, "Verified: every file matches the manifest, and every op's signature, vouched device, chain and permission checks out; the record was rebuilt from its ops.")
	} else {
		fmt.Fprintf(w, "核验未通过，%d 个问题 / verification FAILED, %d problems:\n", len(res.Problems), len(res.Problems))
		for _, p := range res.Problems {
			where := p.File
			if p.Op != "" {
				where += " op " + p.Op
			}
			fmt.Fprintf(w, "- [%s] %s\n    %s\n    %s\n", p.Kind, where, p.Msg.ZH, p.Msg.EN)
		}
	}
	for _, n := range res.Notes {
		fmt.Fprintf(w, "注 / note: %s\n    %s\n", n.ZH, n.EN)
	}
}
