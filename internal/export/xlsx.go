package export

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/lantian-tz/lantian/model"
)

// SheetName returns a valid worksheet name for a label: at most 31
// characters, without the characters Excel forbids.
func SheetName(label string) string {
	label = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) {
			return '_'
		}
		return r
	}, label)
	if r := []rune(label); len(r) > 31 {
		label = string(r[:31])
	}
	return label
}

// XLSX writes the ledger of req as an XLSX workbook to w, streaming the
// rows (memory stays flat however many records there are). It returns the
// number of records written.
func XLSX(ctx context.Context, s Source, req Request, w io.Writer) (int, error) {
	sc, err := schemaOf(req.Register)
	if err != nil {
		return 0, err
	}
	f := excelize.NewFile()
	defer f.Close()
	sheet := SheetName(sc.Label.In(req.Lang))
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	titleStyle, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14},
		Alignment: &excelize.Alignment{Horizontal: "center"}})
	headStyle, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true},
		Border:    borders()})
	cols := columnsFor(s, sc, req.Lang)
	if err := sw.SetColWidth(1, 1, 6); err != nil {
		return 0, err
	}
	if err := sw.SetColWidth(2, len(cols), 16); err != nil {
		return 0, err
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: headerRow, TopLeftCell: fmt.Sprintf("A%d", headerRow+1), ActivePane: "bottomLeft"}); err != nil {
		return 0, err
	}
	last, _ := excelize.ColumnNumberToName(len(cols))
	block := HeaderBlock(sc, &req)
	if err := sw.SetRow("A1", []interface{}{excelize.Cell{StyleID: titleStyle, Value: block[0]}}); err != nil {
		return 0, err
	}
	if err := sw.SetRow("A2", []interface{}{block[1]}); err != nil {
		return 0, err
	}
	head := make([]interface{}, len(cols))
	for i, c := range cols {
		head[i] = excelize.Cell{StyleID: headStyle, Value: c.Header}
	}
	if err := sw.SetRow(fmt.Sprintf("A%d", headerRow), head); err != nil {
		return 0, err
	}
	line := headerRow
	n, err := rows(ctx, s, sc, &req, func(row []Cell) error {
		line++
		vals := make([]interface{}, len(row))
		for i, c := range row {
			if c.IsNum {
				vals[i] = c.Number
			} else {
				vals[i] = c.Text
			}
		}
		return sw.SetRow(fmt.Sprintf("A%d", line), vals)
	})
	if err != nil {
		return n, err
	}
	if err := sw.MergeCell("A1", last+"1"); err != nil {
		return n, err
	}
	if err := sw.MergeCell("A2", last+"2"); err != nil {
		return n, err
	}
	if err := sw.Flush(); err != nil {
		return n, fmt.Errorf("export: %w", err)
	}
	if err := f.Write(w); err != nil {
		return n, fmt.Errorf("export: write workbook: %w", err)
	}
	return n, nil
}

// headerRow is the row of the column headers in both formats (after the
// title, the county line and a blank row).
const headerRow = 4

func borders() []excelize.Border {
	var b []excelize.Border
	for _, side := range []string{"left", "right", "top", "bottom"} {
		b = append(b, excelize.Border{Type: side, Color: "999999", Style: 1})
	}
	return b
}

// CountyLabel returns the county's name from the installed gazetteer, or
// the code.
func CountyLabel(code string) string {
	if g := model.DefaultGazetteer(); g != nil {
		if c, ok := g.County(code); ok {
			return c.Name
		}
	}
	return code
}
