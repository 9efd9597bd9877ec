package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	crand "crypto/rand"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"
	"golang.org/x/sync/errgroup"

	"github.com/lantian-tz/lantian/internal/hlc"
	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/protocol"
)

// loadConfig is one load run: Devices devices spread over Counties
// counties of 河北省, each making Ops ops per round for Rounds rounds, all
// devices at once; every round each device pushes its ops and then pulls
// its county until the server has nothing more.
type loadConfig struct {
	Devices, Counties, Ops, Rounds int
	// Seed makes the run's choices (which records are edited) repeatable.
	Seed uint64
}

// loadResult is what a load run measured. A device's error ends that
// device's run; Errors lists them (the run itself still completes).
type loadResult struct {
	Devices  int
	Pushed   int           // ops the server applied
	Served   int           // ops the devices received in pulls
	Requests int           // HTTP requests made (enroll, push, pull)
	Elapsed  time.Duration // from the first enrollment to the last pull
	Syncs    []time.Duration
	Errors   []string
	// Missing counts, over all devices, ops of their county that the
	// server applied but the device never received; Extra counts ops
	// received that are not of its county or were received twice.
	Missing, Extra int
	ServerHWM      float64 // server VmHWM in MB (0 when in-process)
}

// loadDevice is one simulated device: it speaks the protocol directly
// (its own key, chain and cursor) so that a thousand of them fit in one
// process; the server cannot tell it from the app's client.
type loadDevice struct {
	id     uuid.UUID
	priv   ed25519.PrivateKey
	token  string
	county string
	seq    uint64
	prev   oplog.Hash
	cursor uint64
	made   int
	recs   []uuid.UUID                          // records of its county it knows (own and pulled)
	fields map[uuid.UUID]map[string]model.Value // their fields as it knows them
	got    map[oplog.OpID]bool
	rng    *rand.Rand
}

// runLoad is the load subcommand: it starts the lantian-server binary on
// a fresh data directory and runs the load against it.
func runLoad(args []string) error {
	fl := flag.NewFlagSet("load", flag.ContinueOnError)
	c := loadConfig{}
	fl.IntVar(&c.Devices, "devices", 1000, "devices syncing at once")
	fl.IntVar(&c.Counties, "counties", 50, "counties the devices are spread over")
	fl.IntVar(&c.Ops, "ops", 10, "ops each device makes per round")
	fl.IntVar(&c.Rounds, "rounds", 2, "rounds of make, push and pull")
	fl.Uint64Var(&c.Seed, "seed", 1, "random seed")
	serverBin := fl.String("server", "bin/lantian-server", "lantian-server binary")
	pg := fl.String("pg", "", "PostgreSQL URL for the server (--pg); empty: Badger in the work directory")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if err := installGazetteer(); err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "lantian-load-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	admin := hex.EncodeToString(randBytes(24))
	tokFile := filepath.Join(work, "admin-token")
	if err := os.WriteFile(tokFile, []byte(admin), 0o600); err != nil {
		return err
	}
	sargs := []string{"--data", filepath.Join(work, "server"), "--listen", "127.0.0.1:0", "--admin-token-file", tokFile}
	if *pg != "" {
		sargs = append(sargs, "--pg", *pg)
	}
	srv, addr, err := startServer(exec.Command(*serverBin, sargs...), filepath.Join(work, "server.log"), lantianRE)
	if err != nil {
		return err
	}
	defer srv.stop()
	res, err := loadRun(context.Background(), "http://"+addr, admin, c)
	if err != nil {
		return err
	}
	res.ServerHWM = hwm(srv.pid()) / 1024
	printLoad(os.Stdout, c, res)
	if len(res.Errors) > 0 || res.Missing > 0 || res.Extra > 0 {
		return fmt.Errorf("%d device errors, %d ops missing, %d extra", len(res.Errors), res.Missing, res.Extra)
	}
	return nil
}

// printLoad writes the run's figures.
func printLoad(w io.Writer, c loadConfig, r loadResult) {
	slices.Sort(r.Syncs)
	q := func(p float64) time.Duration {
		if len(r.Syncs) == 0 {
			return 0
		}
		return r.Syncs[min(len(r.Syncs)-1, int(p*float64(len(r.Syncs))))].Round(time.Millisecond)
	}
	fmt.Fprintf(w, "load: %d devices in %d counties, %d rounds of %d ops each\n", c.Devices, c.Counties, c.Rounds, c.Ops)
	fmt.Fprintf(w, "load: %d ops applied, %d served to devices, %d requests in %s (%.0f requests/s)\n",
		r.Pushed, r.Served, r.Requests, r.Elapsed.Round(time.Millisecond), float64(r.Requests)/r.Elapsed.Seconds())
	fmt.Fprintf(w, "load: sync (push + pulls) median %s, p90 %s, p99 %s, max %s\n", q(0.5), q(0.9), q(0.99), q(1))
	fmt.Fprintf(w, "load: %d device errors, %d ops missing, %d extra; server VmHWM %.0f MB\n",
		len(r.Errors), r.Missing, r.Extra, r.ServerHWM)
	for i, e := range r.Errors {
		if i == 10 {
			fmt.Fprintf(w, "load: … %d more errors\n", len(r.Errors)-10)
			break
		}
		fmt.Fprintln(w, "load: error:", e)
	}
}

// loadRun enrolls c.Devices devices at the server at base (codes issued
// with the admin token) and runs the rounds, every device concurrently.
// At the end every device must hold exactly the ops of its county that
// the server applied (its own included, as pushed).
func loadRun(ctx context.Context, base, admin string, c loadConfig) (loadResult, error) {
	counties := hebeiCounties(c.Counties)
	if len(counties) < c.Counties {
		return loadResult{}, fmt.Errorf("the gazetteer has %d counties of 河北省, not %d", len(counties), c.Counties)
	}
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}, Timeout: 2 * time.Minute}
	l := &loader{base: base, hc: hc}
	devs := make([]*loadDevice, c.Devices)
	for i := range devs {
		devs[i] = &loadDevice{county: counties[i%len(counties)], got: map[oplog.OpID]bool{},
			fields: map[uuid.UUID]map[string]model.Value{},
			rng:    rand.New(rand.NewPCG(c.Seed, uint64(i)))}
	}
	t0 := time.Now()
	var g errgroup.Group
	g.SetLimit(32)
	for _, d := range devs {
		g.Go(func() error { return l.enroll(ctx, admin, d) })
	}
	if err := g.Wait(); err != nil {
		return loadResult{}, fmt.Errorf("enrollment: %w", err)
	}
	var mu sync.Mutex
	res := loadResult{Devices: c.Devices}
	applied := map[string][]oplog.OpID{} // county → ops the server applied
	failed := make([]bool, len(devs))
	for round := range c.Rounds {
		var wg sync.WaitGroup
		for i, d := range devs {
			if failed[i] {
				continue
			}
			wg.Go(func() {
				start := time.Now()
				ids, err := l.round(ctx, d, c.Ops)
				took := time.Since(start)
				mu.Lock()
				defer mu.Unlock()
				applied[d.county] = append(applied[d.county], ids...)
				res.Pushed += len(ids)
				if err != nil {
					failed[i] = true
					res.Errors = append(res.Errors, fmt.Sprintf("round %d, device %d (%s): %v", round+1, i, d.county, err))
					return
				}
				res.Syncs = append(res.Syncs, took)
			})
		}
		wg.Wait()
	}
	// A last pull for each device, so that every device has seen the
	// ops pushed after its own last pull.
	var wg sync.WaitGroup
	for i, d := range devs {
		if failed[i] {
			continue
		}
		wg.Go(func() {
			if err := l.pullAll(ctx, d); err != nil {
				mu.Lock()
				failed[i] = true
				res.Errors = append(res.Errors, fmt.Sprintf("last pull, device %d: %v", i, err))
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	res.Elapsed = time.Since(t0)
	res.Requests = l.requests()
	for i, d := range devs {
		res.Served += len(d.got)
		if failed[i] {
			continue
		}
		want := map[oplog.OpID]bool{}
		for _, id := range applied[d.county] {
			want[id] = true
		}
		for id := range want {
			if !d.got[id] {
				res.Missing++
			}
		}
		for id := range d.got {
			if !want[id] {
				res.Extra++
			}
		}
	}
	return res, nil
}

// hebeiCounties returns the first n county codes of 河北省 in the
// gazetteer.
func hebeiCounties(n int) []string {
	var out []string
	for _, c := range model.DefaultGazetteer().CountiesOf("130000") {
		if len(out) == n {
			break
		}
		out = append(out, c.Code)
	}
	return out
}

// loader holds what the devices share: the server and the HTTP client.
type loader struct {
	base string
	hc   *http.Client
	mu   sync.Mutex
	n    int
}

func (l *loader) requests() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.n
}

// post sends body to path with the bearer token and returns the response
// body of a 200, or an error that says what the server answered.
func (l *loader) post(ctx context.Context, path, token, ctype string, body []byte) ([]byte, error) {
	l.mu.Lock()
	l.n++
	l.mu.Unlock()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, l.base+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", ctype)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := l.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := protocol.ReadBody(resp.Body, resp.Header.Get("Content-Encoding"), protocol.MaxPullBytes*4)
	if err != nil {
		return nil, fmt.Errorf("%s: reading the answer: %w", path, err)
	}
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusCreated {
		return nil, fmt.Errorf("%s: %s", path, protocol.DecodeError(resp.StatusCode, b).Error())
	}
	return b, nil
}

// enroll issues a county-role code for d's county and enrolls d with a
// new key.
func (l *loader) enroll(ctx context.Context, admin string, d *loadDevice) error {
	body, _ := json.Marshal(protocol.CodeRequest{Scope: protocol.Scope{County: d.county}, Role: model.RoleCounty})
	b, err := l.post(ctx, protocol.PathAdminCodes, admin, protocol.ContentTypeJSON, body)
	if err != nil {
		return err
	}
	var code protocol.CodeResponse
	if err := json.Unmarshal(b, &code); err != nil {
		return err
	}
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		return err
	}
	d.id, d.priv = uuid.Must(uuid.NewV7()), priv
	body, _ = json.Marshal(protocol.EnrollRequest{Code: code.Code, Device: d.id, PublicKey: pub, Label: "load " + d.county})
	if b, err = l.post(ctx, protocol.PathEnroll, "", protocol.ContentTypeJSON, body); err != nil {
		return err
	}
	var er protocol.EnrollResponse
	if err := json.Unmarshal(b, &er); err != nil {
		return err
	}
	d.token = er.Token
	return nil
}

// round makes n ops on d (new dust-fall points, then edits of points of
// its county, its own or pulled), pushes them and pulls until done. It
// returns the ids of the ops the server applied.
func (l *loader) round(ctx context.Context, d *loadDevice, n int) ([]oplog.OpID, error) {
	ops := make([]oplog.Op, 0, n)
	for range n {
		o, err := d.next()
		if err != nil {
			return nil, err
		}
		ops = append(ops, o)
	}
	body, err := protocol.EncodePush(protocol.PushRequest{Device: d.id, Ops: ops})
	if err != nil {
		return nil, err
	}
	b, err := l.post(ctx, protocol.PathPush, d.token, protocol.ContentTypeOps, body)
	if err != nil {
		return nil, err
	}
	pr, err := protocol.DecodePushResponse(b)
	if err != nil {
		return nil, err
	}
	var ids []oplog.OpID
	for i, r := range pr.Receipts {
		if r.Status != protocol.StatusApplied {
			return ids, fmt.Errorf("op %d %s/%s: %v", ops[i].Seq, r.Status, r.Code, r.Msg)
		}
		ids = append(ids, ops[i].ID())
	}
	if len(ids) != len(ops) || pr.Acked != d.seq {
		return ids, fmt.Errorf("push of %d ops: %d receipts, acked %d of %d", len(ops), len(ids), pr.Acked, d.seq)
	}
	return ids, l.pullAll(ctx, d)
}

// pullAll pulls d's county until the server has nothing more, counting
// every op received (its own included: a load device asks for them).
func (l *loader) pullAll(ctx context.Context, d *loadDevice) error {
	for {
		body, _ := json.Marshal(protocol.PullRequest{Cursor: d.cursor})
		b, err := l.post(ctx, protocol.PathPull, d.token, protocol.ContentTypeJSON, body)
		if err != nil {
			return err
		}
		page, err := protocol.DecodePull(b)
		if err != nil {
			return err
		}
		if page.Cursor < d.cursor {
			return fmt.Errorf("pull: cursor went back from %d to %d", d.cursor, page.Cursor)
		}
		for _, o := range page.Ops {
			if d.got[o.ID()] {
				return fmt.Errorf("pull: op %s/%d served twice", o.Device, o.Seq)
			}
			d.got[o.ID()] = true
			if o.County != d.county {
				return fmt.Errorf("pull: op of county %s served to a device of %s", o.County, d.county)
			}
			if o.Device != d.id {
				d.learn(o.Record, o.Set)
			}
		}
		d.cursor = page.Cursor
		if !page.More {
			return nil
		}
	}
}

// next is d's next op: a new dust-fall point for its first ops, then an
// edit of a known point (its own or another device's of the county),
// admitted by model.Admit as the app would, signed and chained.
func (d *loadDevice) next() (oplog.Op, error) {
	sc, _ := model.Lookup("dustfall_point")
	now := time.Now()
	author := model.Author{Name: "load", Role: model.RoleCounty, County: d.county}
	ch := model.Change{Register: sc.Name, County: d.county, Author: author, Now: now}
	var rec uuid.UUID
	var cur *model.Record
	if len(d.recs) < 2 || d.rng.IntN(3) == 0 {
		d.made++
		rec = uuid.Must(uuid.NewV7())
		ch.Set = map[string]model.Value{
			"point_no":   model.Str(fmt.Sprintf("%s-JC-%s-%d", d.county, d.id.String()[:8], d.made)),
			"name":       model.Str(fmt.Sprintf("负载测试点位%d", d.made)),
			"point_type": model.Str("regular"),
			"township":   model.Str("负载镇"),
			"location":   model.GPS(model.Point{Lat: 38.1 + d.rng.Float64()/10, Lon: 114.5 + d.rng.Float64()/10}),
		}
	} else {
		rec = d.recs[d.rng.IntN(len(d.recs))]
		cur = &model.Record{Register: sc.Name, County: d.county, Fields: d.fields[rec], Now: now}
		ch.Set = map[string]model.Value{"install_height_m": model.Decimal(float64(1 + d.rng.IntN(90)))}
	}
	adm, err := model.Admit(sc, cur, ch)
	if err != nil {
		return oplog.Op{}, fmt.Errorf("the load's own change is not admitted: %w", err)
	}
	d.learn(rec, adm.Set)
	d.seq++
	o := oplog.Op{Device: d.id, Seq: d.seq, HLC: hlc.Make(now.UnixMilli(), uint16(d.seq)), Record: rec,
		Register: adm.Register, County: adm.County, Author: author.Name, Set: adm.Set, Prev: d.prev}
	o.Sign(d.priv)
	d.prev = o.Hash()
	return o, nil
}

// learn records the fields set on record rec (a new record when d did
// not know it).
func (d *loadDevice) learn(rec uuid.UUID, set map[string]model.Value) {
	f, ok := d.fields[rec]
	if !ok {
		f = map[string]model.Value{}
		d.fields[rec] = f
		d.recs = append(d.recs, rec)
	}
	for k, v := range set {
		f[k] = v
	}
}

func randBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := crand.Read(b); err != nil {
		panic(err)
	}
	return b
}
