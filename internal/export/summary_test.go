package export

import (
	"bytes"
	"context"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/lantian-tz/lantian/internal/dashboard"
)

func summaryFixture() dashboard.Result {
	a := dashboard.Figures{County: "130126", Month: "2023-11"}
	a.FarmCoal.Listed = dashboard.Tally{Records: 9, Units: 29}
	a.FarmCoal.DoneUnits, a.FarmCoal.Target = 17, 34
	a.Fire = dashboard.Fire{Points: 5, Verified: 3, VerifiedIn24h: 2, Confirmed: 2, ConfirmedStraw: 1, Overdue: 2,
		ByTownship: []dashboard.TownshipFires{{Township: "甲镇", Points: 2, Confirmed: 1}}}
	a.Dust = dashboard.Dust{CountyMean: 6.5, CountyHas: true, Sites: 4, SitesSix100: 2,
		Townships: []dashboard.TownshipDustfall{
			{Township: "乙镇", Mean: 5, Points: 1, Rank: 1},
			{Township: "丙镇", Mean: 7, Points: 1, Rank: 2},
			{Township: "甲镇", Mean: 7, Points: 2, Rank: 2},
		}}
	b := dashboard.Figures{County: "130127", Month: "2023-11"}
	b.FarmCoal.Listed = dashboard.Tally{Records: 1, Units: 3}
	b.FarmCoal.DoneUnits = 3
	b.Dust = dashboard.Dust{CountyMean: 9, CountyHas: true, Exceeds: true}
	total := dashboard.Figures{Month: "2023-11"}
	total.FarmCoal.Listed = dashboard.Tally{Records: 10, Units: 32}
	total.FarmCoal.DoneUnits, total.FarmCoal.Target = 20, 34
	total.Dust = dashboard.Dust{CountyMean: 7.75, CountyHas: true, Exceeds: true}
	return dashboard.Result{Counties: []dashboard.Figures{a, b}, Total: total,
		CountyRanking: []dashboard.Ranked{{Name: "130126", Value: 6.5, Rank: 1}, {Name: "130127", Value: 9, Rank: 2}}}
}

func TestSummaryReadBack(t *testing.T) {
	names := map[string]string{"130126": "灵寿县", "130127": "深泽县"}
	var buf bytes.Buffer
	var sheets int
	err := Summary(context.Background(), summaryFixture(), SummaryRequest{Title: "石家庄市", Now: exportTime,
		Names: func(c string) string { return names[c] }, Progress: func(done, total int) { sheets = done }}, &buf)
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got, want := f.GetSheetList(), []string{SheetFarmCoal, SheetStraw, SheetLivestock, SheetDust, SheetRanking}; len(got) != len(want) {
		t.Fatalf("sheets: got %v; want %v", got, want)
	}
	if sheets != 5 {
		t.Errorf("progress: got %d sheets; want 5", sheets)
	}
	tests := []struct {
		sheet, cell, want string
	}{
		{SheetFarmCoal, "A1", "石家庄市 2023-11 农业散煤设施清洁能源替代进展"},
		{SheetFarmCoal, "A5", "灵寿县"},
		{SheetFarmCoal, "B5", "29"},
		{SheetFarmCoal, "J5", "17"},
		{SheetFarmCoal, "K5", "34"},
		{SheetFarmCoal, "L5", "50.0%"},
		{SheetFarmCoal, "A7", "合计"},
		{SheetFarmCoal, "J7", "20"},
		{SheetStraw, "F5", "5"},
		{SheetStraw, "H5", "2"},
		{SheetStraw, "K5", "2"},
		{SheetStraw, "L5", "40.0%"},
		{SheetDust, "B5", "6.5"},
		{SheetDust, "C6", "是"},
		{SheetDust, "B7", "7.75"},
		{SheetRanking, "B5", "1"},
		{SheetRanking, "C5", "乙镇"},
		{SheetRanking, "B6", "2"},
		{SheetRanking, "C6", "丙镇"},
		{SheetRanking, "B7", "2"},
		{SheetRanking, "C7", "甲镇"},
		{SheetRanking, "F7", "否"},
		{SheetRanking, "B11", "灵寿县"},
		{SheetRanking, "A12", "2"},
		{SheetRanking, "D12", "是"},
	}
	for _, tt := range tests {
		got, err := f.GetCellValue(tt.sheet, tt.cell)
		if err != nil {
			t.Fatal(err)
		}
		if got != tt.want {
			t.Errorf("%s!%s: got %q; want %q", tt.sheet, tt.cell, got, tt.want)
		}
	}
}
