// Command lantian-server is Lantian's provincial sync server: it serves
// the version 1 sync protocol over a Badger store and a blob directory,
// and issues enrollment codes and lists devices offline.
//
//	lantian-server --data DIR --listen 127.0.0.1:8443 [--tls-cert F --tls-key F] [--admin-token-file F]
//	lantian-server code --data DIR --county 130126 --role grid [--ttl 72h] [--max-ttl 720h]
//	lantian-server code --data DIR --province 130000 --role province
//	lantian-server devices --data DIR
//	lantian-server devices revoke ID --data DIR [--withdraw [--since 2026-12-01T08:00]]
//	lantian-server import --data DIR FILE
//	lantian-server verify --data DIR [--record ID] [--county CODE] [--json] [--province-pubkey KEY]
//	lantian-server province-key --data DIR (print the province public key)
//	lantian-server province-key rotate --data DIR --new FILE [--sign-unvouched]
//	lantian-server export-evidence --data DIR --record ID -o pack.zip
//	lantian-server restored --data DIR (after restoring a backup, before serving)
//	lantian-server [--data DIR] --pg postgres://... (ops, devices and photos in PostgreSQL)
//	lantian-server help (or --help): the subcommands and the serving flags
//
// Serving plain HTTP on an address other than loopback, it warns: codes,
// tokens and records would cross the network unencrypted.
//
// Serving, the server bounds what requests may hold (see the flags):
// request body bytes in flight (--max-inflight-mib; more are refused busy
// with Retry-After), the slowest rate of a body (--min-body-rate-kib over
// --body-window; slower ones are cut), the unfinished photo uploads of a
// device (--uploads-per-device, --upload-mib-per-device; they expire
// after --upload-expiry) and the validity of enrollment codes
// (--max-code-ttl; --max-ttl for the code command).
//
// Every subcommand takes --pg too: with it, codes, devices and imported
// ops and photos go to PostgreSQL (and may be used while servers run on
// it). The first time a data directory is opened with --pg, the photos
// of its blob directory are copied into PostgreSQL and the directory is
// renamed blobs.moved-to-pg. With --pg, --data may be left out.
//
// Behind a load balancer (see packaging/nginx and packaging/systemd),
// --trusted-proxies names the proxies whose X-Forwarded-For gives the
// client address; on SIGTERM the server closes its listener, lets the
// requests in flight finish within --drain-timeout, then closes the store.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/assets"
	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/protocol"
	"github.com/lantian-tz/lantian/sync/server"
	"github.com/lantian-tz/lantian/sync/server/badgerstore"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	if err := run(os.Args[1:], os.Stdout, log); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return // the help was asked for and printed
		}
		fmt.Fprintln(os.Stderr, "lantian-server:", err)
		os.Exit(1)
	}
}

// usage is the summary of the subcommands --help prints before the
// serving flags.
const usage = `Usage:
  lantian-server [flags]                    serve the sync protocol (flags below)
  lantian-server code --data DIR ...        issue an enrollment code offline
  lantian-server devices --data DIR         list the enrolled devices
  lantian-server import --data DIR FILE     import a bundle file handed over offline
  lantian-server verify --data DIR          prove every op's history (signatures, chains, roles, vouched devices)
  lantian-server province-key --data DIR    print the province public key (rotate: sign statements with a new key)
  lantian-server export-evidence --data DIR --record ID -o pack.zip
                                            write a record's evidence pack
  lantian-server restored --data DIR        after restoring a backup (servers stopped): number new ops past the old ones
  lantian-server help                       show this help
Run 'lantian-server SUBCOMMAND --help' for a subcommand's flags.

Flags of the server:
`

// run dispatches the subcommands.
func run(args []string, out io.Writer, log *slog.Logger) error {
	if len(args) > 0 {
		switch args[0] {
		case "code":
			return runCode(args[1:], out)
		case "devices":
			return runDevices(args[1:], out)
		case "import":
			return runImport(args[1:], out, log)
		case "verify":
			return runVerify(args[1:], out)
		case "province-key":
			return runProvinceKey(args[1:], out)
		case "export-evidence":
			return runExportEvidence(args[1:], out)
		case "restored":
			return runRestored(args[1:], out)
		case "help":
			args = []string{"--help"}
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return serve(ctx, args, nil, out, log)
}

// env is what every subcommand opens.
type env struct {
	store server.Storage     // Badger under --data, or PostgreSQL with --pg
	blobs server.BlobStorage // files under --data, or PostgreSQL with --pg
	gaz   *model.Gazetteer
	close func()
}

// open opens the store and the blobs: in PostgreSQL when pgURL is set
// (moving there the photos a blob directory under dir, when given, still
// holds), else the Badger database and the blob directory under dir (one
// process at a time).
func open(ctx context.Context, dir, pgURL string, log *slog.Logger) (*env, error) {
	if dir == "" && pgURL == "" {
		return nil, errors.New("--data DIR is required (or --pg URL)")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	gaz, err := model.LoadGazetteer(assets.ScopeJSON)
	if err != nil {
		return nil, err
	}
	model.SetGazetteer(gaz)
	model.SetPlacesData(assets.PlacesTSVGz)
	if pgURL != "" {
		st, err := openPG(ctx, pgURL, log)
		if err != nil {
			return nil, err
		}
		bl := st.Blobs(0)
		if dir == "" {
			return &env{store: st, blobs: bl, gaz: gaz, close: func() { _ = st.Close() }}, nil
		}
		if err := moveFileBlobs(filepath.Join(dir, "blobs"), bl, log); err != nil {
			_ = st.Close()
			return nil, fmt.Errorf("moving the photos of %s into PostgreSQL: %w", dir, err)
		}
		return &env{store: st, blobs: bl, gaz: gaz, close: func() { _ = st.Close() }}, nil
	}
	bl, err := badgerstore.OpenBlobs(filepath.Join(dir, "blobs"), 0)
	if err != nil {
		return nil, err
	}
	st, err := badgerstore.Open(badgerstore.Options{Dir: filepath.Join(dir, "db"), Logger: log})
	if err != nil {
		return nil, err
	}
	return &env{store: st, blobs: bl, gaz: gaz, close: func() { _ = st.Close() }}, nil
}

// serve runs the server on ln (nil: listen on --listen) until ctx ends,
// then shuts it down gracefully.
func serve(ctx context.Context, args []string, ln net.Listener, out io.Writer, log *slog.Logger) error {
	fs := flag.NewFlagSet("lantian-server", flag.ContinueOnError)
	data := fs.String("data", "", "data directory (database and blobs)")
	listen := fs.String("listen", "127.0.0.1:8443", "address to listen on")
	cert := fs.String("tls-cert", "", "TLS certificate file (PEM)")
	key := fs.String("tls-key", "", "TLS private key file (PEM)")
	adminFile := fs.String("admin-token-file", "", "file holding the administrator's bearer token")
	inflight := fs.Int64("max-inflight-mib", server.DefaultMaxBodyInFlight>>20, "MiB of request bodies held at once; more are refused busy (negative: no bound)")
	rate := fs.Int64("min-body-rate-kib", server.DefaultMinBodyRate>>10, "KiB per second a request body must keep over each --body-window, else it is cut (negative: no minimum)")
	window := fs.Duration("body-window", server.DefaultBodyWindow, "window over which --min-body-rate-kib is checked")
	perDevice := fs.Int("requests-per-device", server.DefaultRequestsPerDevice, "requests one device may have in flight at once; one device also holds at most a quarter of --max-inflight-mib (negative: no bound)")
	uploads := fs.Int("uploads-per-device", server.DefaultUploadsPerDevice, "unfinished photo uploads a device may have (negative: no bound)")
	uploadMiB := fs.Int64("upload-mib-per-device", server.DefaultUploadBytesPerDevice>>20, "MiB of unfinished photo uploads a device may have (negative: no bound)")
	expiry := fs.Duration("upload-expiry", server.DefaultUploadExpiry, "how long an unfinished photo upload is kept after its last part")
	maxCodeTTL := fs.Duration("max-code-ttl", server.DefaultMaxCodeTTL, "longest validity of an enrollment code issued through the admin API")
	proxies := fs.String("trusted-proxies", "", "comma-separated addresses or CIDR prefixes of the reverse proxies in front (e.g. 127.0.0.1,10.0.0.0/8): from them X-Forwarded-For names the client, which the enrollment limit counts and the logs show; from any other peer it is ignored")
	drain := fs.Duration("drain-timeout", 20*time.Second, "on SIGTERM or SIGINT: how long requests in flight may take to finish after the listener closes; those still running then are cut")
	pgURL := pgOption(fs)
	provKey := provinceKeyOption(fs)
	fs.SetOutput(out)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch {
	case *inflight == 0 || *rate == 0 || *uploads == 0 || *uploadMiB == 0 || *perDevice == 0:
		return errors.New("--max-inflight-mib, --min-body-rate-kib, --requests-per-device, --uploads-per-device and --upload-mib-per-device must not be 0 (negative: no bound)")
	case *window <= 0 || *expiry <= 0 || *maxCodeTTL <= 0 || *drain <= 0:
		return errors.New("--body-window, --upload-expiry, --max-code-ttl and --drain-timeout must be positive")
	}
	trusted, err := server.ParseTrustedProxies(*proxies)
	if err != nil {
		return fmt.Errorf("--trusted-proxies: %w", err)
	}
	e, err := open(ctx, *data, *pgURL, log)
	if err != nil {
		return err
	}
	defer e.close()
	province, err := loadProvinceKey(*data, *provKey, true, out)
	if err != nil {
		return err
	}
	cfg := server.Config{Store: e.store, Blobs: e.blobs, Gazetteer: e.gaz, Logger: log, ProvinceKey: province,
		MaxBodyInFlight: mib(*inflight), MinBodyRate: *rate << 10, BodyWindow: *window, RequestsPerDevice: *perDevice,
		UploadsPerDevice: *uploads, UploadBytesPerDevice: mib(*uploadMiB), UploadExpiry: *expiry,
		MaxCodeTTL: *maxCodeTTL, CodeTTL: min(72*time.Hour, *maxCodeTTL), TrustedProxies: trusted}
	if *rate < 0 {
		cfg.MinBodyRate = -1
	}
	if *adminFile != "" {
		b, err := os.ReadFile(*adminFile)
		if err != nil {
			return err
		}
		tok := strings.TrimSpace(string(b))
		if len(tok) < 20 {
			return fmt.Errorf("admin token in %s is shorter than 20 characters", *adminFile)
		}
		cfg.AdminTokenHash = server.HashToken(tok)
	}
	srv, err := server.New(cfg)
	if err != nil {
		return err
	}
	errc := make(chan error, 1)
	if ln == nil {
		if ln, err = net.Listen("tcp", *listen); err != nil {
			return err
		}
	}
	*listen = ln.Addr().String()
	go func() { errc <- srv.Serve(ln, *cert, *key) }()
	scheme := "http"
	if *cert != "" {
		scheme = "https"
	}
	fmt.Fprintf(out, "lantian-server: serving protocol %s on %s://%s\n", protocol.Version, scheme, *listen)
	if *cert == "" && !loopback(ln.Addr()) {
		const warn = "serving plain HTTP on an address other machines reach: enrollment codes, device tokens and records cross the network unencrypted; give --tls-cert and --tls-key, or put a TLS proxy in front and listen on 127.0.0.1"
		log.Warn(warn, "listen", *listen)
		fmt.Fprintln(out, "WARNING: "+warn)
	}
	where := "--data " + *data
	if *pgURL != "" {
		where = "--pg URL"
		fmt.Fprintf(out, "Issue the first enrollment code with the code subcommand (it works beside the running servers),\nor with the admin API:\n")
	} else {
		fmt.Fprintf(out, "Issue the first enrollment code offline (with the server stopped: the database is single-process),\nor with the admin API while it runs:\n")
	}
	fmt.Fprintf(out, "  lantian-server code %s --county 130126 --role county --ttl 72h\n", where)
	fmt.Fprintf(out, "  curl -H 'Authorization: Bearer <admin token>' -H 'Content-Type: application/json' \\\n")
	fmt.Fprintf(out, "    -d '{\"scope\":{\"county\":\"130126\"},\"role\":\"county\"}' %s://%s%s\n", scheme, *listen, protocol.PathAdminCodes)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	return drainAndStop(srv, errc, *drain, log)
}

// drainAndStop shuts srv down gracefully: the listener closes at once
// (new connections are refused, so a load balancer sends them to another
// instance, and /healthz on connections still open answers 503), the
// requests in flight get up to timeout to finish, and those still running
// then are cut, which is reported as an error. The caller closes the store
// after it returns.
func drainAndStop(srv *server.Server, errc <-chan error, timeout time.Duration, log *slog.Logger) error {
	start := time.Now()
	log.Info("shutting down: closing the listener, finishing requests in flight", "drain_timeout", timeout.String())
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	err := srv.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		log.Warn("drain timed out: cutting the requests still in flight", "after", time.Since(start).String())
		cctx, ccancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer ccancel()
		_ = srv.Close(cctx)
		<-errc
		return fmt.Errorf("requests still in flight after --drain-timeout %v were cut", timeout)
	}
	if err != nil {
		return err
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("drained; closing the store", "took", time.Since(start).String())
	return nil
}

// loopback reports whether addr can only be reached from this machine.
func loopback(addr net.Addr) bool {
	host := addr.String()
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// mib is n MiB in bytes, or -1 (no bound) when n is negative.
func mib(n int64) int64 {
	if n < 0 {
		return -1
	}
	return n << 20
}

func runCode(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("code", flag.ContinueOnError)
	data := fs.String("data", "", "data directory")
	county := fs.String("county", "", "county code of the device (grid and county roles)")
	province := fs.String("province", "", "province code (province role)")
	role := fs.String("role", string(model.RoleGrid), "grid, county or province")
	ttl := fs.Duration("ttl", 72*time.Hour, "how long the code stays valid")
	maxTTL := fs.Duration("max-ttl", server.DefaultMaxCodeTTL, "longest validity allowed")
	pgURL := pgOption(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	e, err := open(context.Background(), *data, *pgURL, nil)
	if err != nil {
		return err
	}
	defer e.close()
	resp, err := server.IssueCode(context.Background(), e.store, e.gaz,
		protocol.Scope{Province: *province, County: *county}, model.Role(*role), *ttl, *maxTTL, time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "enrollment code: %s\nscope: province %s county %s, role %s, valid until %s\n",
		resp.Code, resp.Scope.Province, resp.Scope.County, resp.Role, time.UnixMilli(resp.Expires).Format(time.RFC3339))
	return nil
}

func runDevices(args []string, out io.Writer) error {
	if len(args) > 0 && args[0] == "revoke" {
		return runRevoke(args[1:], out)
	}
	fs := flag.NewFlagSet("devices", flag.ContinueOnError)
	data := fs.String("data", "", "data directory")
	pgURL := pgOption(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	e, err := open(context.Background(), *data, *pgURL, nil)
	if err != nil {
		return err
	}
	defer e.close()
	ds, err := e.store.Devices(context.Background())
	if err != nil {
		return err
	}
	// SET_ASIDE: the device's ops that receivers reported refusing;
	// WITHDRAWN: those no longer served since it was revoked.
	reported, err := e.store.ReportCounts(context.Background())
	if err != nil {
		return err
	}
	withdrawn, err := server.WithdrawnCounts(context.Background(), e.store)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tLABEL\tPROVINCE\tCOUNTY\tROLE\tACKED\tSET_ASIDE\tWITHDRAWN\tENROLLED\tREVOKED")
	for _, d := range ds {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%s\t%v\n", d.ID, d.Label, d.Scope.Province, d.Scope.County,
			d.Role, d.Head.Acked, reported[d.ID], withdrawn[d.ID], d.Enrolled.Format(time.DateTime), d.Revoked)
	}
	return tw.Flush()
}

// runRevoke revokes a device: devices revoke ID [--withdraw [--since T]].
// With --withdraw the server stops serving its ops accepted after T (all
// of them without --since), and the devices that applied them hold them
// at their next pull. T is Beijing time (2026-12-01T08:00) or RFC3339.
func runRevoke(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("devices revoke", flag.ContinueOnError)
	data := fs.String("data", "", "data directory")
	withdraw := fs.Bool("withdraw", false, "stop serving the device's ops (those accepted after --since; all without it)")
	sinceArg := fs.String("since", "", "withdraw the ops accepted after this time: Beijing time 2026-12-01T08:00, or RFC3339")
	pgURL := pgOption(fs)
	provKey := provinceKeyOption(fs)
	var idArg string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		idArg, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if idArg == "" && fs.NArg() > 0 {
		idArg = fs.Arg(0)
	} else if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	id, err := uuid.Parse(idArg)
	if err != nil {
		return fmt.Errorf("devices revoke ID: device id %q: %w", idArg, err)
	}
	// The time is checked before anything is revoked.
	since, err := protocol.ParseSince(*sinceArg)
	if err != nil {
		return err
	}
	if *sinceArg != "" && !*withdraw {
		return protocol.ErrBadSince.Withf("--since without --withdraw")
	}
	e, err := open(context.Background(), *data, *pgURL, nil)
	if err != nil {
		return err
	}
	defer e.close()
	ctx := context.Background()
	if _, err := e.store.Device(ctx, id); err != nil {
		return fmt.Errorf("device %s: %w", id, err)
	}
	province, err := loadProvinceKey(*data, *provKey, true, out)
	if err != nil {
		return err
	}
	w, err := server.RevokeDevice(ctx, e.store, province, id, *withdraw, since, "", time.Now())
	if err != nil {
		return err
	}
	switch {
	case !*withdraw:
		fmt.Fprintf(out, "device %s revoked; its ops stay served\n", id)
	case w.Seq == 0:
		fmt.Fprintf(out, "device %s revoked; no ops to withdraw\n", id)
	default:
		fmt.Fprintf(out, "device %s revoked; %d ops withdrawn (withdrawal %d): %s\n", id, len(w.Ops), w.Seq, w.Reason.EN)
	}
	return nil
}
