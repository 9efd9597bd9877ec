package store

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/model"
)

// crashDirEnv names the store directory of TestCrashChild.
const crashDirEnv = "LANTIAN_STORE_CRASH_DIR"

// TestCrashChild is the process TestCrash kills: it appends to the store
// in $LANTIAN_STORE_CRASH_DIR forever, printing "seq N" after each Append
// returns.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashDirEnv)
	if dir == "" {
		t.Skip("run by TestCrash")
	}
	s, err := openDir(t, dir, "")
	if err != nil {
		fmt.Printf("open: %v\n", err)
		os.Exit(2)
	}
	fx := newFixture(t)
	ctx := context.Background()
	fmt.Println("ready")
	var last uuid.UUID
	for i := 0; ; i++ {
		ch := fx.create(i)
		if i%4 != 0 && last != uuid.Nil {
			ch = Change{Record: last, Role: model.RoleGrid, Set: map[string]model.Value{fx.textKeys[i%2]: model.Str(strconv.Itoa(i))}}
		}
		st, err := s.Append(ctx, ch)
		if err != nil {
			fmt.Printf("append: %v\n", err)
			os.Exit(2)
		}
		last = st.Record
		fmt.Printf("seq %d\n", s.LocalSeq())
	}
}

// TestCrash kills a process appending to an on-disk store at random
// moments and checks after each kill that every op reported durable is
// there, intact, and that state and indexes match the log.
func TestCrash(t *testing.T) {
	rounds := 50
	if testing.Short() {
		rounds = 10
	}
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	ctx := context.Background()
	var reported uint64
	for round := 0; round < rounds; round++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$")
		cmd.Env = append(os.Environ(), crashDirEnv+"="+dir)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Kill after a random number of reported ops, or after a random
		// delay, whichever comes first. The delay runs from the moment
		// the child has opened the store, so a slow start on a loaded
		// machine does not turn every round into a kill during Open;
		// every fifth round kills during Open on purpose.
		killAfter := rng.IntN(40) + 1
		delay := time.Duration(rng.IntN(300)) * time.Millisecond
		kill := func() { cmd.Process.Kill() }
		timer := time.AfterFunc(time.Hour, kill)
		if round%5 == 4 {
			timer.Reset(time.Duration(rng.IntN(100)) * time.Millisecond)
		}
		sc := bufio.NewScanner(out)
		n := 0
		for sc.Scan() {
			line := sc.Text()
			if line == "ready" && round%5 != 4 {
				timer.Reset(delay)
				continue
			}
			if strings.HasPrefix(line, "append:") || strings.HasPrefix(line, "open:") {
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatalf("round %d: child: %s", round, line)
			}
			seq, ok := strings.CutPrefix(line, "seq ")
			if !ok {
				continue
			}
			v, err := strconv.ParseUint(seq, 10, 64)
			if err != nil {
				t.Fatalf("round %d: bad line %q", round, line)
			}
			reported = max(reported, v)
			if n++; n == killAfter {
				cmd.Process.Kill()
			}
		}
		timer.Stop()
		cmd.Wait()

		s, err := openDir(t, dir, "")
		if err != nil {
			t.Fatalf("round %d: reopen: %v", round, err)
		}
		if got := s.LocalSeq(); got < reported {
			t.Fatalf("round %d: LocalSeq = %d; want >= %d (reported durable)", round, got, reported)
		}
		ops, err := s.Ops(s.Device(), 0, 0)
		if err != nil {
			t.Fatalf("round %d: Ops: %v", round, err)
		}
		if uint64(len(ops)) != s.LocalSeq() {
			t.Fatalf("round %d: %d ops; want %d", round, len(ops), s.LocalSeq())
		}
		if err := s.Check(ctx); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		reported = s.LocalSeq()
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if reported == 0 {
		t.Fatalf("no op reported in %d rounds", rounds)
	}
	t.Logf("%d rounds, %d ops", rounds, reported)
}
