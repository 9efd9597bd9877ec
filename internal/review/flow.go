package review

import "github.com/lantian-tz/lantian/model"

// Flow is a register's review workflow (model.Flow: the gates derived
// from its schema's transitions).
type Flow = model.Flow

// Gate is one review step (model.Gate).
type Gate = model.Gate

// Flows returns the workflows of every register that has review steps, in
// registry order.
func Flows() []*Flow {
	var out []*Flow
	for _, sc := range model.Registers() {
		if f := model.NewFlow(sc); f.Reviewable() {
			out = append(out, f)
		}
	}
	return out
}

// FlowOf returns the workflow of the named register.
func FlowOf(register string) (*Flow, bool) {
	sc, ok := model.Lookup(register)
	if !ok {
		return nil, false
	}
	f := model.NewFlow(sc)
	return f, f.Reviewable()
}
