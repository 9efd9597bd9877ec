// Package export writes the registers as ledgers (台账) for the city and
// province: one register as an XLSX workbook (streamed, for large
// exports) or a CSV file (UTF-8 with byte order mark, so that Excel on a
// Chinese Windows opens it correctly), in ledger layout — a header block
// with the county, the date range and the export time, Chinese column
// headers with units, values and statuses in words, one row per record —
// and the monthly summary workbook with the dashboard figures and the
// dustfall ranking.
package export
