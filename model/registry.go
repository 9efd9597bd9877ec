package model

import "sync"

// registerFamilies lists the schema constructors in display order: the
// farm-coal, straw, livestock and dust families.
var registerFamilies = [][]func() *Schema{
	farmCoalSchemas(),
	strawSchemas(),
	livestockSchemas(),
	dustSchemas(),
}

var (
	registryOnce sync.Once
	registry     []*Schema
	registryBy   map[string]*Schema
)

func loadRegistry() {
	registryBy = map[string]*Schema{}
	for _, fam := range registerFamilies {
		for _, mk := range fam {
			s := mk()
			s.index()
			registry = append(registry, s)
			registryBy[s.Name] = s
		}
	}
}

// Registers returns every register schema in a stable order (by family,
// then as listed in registers.md). The schemas are shared: callers must not
// modify them.
func Registers() []*Schema {
	registryOnce.Do(loadRegistry)
	return append([]*Schema(nil), registry...)
}

// Lookup returns the schema of the named register.
func Lookup(name string) (*Schema, bool) {
	registryOnce.Do(loadRegistry)
	s, ok := registryBy[name]
	return s, ok
}
