package app

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/lantian-tz/lantian/assets"
	"github.com/lantian-tz/lantian/internal/placefix"
	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/model"
)

// runPlaces is "lantian places match --data DIR [--apply --author NAME]":
// it lists the free-text township and village names of a device store
// with the codes they map to (internal/placefix), and with --apply writes
// the matched codes, signed by this device as a county user. What does not
// match is listed for a person to fix in the record's form. An encrypted
// store's passphrase comes from LANTIAN_PASSPHRASE.
func runPlaces(args []string, out io.Writer) error {
	if len(args) == 0 || args[0] != "match" {
		return errMsg("usage: lantian places match --data DIR [--apply --author NAME]", "用法：lantian places match --data 文件夹 [--apply --author 姓名]")
	}
	fs := flag.NewFlagSet("lantian places match", flag.ContinueOnError)
	fs.SetOutput(out)
	data := fs.String("data", "", "folder of the local store")
	apply := fs.Bool("apply", false, "write the matched codes")
	author := fs.String("author", "", "with --apply, the county user recorded as making the changes")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *data == "" {
		return errMsg("--data DIR is required", "需要 --data 指定本地数据文件夹")
	}
	if *apply && *author == "" {
		return errMsg("--apply needs --author NAME", "--apply 需要 --author 指定操作人")
	}
	if g, err := model.LoadGazetteer(assets.ScopeJSON); err == nil {
		model.SetGazetteer(g)
	}
	model.SetPlacesData(assets.PlacesTSVGz)
	p := model.DefaultPlaces()
	if p == nil {
		return errMsg("the places data cannot be read", "无法读取乡镇村名录")
	}
	st, err := store.Open(store.Options{Dir: *data, Passphrase: os.Getenv("LANTIAN_PASSPHRASE"),
		Logger: slog.New(slog.DiscardHandler), GCInterval: -1})
	if err != nil {
		return err
	}
	defer st.Close()
	found, err := placefix.Match(st, p)
	if err != nil {
		return err
	}
	if err := placefix.Report(out, found); err != nil {
		return err
	}
	matched := 0
	for _, f := range found {
		if f.Matched() {
			matched++
		}
	}
	fmt.Fprintf(out, "%d 个名称可对应代码，%d 个需人工修改\n%d names map to codes, %d need a person to fix\n",
		matched, len(found)-matched, matched, len(found)-matched)
	if !*apply {
		return nil
	}
	n, failed := placefix.Apply(context.Background(), st, found, *author, model.RoleCounty, time.Now())
	for _, f := range failed {
		fmt.Fprintf(out, "%s\t%v\n", f.Record, f.Err)
	}
	fmt.Fprintf(out, "已更新 %d 条记录，%d 条失败\nUpdated %d records, %d failed\n", n, len(failed), n, len(failed))
	return nil
}
