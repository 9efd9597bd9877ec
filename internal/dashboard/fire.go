package dashboard

import (
	"slices"
	"sort"

	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/model"
)

// TownshipFires is one township's fire points of the month.
type TownshipFires struct {
	Township  string
	Points    int
	Confirmed int
}

// Rate is the township's 查实率: confirmed / points (0 without points).
func (t TownshipFires) Rate() float64 { return ratio(t.Confirmed, t.Points) }

// Fire is the fire-point verification (火点核查) of the month.
type Fire struct {
	// Points detected in the month (not void).
	Points int
	// Verified: points of the month checked on site; VerifiedIn24h of
	// them within model.FireVerifyDue of the push.
	Verified, VerifiedIn24h int
	// Confirmed: verdicts confirming a burning (model.FireConfirmedVerdicts);
	// ConfirmedStraw of them straw burning.
	Confirmed, ConfirmedStraw int
	// Overdue: points of any month not checked by their due time at
	// Options.Now.
	Overdue int
	// ByTownship, by township (code order; names typed before places
	// were coded that match none come after).
	ByTownship []TownshipFires
}

// Rate is the 查实率 confirmed / points.
func (f Fire) Rate() float64 { return ratio(f.Confirmed, f.Points) }

// In24hRate is the share of points checked within 24 h.
func (f Fire) In24hRate() float64 { return ratio(f.VerifiedIn24h, f.Points) }

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// fireVerified are the statuses of a fire point that has been checked.
var fireVerified = []string{model.FireVerified, model.FireReturned, model.FireHandled, model.FireReviewed, model.FireReported}

type fireAcc struct {
	out  Fire
	town map[string]*TownshipFires
}

func newFireAcc() *fireAcc { return &fireAcc{town: map[string]*TownshipFires{}} }

func (a *fireAcc) add(st *oplog.State, o *Options) {
	s := status(st)
	if s == model.StatusVoid {
		return
	}
	checked := slices.Contains(fireVerified, s)
	if due, ok := when(st, "due_at"); ok && !checked && o.Now.After(due) {
		a.out.Overdue++
	}
	det, ok := when(st, "detected_at")
	if !ok || det.Before(o.monthStart) || !det.Before(o.monthEnd) {
		return
	}
	a.out.Points++
	// By the township's code when the point has one (model.TownshipKey),
	// else by the township the push named.
	tw := text(st, model.FieldTownship)
	if tw == "" {
		tw = text(st, "pushed_township")
	}
	tw = model.TownshipKey(st.County, tw)
	t := a.town[tw]
	if t == nil {
		t = &TownshipFires{Township: tw}
		a.town[tw] = t
	}
	t.Points++
	if checked {
		a.out.Verified++
		pushed, ok1 := when(st, "pushed_at")
		arrived, ok2 := when(st, "arrived_at")
		if ok1 && ok2 && arrived.Sub(pushed) <= model.FireVerifyDue {
			a.out.VerifiedIn24h++
		}
	}
	if v := text(st, "verdict"); slices.Contains(model.FireConfirmedVerdicts, v) {
		a.out.Confirmed++
		t.Confirmed++
		if v == "confirmed_straw" {
			a.out.ConfirmedStraw++
		}
	}
}

func (a *fireAcc) result() Fire {
	out := a.out
	for _, t := range a.town {
		out.ByTownship = append(out.ByTownship, *t)
	}
	sort.Slice(out.ByTownship, func(i, j int) bool { return out.ByTownship[i].Township < out.ByTownship[j].Township })
	return out
}

func (f *Fire) merge(o Fire) {
	f.Points += o.Points
	f.Verified += o.Verified
	f.VerifiedIn24h += o.VerifiedIn24h
	f.Confirmed += o.Confirmed
	f.ConfirmedStraw += o.ConfirmedStraw
	f.Overdue += o.Overdue
	f.ByTownship = append(f.ByTownship, o.ByTownship...)
}
