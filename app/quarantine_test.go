package app

import (
	"bytes"
	"context"
	"math/rand/v2"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/lantian-tz/lantian/internal/demo"
	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/model"
)

// A change received from another device and set aside by this one is in
// the held changes, marked as received; dismissing it drops it.
func TestHeldChangesShowReceived(t *testing.T) {
	a := newTestApp(t, LangEN, nil)
	other, err := store.Open(store.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	ctx := context.Background()
	for _, sd := range demo.Records(rand.New(rand.NewPCG(7, 9)), testCounty, 20)[:2] {
		delete(sd.Fields, model.FieldStatus)
		if _, err := other.Append(ctx, store.Change{Register: sd.Register, County: testCounty, Author: "李娜", Role: model.RoleCounty, Set: sd.Fields}); err != nil {
			t.Fatal(err)
		}
	}
	ops, err := other.Ops(other.Device(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	ops[1].Sig = bytes.Clone(ops[1].Sig)
	ops[1].Sig[0] ^= 1
	if err := a.own.RegisterDevice(other.Device(), other.PublicKey(), "other"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.own.ApplyPage(ctx, ops, 1); err != nil {
		t.Fatal(err)
	}
	s := newQuarantine(a)
	a.shell.push(s)
	if len(s.items) != 1 || !s.items[0].Received {
		t.Fatalf("held %+v; want the received op", s.items)
	}
	// The list's row for it, as the list draws it.
	row := s.list.CreateItem()
	s.list.UpdateItem(0, row)
	var texts []string
	var dismiss *widget.Button
	walk(row, func(o fyne.CanvasObject) {
		switch w := o.(type) {
		case *widget.Label:
			texts = append(texts, w.Text)
		case *widget.Button:
			if w.Text == "Dismiss" {
				dismiss = w
			}
		}
	})
	if got := strings.Join(texts, " | "); !strings.HasPrefix(got, "Received · ") || !strings.Contains(got, "signature") {
		t.Errorf("row says %q; want it marked received, with the reason", got)
	}
	if dismiss == nil {
		t.Fatal("no Dismiss button in the row")
	}
	test.Tap(dismiss)
	if len(s.items) != 0 {
		t.Errorf("held %+v after dismissing; want none", s.items)
	}
}
