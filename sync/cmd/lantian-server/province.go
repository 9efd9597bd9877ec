package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/lantian-tz/lantian/internal/vouch"
	"github.com/lantian-tz/lantian/sync/server"
)

// provinceKeyFile is the province key's file under the data directory.
const provinceKeyFile = "province.key"

// provinceKeyOption adds --province-key FILE to fs: the province's
// private key (default DATA/province.key, made at the server's first
// start, mode 0600; with --pg too, as the key never goes into the
// database others may read).
func provinceKeyOption(fs *flag.FlagSet) *string {
	return fs.String("province-key", "", "the province's ed25519 private key file that signs enrollment statements (default DATA/"+provinceKeyFile+", made at first start)")
}

// provinceKeyPath is file, or the default under data.
func provinceKeyPath(data, file string) (string, error) {
	if file != "" {
		return file, nil
	}
	if data == "" {
		return "", errors.New("--data DIR or --province-key FILE is required")
	}
	return filepath.Join(data, provinceKeyFile), nil
}

// loadProvinceKey reads the province key, creating it when create and
// there is none; a key it creates has its public half printed to out.
func loadProvinceKey(data, file string, create bool, out io.Writer) (ed25519.PrivateKey, error) {
	path, err := provinceKeyPath(data, file)
	if err != nil {
		return nil, err
	}
	if !create {
		return vouch.Load(path)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	priv, created, err := vouch.LoadOrCreate(path)
	if err != nil {
		return nil, err
	}
	if created {
		fmt.Fprintf(out, "province key created in %s (keep it secret, back it up; mode 0600)\n", path)
		fmt.Fprintf(out, "省级公钥 / province public key (add it to assets/province-keys.txt of the app):\n%s\n",
			vouch.KeyText(priv.Public().(ed25519.PublicKey)))
	}
	return priv, nil
}

// ownKeyTrusted is the server's own province public key, for the checks
// that trust it (verify, export-evidence); none when its key file does
// not exist.
func ownKeyTrusted(data, file string, out io.Writer) ([]ed25519.PublicKey, error) {
	priv, err := loadProvinceKey(data, file, false, out)
	switch {
	case err == nil:
		return []ed25519.PublicKey{priv.Public().(ed25519.PublicKey)}, nil
	case errors.Is(err, os.ErrNotExist):
		return nil, nil
	}
	return nil, err
}

// runProvinceKey is "province-key": print the province public key, or
// "province-key rotate --new FILE": sign every device's statement again
// with a new key.
func runProvinceKey(args []string, out io.Writer) error {
	if len(args) > 0 && args[0] == "rotate" {
		return runRotate(args[1:], out)
	}
	fs := flag.NewFlagSet("province-key", flag.ContinueOnError)
	data := fs.String("data", "", "data directory")
	file := provinceKeyOption(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	priv, err := loadProvinceKey(*data, *file, false, out)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, vouch.KeyText(priv.Public().(ed25519.PublicKey)))
	return nil
}

// runRotate signs every device's enrollment statement with a new
// province key (made at --new FILE when there is none there): each one
// whose statement the current key signed keeps what it said; devices
// without a valid statement are left out (and listed) unless
// --sign-unvouched, which vouches for them as the database holds them.
// The current key file is then left for the operator to retire.
func runRotate(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("province-key rotate", flag.ContinueOnError)
	data := fs.String("data", "", "data directory")
	file := provinceKeyOption(fs)
	newFile := fs.String("new", "", "file of the new province key (made when absent)")
	unvouched := fs.Bool("sign-unvouched", false, "also vouch for devices that have no statement the current key signed, as the database holds them (devices enrolled before statements were signed; check them first)")
	pgURL := pgOption(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *newFile == "" {
		return errors.New("--new FILE is required")
	}
	ctx := context.Background()
	cur, err := loadProvinceKey(*data, *file, false, out)
	if err != nil && !(errors.Is(err, os.ErrNotExist) && *unvouched) {
		return err
	}
	var trusted []ed25519.PublicKey
	if cur != nil {
		trusted = []ed25519.PublicKey{cur.Public().(ed25519.PublicKey)}
	}
	next, created, err := vouch.LoadOrCreate(*newFile)
	if err != nil {
		return err
	}
	e, err := open(ctx, *data, *pgURL, nil)
	if err != nil {
		return err
	}
	defer e.close()
	ds, err := e.store.Devices(ctx)
	if err != nil {
		return err
	}
	var signed, skipped int
	for _, d := range ds {
		st, ok := server.StatementOf(d.Device, time.Now()), false
		if sg, err := vouch.Parse(d.Statement); err == nil && len(d.Statement) > 0 {
			if s, err := sg.Check(trusted); err == nil && s.Device == d.ID && s.Key.Equal(d.PublicKey) {
				st, ok = s, true
			}
		}
		if !ok && !*unvouched {
			fmt.Fprintf(out, "left out: device %s (%s) has no statement the current key signed\n", d.ID, d.Label)
			skipped++
			continue
		}
		sg, err := vouch.Sign(next, st)
		if err != nil {
			return err
		}
		if err := e.store.Vouch(ctx, d.ID, sg.Marshal()); err != nil {
			return err
		}
		signed++
	}
	if created {
		fmt.Fprintf(out, "new province key created in %s (mode 0600)\n", *newFile)
	}
	fmt.Fprintf(out, "%d statements signed with the new key, %d left out\n", signed, skipped)
	fmt.Fprintf(out, "新省级公钥 / new province public key (add it to assets/province-keys.txt, keep the old one until every device has the new statements):\n%s\n",
		vouch.KeyText(next.Public().(ed25519.PublicKey)))
	fmt.Fprintf(out, "Start the server with --province-key %s from now on.\n", *newFile)
	return nil
}
