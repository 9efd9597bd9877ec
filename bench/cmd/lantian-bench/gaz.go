package main

import (
	"github.com/lantian-tz/lantian/assets"
	"github.com/lantian-tz/lantian/model"
)

// installGazetteer loads the administrative divisions the schemas check
// county codes against.
func installGazetteer() error {
	gaz, err := model.LoadGazetteer(assets.ScopeJSON)
	if err != nil {
		return err
	}
	model.SetGazetteer(gaz)
	return nil
}
