package dashboard

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/lantian-tz/lantian/internal/store"
)

// Lister is what Load needs of the device store.
type Lister interface {
	List(q store.Query) (store.Page, error)
}

// Meta is the store's small settings, where targets are kept.
type Meta interface {
	GetMeta(key string) ([]byte, error)
	SetMeta(key string, v []byte) error
}

var (
	_ Lister = (*store.Store)(nil)
	_ Meta   = (*store.Store)(nil)
)

// Registers are the registers the figures are computed from.
var Registers = []string{
	"farm_coal_facility",
	"straw_grid", "straw_patrol", "fire_point",
	"livestock_farm", "manure_facility", "ammonia_control", "ammonia_monitoring", "manure_use_log",
	"dustfall_point", "dustfall_monthly", "construction_site", "site_inspection",
}

// LoadPageSize is the store page Load reads with.
const LoadPageSize = 1000

// Load streams the records of county ("" for every county on a province
// device) from the store, register by register (or, for every county, in
// one pass) and page by page, into a
// Builder, and returns the figures; at most one page of records is held
// at a time. Targets come from opts (see LoadTarget). It stops with ctx's
// error when ctx is cancelled.
func Load(ctx context.Context, s Lister, county string, opts Options) (Result, error) {
	b := NewBuilder(opts)
	regs := Registers
	if county == "" {
		// Without a county the store has no register index to walk: one
		// pass over every record beats a full scan per register. Add
		// skips the registers without figures.
		regs = []string{""}
	}
	for _, reg := range regs {
		q := store.Query{Register: reg, County: county, Limit: LoadPageSize}
		for {
			if err := ctx.Err(); err != nil {
				return Result{}, err
			}
			page, err := s.List(q)
			if err != nil {
				return Result{}, fmt.Errorf("dashboard: load %s: %w", reg, err)
			}
			for i := range page.Records {
				b.Add(&page.Records[i])
			}
			if page.Next == "" {
				break
			}
			q.After = page.Next
		}
	}
	return b.Result(), nil
}

// targetPrefix is the meta key prefix of farm coal targets.
const targetPrefix = "dashboard.farm_coal_target."

// TargetKey is the meta key of county's farm coal replacement target.
func TargetKey(county string) string { return targetPrefix + county }

// LoadTarget returns county's farm coal replacement target in units (0
// when the county has not set one).
func LoadTarget(m Meta, county string) (int, error) {
	v, err := m.GetMeta(TargetKey(county))
	if errors.Is(err, store.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("dashboard: target of %s: %w", county, err)
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(v)))
	if err != nil {
		return 0, fmt.Errorf("dashboard: target of %s: %q is not a number", county, v)
	}
	return n, nil
}

// SaveTarget sets county's farm coal replacement target (units ≥ 0; 0
// clears it).
func SaveTarget(m Meta, county string, units int) error {
	if units < 0 {
		return fmt.Errorf("dashboard: target %d is negative / 目标不能为负数", units)
	}
	var v []byte
	if units > 0 {
		v = []byte(strconv.Itoa(units))
	}
	if err := m.SetMeta(TargetKey(county), v); err != nil {
		return fmt.Errorf("dashboard: save target of %s: %w", county, err)
	}
	return nil
}
