package store

import (
	"fmt"
	"slices"
	"sort"

	"github.com/lantian-tz/lantian/model"
)

// lookupSchema returns the schema of register name, or nil.
func lookupSchema(name string) *model.Schema {
	sc, ok := model.Lookup(name)
	if !ok {
		return nil
	}
	return sc
}

// checkValue validates one value of a field of sc, reserved fields
// included. It does not look at roles.
func checkValue(sc *model.Schema, key string, v model.Value) *model.FieldError {
	return sc.ValidateValue(key, v)
}

// validateValue validates a value of a local change made by role: the
// value itself, and whether role may set the field.
func validateValue(sc *model.Schema, key string, v model.Value, role model.Role) *model.FieldError {
	if fe := checkValue(sc, key, v); fe != nil {
		return fe
	}
	f, ok := sc.Field(key)
	if !ok {
		return nil
	}
	if f.Computed {
		return &model.FieldError{Field: key, Msg: model.Text{ZH: "该字段自动计算，不能填写", EN: "computed field; cannot be set"}}
	}
	if len(f.EditRoles) > 0 && !slices.Contains(f.EditRoles, role) {
		return &model.FieldError{Field: key, Msg: model.Text{ZH: "无权修改此字段", EN: fmt.Sprintf("role %q may not set this field", role)}}
	}
	return nil
}

// transition checks that role may move a record of sc from status from to
// status to, with a review comment in set when the move needs one.
func transition(sc *model.Schema, from, to string, role model.Role, set map[string]model.Value) error {
	tr, err := sc.Transition(from, to, role)
	if err != nil {
		return fmt.Errorf("%w: %s → %s by %s: %w", ErrForbidden, from, to, role, err)
	}
	if tr.Comment && valueText(set[model.FieldReviewComment]) == "" {
		return &ValidationError{Errors: []model.FieldError{{Field: model.FieldReviewComment,
			Msg: model.Text{ZH: "此操作需要填写审核意见", EN: "this step needs a review comment"}}}}
	}
	return nil
}

func sortFieldErrors(errs []model.FieldError) {
	sort.SliceStable(errs, func(i, j int) bool { return errs[i].Field < errs[j].Field })
}
