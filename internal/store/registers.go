package store

import "github.com/lantian-tz/lantian/model"

// lookupSchema returns the schema of register name, or nil.
func lookupSchema(name string) *model.Schema {
	sc, ok := model.Lookup(name)
	if !ok {
		return nil
	}
	return sc
}
