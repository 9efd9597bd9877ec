package dashboard

import (
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/hlc"
	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/model"
)

const (
	countyA = "130126"
	countyB = "130127"
)

// now is Wednesday 2023-11-15 10:00 Beijing time.
var now = time.Date(2023, 11, 15, 10, 0, 0, 0, model.Beijing)

// fixture builds records with fixed ids so that references resolve.
type fixture struct {
	states []oplog.State
	n      int
}

func (f *fixture) add(register, county string, fields map[string]model.Value) uuid.UUID {
	f.n++
	id := uuid.UUID{15: byte(f.n), 14: byte(f.n >> 8)}
	st := oplog.State{Record: id, Register: register, County: county, Fields: map[string]oplog.FieldState{},
		Updated: hlc.Make(now.UnixMilli()-int64(1000-f.n), 0)}
	for k, v := range fields {
		st.Fields[k] = oplog.FieldState{Value: v}
	}
	f.states = append(f.states, st)
	return id
}

type kv = map[string]model.Value

func s(x string) model.Value { return model.Str(x) }

func dt(day, hour int) model.Value {
	return model.Str(time.Date(2023, 11, day, hour, 0, 0, 0, model.Beijing).Format(model.LayoutDateTime))
}

func buildFixture() []oplog.State {
	f := &fixture{}
	// Farm coal: units by status.
	for _, c := range []struct {
		status string
		units  int64
	}{
		{model.FarmCoalPending, 1}, {model.FarmCoalReturned, 2}, {model.FarmCoalUnreplaced, 3},
		{model.FarmCoalPlanned, 1}, {model.FarmCoalInProgress, 4}, {model.FarmCoalReburn, 1},
		{model.FarmCoalReplaced, 5}, {model.FarmCoalAccepted, 10}, {model.FarmCoalDecommissioned, 2},
		{model.FarmCoalVoid, 7},
	} {
		f.add("farm_coal_facility", countyA, kv{"status": s(c.status), "unit_count": model.Int(c.units)})
	}
	f.add("farm_coal_facility", countyB, kv{"status": s(model.FarmCoalAccepted), "unit_count": model.Int(3)})

	// Straw: three villages with grids, patrols in and out of the weeks.
	for _, v := range [][2]string{{"甲镇", "东村"}, {"甲镇", "西村"}, {"乙镇", "北村"}} {
		f.add("straw_grid", countyA, kv{"status": s(model.GridInUse), "township": s(v[0]), "village": s(v[1])})
	}
	patrol := func(village, date string, zero bool, findings int64, status string) {
		fields := kv{"status": s(status), "township": s("甲镇"), "village": s(village), "patrol_date": s(date),
			"zero_report": model.Bool(zero), "findings_count": model.Int(findings)}
		f.add("straw_patrol", countyA, fields)
	}
	patrol("东村", "2023-11-14", true, 0, model.PatrolSubmitted)
	patrol("东村", "2023-11-13", false, 2, model.PatrolReviewed)
	patrol("东村", "2023-11-01", true, 0, model.PatrolSummarized)
	patrol("西村", "2023-11-10", true, 0, model.PatrolDraft)
	patrol("西村", "2023-11-15", true, 0, model.StatusVoid)
	patrol("西村", "2023-10-01", true, 0, model.PatrolReviewed)

	// Fire points.
	fire := func(township string, detected, pushed, due, arrived model.Value, status, verdict string) {
		fields := kv{"status": s(status), "pushed_township": s(township), "detected_at": detected,
			"pushed_at": pushed, "due_at": due}
		if !arrived.IsNull() {
			fields["arrived_at"] = arrived
		}
		if verdict != "" {
			fields["verdict"] = s(verdict)
		}
		f.add("fire_point", countyA, fields)
	}
	fire("甲镇", dt(10, 8), dt(10, 9), dt(11, 9), dt(10, 15), model.FireReviewed, "confirmed_straw")
	fire("甲镇", dt(12, 8), dt(12, 9), dt(13, 9), dt(13, 12), model.FireVerified, "no_trace")
	fire("乙镇", dt(14, 8), dt(14, 9), dt(15, 9), model.Null, model.FirePending, "")
	fire("乙镇", dt(15, 7), dt(15, 8), dt(16, 8), model.Null, model.FireVerifying, "")
	oct := func(day, hour int) model.Value {
		return model.Str(time.Date(2023, 10, day, hour, 0, 0, 0, model.Beijing).Format(model.LayoutDateTime))
	}
	fire("乙镇", oct(30, 8), oct(30, 9), oct(31, 9), model.Null, model.FirePending, "")
	fire("乙镇", dt(3, 8), dt(3, 9), dt(4, 9), model.Null, model.StatusVoid, "")
	fire("乙镇", dt(5, 8), dt(5, 9), dt(6, 9), dt(6, 9), model.FireHandled, "confirmed_other_open")

	// Livestock: F1 complete; F2 without a standing facility; F3 not
	// verified; F4 closed; F5 void.
	farm := func(status string) string {
		return f.add("livestock_farm", countyA, kv{"status": s(status), "annual_plan_filed": model.Bool(true)}).String()
	}
	f1, f2, f3, f4 := farm(model.FarmInPilot), farm(model.FarmVerified), farm(model.FarmFiled), farm(model.FarmClosed)
	farm(model.StatusVoid)
	child := func(register, farm, status string, extra kv) {
		fields := kv{"status": s(status), "farm": s(farm)}
		for k, v := range extra {
			fields[k] = v
		}
		f.add(register, countyA, fields)
	}
	child("manure_facility", f1, model.FacilityRunning, nil)
	child("ammonia_control", f1, model.FacilityRunning, nil)
	child("ammonia_monitoring", f1, model.MonitorApproved, kv{"sampled_at": dt(3, 10), "exceeds": model.Bool(true)})
	child("manure_use_log", f1, model.UseLogRecorded, kv{"date": s("2023-11-02")})
	child("manure_facility", f2, model.FacilityRemoved, nil)
	child("manure_use_log", f2, model.UseLogRecorded, kv{"date": s("2023-11-04")})
	child("manure_facility", f3, model.FacilityPlanned, nil)
	child("manure_use_log", f3, model.UseLogRecorded, kv{"date": s("2023-11-05")})
	child("ammonia_monitoring", f3, model.MonitorApproved, kv{"sampled_at": oct(20, 10), "exceeds": model.Bool(false)})
	child("manure_facility", f4, model.FacilityRunning, nil)

	// Dust: points P1..P6 in county A, P7 in county B.
	point := func(county, no, township, typ string) string {
		return f.add("dustfall_point", county, kv{"status": s(model.PointInUse), "point_no": s(no), "name": s(no + "点"),
			"township": s(township), "point_type": s(typ)}).String()
	}
	p1, p2 := point(countyA, "P1", "甲镇", "regular"), point(countyA, "P2", "甲镇", "regular")
	p3, p4 := point(countyA, "P3", "乙镇", "regular"), point(countyA, "P4", "丙镇", "regular")
	p5 := point(countyA, "P5", "乙镇", "control")
	point(countyA, "P6", "丁镇", "regular")
	p7 := point(countyB, "P7", "戊镇", "regular")
	reading := func(county, point, month string, v float64, valid bool) {
		f.add("dustfall_monthly", county, kv{"status": s(model.DustfallApproved), "point": s(point), "month": s(month),
			"dustfall": model.Decimal(v), "valid": model.Bool(valid)})
	}
	reading(countyA, p1, "2023-11", 6.0, true)
	reading(countyA, p2, "2023-11", 8.0, true)
	reading(countyA, p2, "2023-11", 30.0, false)
	f.add("dustfall_monthly", countyA, kv{"status": s(model.DustfallReturned), "point": s(p3), "month": s("2023-11"),
		"dustfall": model.Decimal(40), "valid": model.Bool(true)}) // returned: not counted
	reading(countyA, p3, "2023-11", 5.0, true)
	reading(countyA, p4, "2023-11", 7.0, true)
	reading(countyA, p5, "2023-11", 20.0, true)
	reading(countyA, p1, "2023-10", 9.0, true)
	reading(countyA, p3, "2023-10", 10.0, true)
	reading(countyB, p7, "2023-11", 9.0, true)

	site := func(status string, six bool) string {
		fields := kv{"status": s(status)}
		for i, it := range model.Six100Items {
			fields["six100_"+it.Key] = model.Bool(six || i > 0)
		}
		return f.add("construction_site", countyA, fields).String()
	}
	inspect := func(site string, at model.Value, fail bool) {
		fields := kv{"status": s(model.InspSubmitted), "site": s(site), "inspected_at": at}
		for _, it := range model.Six100Items {
			fields["check_"+it.Key] = s("pass")
		}
		if fail {
			fields["check_cover"] = s("fail")
		}
		f.add("site_inspection", countyA, fields)
	}
	site(model.SiteActive, true) // S1: meets
	s2 := site(model.SiteActive, true)
	inspect(s2, dt(1, 9), false)
	inspect(s2, dt(10, 9), true)     // S2: latest inspection failed
	site(model.SiteSuspended, false) // S3: fence missing
	site(model.SiteClosed, true)     // S4: closed, not counted
	s5 := site(model.SiteActive, true)
	inspect(s5, oct(1, 9), true)
	inspect(s5, dt(1, 9), false) // S5: meets at the latest inspection
	return f.states
}

func TestCompute(t *testing.T) {
	res := Compute(buildFixture(), Options{Now: now, Targets: map[string]int{countyA: 34}})
	a, ok := res.County(countyA)
	if !ok {
		t.Fatalf("no figures for %s", countyA)
	}
	if got, want := len(res.Counties), 2; got != want {
		t.Fatalf("counties: got %d; want %d", got, want)
	}

	ints := []struct {
		name      string
		got, want int
	}{
		{"farm coal listed units", a.FarmCoal.Listed.Units, 29},
		{"farm coal listed records", a.FarmCoal.Listed.Records, 9},
		{"farm coal pending units", a.FarmCoal.Pending.Units, 3},
		{"farm coal unreplaced units", a.FarmCoal.Unreplaced.Units, 3},
		{"farm coal planned units", a.FarmCoal.Planned.Units, 1},
		{"farm coal being replaced units", a.FarmCoal.BeingReplaced.Units, 5},
		{"farm coal being replaced records", a.FarmCoal.BeingReplaced.Records, 2},
		{"farm coal replaced units", a.FarmCoal.Replaced.Units, 5},
		{"farm coal accepted units", a.FarmCoal.Accepted.Units, 10},
		{"farm coal decommissioned units", a.FarmCoal.Decommissioned.Units, 2},
		{"farm coal done units", a.FarmCoal.DoneUnits, 17},
		{"farm coal target", a.FarmCoal.Target, 34},
		{"patrols", a.Straw.Patrols, 4},
		{"zero reports", a.Straw.ZeroReports, 3},
		{"findings", a.Straw.Findings, 2},
		{"fire points", a.Fire.Points, 5},
		{"fire verified", a.Fire.Verified, 3},
		{"fire verified in 24 h", a.Fire.VerifiedIn24h, 2},
		{"fire confirmed", a.Fire.Confirmed, 2},
		{"fire confirmed straw", a.Fire.ConfirmedStraw, 1},
		{"fire overdue", a.Fire.Overdue, 2},
		{"farms", a.Livestock.Farms, 3},
		{"farms verified", a.Livestock.Verified, 2},
		{"complete ledgers", a.Livestock.CompleteLedgers, 1},
		{"in pilot", a.Livestock.InPilot, 1},
		{"with manure facility", a.Livestock.WithManureFacility, 2},
		{"with ammonia control", a.Livestock.WithAmmoniaControl, 1},
		{"with readings", a.Livestock.WithReadings, 2},
		{"readings in month", a.Livestock.ReadingsInMonth, 1},
		{"exceeding in month", a.Livestock.ExceedingInMonth, 1},
		{"sites", a.Dust.Sites, 4},
		{"sites six 100%", a.Dust.SitesSix100, 2},
		{"total farm coal done units", res.Total.FarmCoal.DoneUnits, 20},
		{"total farm coal listed units", res.Total.FarmCoal.Listed.Units, 32},
		{"total target", res.Total.FarmCoal.Target, 34},
	}
	for _, c := range ints {
		if c.got != c.want {
			t.Errorf("%s: got %d; want %d", c.name, c.got, c.want)
		}
	}
	floats := []struct {
		name      string
		got, want float64
	}{
		{"farm coal progress", a.FarmCoal.Progress(), 0.5},
		{"fire rate", a.Fire.Rate(), 0.4},
		{"county dustfall", a.Dust.CountyMean, 6.5},
		{"total dustfall (mean of counties)", res.Total.Dust.CountyMean, 7.75},
	}
	for _, c := range floats {
		if math.Abs(c.got-c.want) > 1e-9 {
			t.Errorf("%s: got %v; want %v", c.name, c.got, c.want)
		}
	}
	if a.Dust.Exceeds {
		t.Errorf("county A exceeds: got true; want false (6.5 ≤ 7)")
	}
	if !res.Total.Dust.Exceeds {
		t.Errorf("roll-up exceeds: got false; want true (7.75 > 7)")
	}

	// Straw weeks and villages.
	wantWeeks := []string{"2023-10-23", "2023-10-30", "2023-11-06", "2023-11-13"}
	var weeks []string
	for _, w := range a.Straw.Weeks {
		weeks = append(weeks, w.Format("2006-01-02"))
	}
	if !reflect.DeepEqual(weeks, wantWeeks) {
		t.Errorf("weeks: got %v; want %v", weeks, wantWeeks)
	}
	perWeek := map[string][]int{}
	for _, v := range a.Straw.Villages {
		perWeek[v.Village] = v.PerWeek
	}
	wantPerWeek := map[string][]int{"东村": {0, 1, 0, 2}, "西村": {0, 0, 1, 0}, "北村": {0, 0, 0, 0}}
	if !reflect.DeepEqual(perWeek, wantPerWeek) {
		t.Errorf("patrols per village and week: got %v; want %v", perWeek, wantPerWeek)
	}
	var idle []string
	for _, v := range a.Straw.NotPatrolled {
		idle = append(idle, v.Township+"/"+v.Village)
	}
	if want := []string{"乙镇/北村", "甲镇/西村"}; !reflect.DeepEqual(idle, want) {
		t.Errorf("not patrolled in 3 days: got %v; want %v", idle, want)
	}

	// Fire points by township.
	wantTown := []TownshipFires{{Township: "乙镇", Points: 3, Confirmed: 1}, {Township: "甲镇", Points: 2, Confirmed: 1}}
	if !reflect.DeepEqual(a.Fire.ByTownship, wantTown) {
		t.Errorf("fire by township: got %+v; want %+v", a.Fire.ByTownship, wantTown)
	}

	// Dust ranking: 丙镇 and 甲镇 tie at 7.0 and share rank 2; 7.0 does
	// not exceed the limit.
	wantRank := []TownshipDustfall{
		{Township: "乙镇", Mean: 5, Points: 1, Rank: 1},
		{Township: "丙镇", Mean: 7, Points: 1, Rank: 2},
		{Township: "甲镇", Mean: 7, Points: 2, Rank: 2},
	}
	if !reflect.DeepEqual(a.Dust.Townships, wantRank) {
		t.Errorf("township ranking: got %+v; want %+v", a.Dust.Townships, wantRank)
	}
	exceeding := map[string]bool{}
	has := map[string]bool{}
	for _, p := range a.Dust.Points {
		exceeding[p.PointNo] = p.Exceeds
		has[p.PointNo] = p.Has
	}
	if want := map[string]bool{"P1": false, "P2": true, "P3": false, "P4": false, "P5": true, "P6": false}; !reflect.DeepEqual(exceeding, want) {
		t.Errorf("points over 7: got %v; want %v", exceeding, want)
	}
	if has["P6"] {
		t.Errorf("P6 has a value; want none")
	}
	wantTrend := []MonthValue{{Month: "2023-06"}, {Month: "2023-07"}, {Month: "2023-08"}, {Month: "2023-09"},
		{Month: "2023-10", Value: 9.5, Has: true}, {Month: "2023-11", Value: 6.5, Has: true}}
	if !reflect.DeepEqual(a.Dust.Trend, wantTrend) {
		t.Errorf("trend: got %+v; want %+v", a.Dust.Trend, wantTrend)
	}
	wantCounties := []Ranked{{Name: countyA, Value: 6.5, Rank: 1}, {Name: countyB, Value: 9, Rank: 2}}
	if !reflect.DeepEqual(res.CountyRanking, wantCounties) {
		t.Errorf("county ranking: got %+v; want %+v", res.CountyRanking, wantCounties)
	}
}

func TestRank(t *testing.T) {
	tests := []struct {
		name string
		in   map[string]float64
		want []Ranked
	}{
		{"empty", map[string]float64{}, []Ranked{}},
		{"ties share and skip", map[string]float64{"a": 3, "b": 1, "c": 3, "d": 4},
			[]Ranked{{"b", 1, 1}, {"a", 3, 2}, {"c", 3, 2}, {"d", 4, 4}}},
		{"all equal", map[string]float64{"x": 2, "y": 2}, []Ranked{{"x", 2, 1}, {"y", 2, 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Rank(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v; want %+v", got, tt.want)
			}
		})
	}
}

func TestOneCountyTotalIsTheCounty(t *testing.T) {
	var states []oplog.State
	for _, st := range buildFixture() {
		if st.County == countyA {
			states = append(states, st)
		}
	}
	res := Compute(states, Options{Now: now})
	if got, want := res.Total.FarmCoal.DoneUnits, 17; got != want {
		t.Errorf("total done units: got %d; want %d", got, want)
	}
	if got, want := len(res.Total.Dust.Townships), 3; got != want {
		t.Errorf("total township ranking: got %d entries; want %d", got, want)
	}
}
