package protocol

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/model"
)

func TestPageFrameWithdrawalsRoundTrip(t *testing.T) {
	dev := uuid.MustParse("01890000-0000-7000-8000-000000000009")
	in := PageFrame{Cursor: 12, ServerTime: 1764392000000, HasWithdrawals: true, Withdrawn: 3,
		Withdrawals: []Withdrawal{
			{Seq: 2, Device: dev, Since: 1764550000000, At: 1764560000000, Reason: WithdrawalReason(model.RoleProvince, time.UnixMilli(1764550000000)), Seqs: []uint64{4, 5, 9}},
			{Seq: 3, Device: dev, At: 1764560000001, Reason: WithdrawalReason("", time.Time{}), Seqs: []uint64{10}},
		}}
	b := AppendPageFrame(nil, in)
	got, err := ParsePageFrame(b)
	if err != nil {
		t.Fatalf("ParsePageFrame: %v", err)
	}
	if !got.HasWithdrawals || got.Withdrawn != 3 || !reflect.DeepEqual(got.Withdrawals, in.Withdrawals) {
		t.Fatalf("withdrawals = %v %d %+v; want %+v", got.HasWithdrawals, got.Withdrawn, got.Withdrawals, in.Withdrawals)
	}
	// A withdrawal past the cursor is malformed.
	in.Withdrawn = 2
	if _, err := ParsePageFrame(AppendPageFrame(nil, in)); !errors.Is(err, ErrBadFrame) {
		t.Fatalf("withdrawal past its cursor: err = %v; want bad_frame", err)
	}
	// Without the flag nothing follows the ops.
	plain := AppendPageFrame(nil, PageFrame{Cursor: 1})
	if p, err := ParsePageFrame(plain); err != nil || p.HasWithdrawals {
		t.Fatalf("plain page: %+v %v", p, err)
	}
}

func TestParseSince(t *testing.T) {
	want := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC) // 08:00 in Beijing
	for _, s := range []string{"2026-12-01T08:00", "2026-12-01 08:00", "2026-12-01T08:00:00+08:00", "2026-12-01T00:00:00Z"} {
		got, err := ParseSince(s)
		if err != nil || !got.Equal(want) {
			t.Errorf("ParseSince(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	if got, err := ParseSince(""); err != nil || !got.IsZero() {
		t.Errorf("ParseSince(\"\") = %v, %v; want zero", got, err)
	}
	for _, s := range []string{"yesterday", "2026-13-01T08:00", "01/12/2026 08:00"} {
		_, err := ParseSince(s)
		var pe *Error
		if !errors.As(err, &pe) || pe.Code != CodeBadSince || !strings.Contains(pe.Msg.ZH, "北京时间") || !strings.Contains(pe.Msg.EN, "Beijing time") {
			t.Errorf("ParseSince(%q) err = %v; want bad_since naming both forms in both languages", s, err)
		}
	}
	if _, _, err := DecodeRevokeRequest([]byte(`{"since":"2026-12-01T08:00"}`)); !errors.Is(err, ErrBadSince) {
		t.Errorf("since without withdraw: err = %v; want bad_since", err)
	}
	if r, since, err := DecodeRevokeRequest([]byte(`{"withdraw":true,"since":"2026-12-01T08:00"}`)); err != nil || !r.Withdraw || !since.Equal(want) {
		t.Errorf("DecodeRevokeRequest = %+v %v %v", r, since, err)
	}
	if r, since, err := DecodeRevokeRequest(nil); err != nil || r.Withdraw || !since.IsZero() {
		t.Errorf("empty body = %+v %v %v", r, since, err)
	}
}
