package export

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
)

// CSV writes the ledger of req as CSV to w: UTF-8 with a byte order mark,
// the header block's lines, a blank line, the column headers, then one
// line per record. It returns the number of records written.
func CSV(ctx context.Context, s Source, req Request, w io.Writer) (int, error) {
	sc, err := schemaOf(req.Register)
	if err != nil {
		return 0, err
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	if _, err := bw.Write([]byte{0xEF, 0xBB, 0xBF}); err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	cw := csv.NewWriter(bw)
	cw.UseCRLF = true // what Excel writes
	for _, l := range HeaderBlock(sc, &req) {
		if err := cw.Write([]string{l}); err != nil {
			return 0, fmt.Errorf("export: %w", err)
		}
	}
	if err := cw.Write([]string{""}); err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	cols := columnsFor(s, sc, req.Lang)
	head := make([]string, len(cols))
	for i, c := range cols {
		head[i] = c.Header
	}
	if err := cw.Write(head); err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	rec := make([]string, len(cols))
	n, err := rows(ctx, s, sc, &req, func(row []Cell) error {
		for i, c := range row {
			rec[i] = c.String()
		}
		return cw.Write(rec)
	})
	if err != nil {
		return n, err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return n, fmt.Errorf("export: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return n, fmt.Errorf("export: %w", err)
	}
	return n, nil
}
