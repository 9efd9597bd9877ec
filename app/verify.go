package app

import (
	"context"
	"crypto/ed25519"
	"flag"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/lantian-tz/lantian/assets"
	"github.com/lantian-tz/lantian/internal/evidence"
	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/internal/verify"
	"github.com/lantian-tz/lantian/internal/vouch"
	"github.com/lantian-tz/lantian/model"
)

// runVerify is "lantian verify --data DIR": it checks the device store's
// history (see internal/verify) without opening a window. An encrypted
// store's passphrase comes from LANTIAN_PASSPHRASE. Devices are checked
// against the province's statements with --province-pubkey only: a
// store keeps the statements sent since servers sign them (at
// enrollment, with pulled keys), and one synced before holds none.
//
// "lantian verify PACK.zip [--province-pubkey KEY]" checks an evidence
// pack offline instead (internal/evidence), against the province keys
// the app ships (assets/province-keys.txt) and those given.
func runVerify(args []string, out io.Writer) error {
	if len(args) > 0 && strings.HasSuffix(strings.ToLower(args[0]), ".zip") {
		if g, err := model.LoadGazetteer(assets.ScopeJSON); err == nil {
			model.SetGazetteer(g)
		}
		trusted, err := vouch.ParseKeys(assets.ProvinceKeys)
		if err != nil {
			return err
		}
		return evidence.VerifyCLI(args, out, trusted)
	}
	fs := flag.NewFlagSet("lantian verify", flag.ContinueOnError)
	data := fs.String("data", "", "folder of the local store")
	ctx := context.Background()
	return verify.CLI(ctx, fs, args, out, func() (verify.Source, []ed25519.PublicKey, func(), error) {
		if *data == "" {
			return nil, nil, nil, errMsg("--data DIR is required", "需要 --data 指定本地数据文件夹")
		}
		if g, err := model.LoadGazetteer(assets.ScopeJSON); err == nil {
			model.SetGazetteer(g)
		}
		model.SetPlacesData(assets.PlacesTSVGz)
		st, err := store.Open(store.Options{Dir: *data, Passphrase: os.Getenv("LANTIAN_PASSPHRASE"),
			Logger: slog.New(slog.DiscardHandler), GCInterval: -1})
		if err != nil {
			return nil, nil, nil, err
		}
		// The statements are checked only against --province-pubkey
		// (see above).
		return st.VerifySource(), nil, func() { _ = st.Close() }, nil
	})
}

// errMsg is a command-line error in both languages.
func errMsg(en, zh string) error { return &model.Error{Msg: model.Text{ZH: zh, EN: en}} }
