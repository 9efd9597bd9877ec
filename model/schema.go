package model

import "time"

// Role is what an enrolled device's user may do.
type Role string

// The roles of DESIGN.md: village grid staff, county bureau reviewers and
// the province. A role's rights are the transitions that name it.
const (
	RoleGrid     Role = "grid"
	RoleCounty   Role = "county"
	RoleProvince Role = "province"
)

// CappedBy returns r, or device when device may do less than r: a user's
// role on a device enrolled with role device ("" for a device never
// enrolled, which caps nothing). Grid staff may do least, the province
// most.
func (r Role) CappedBy(device Role) Role {
	if device != "" && r.rank() > device.rank() {
		return device
	}
	return r
}

func (r Role) rank() int {
	switch r {
	case RoleProvince:
		return 3
	case RoleCounty:
		return 2
	}
	return 1
}

// Text is a user-visible string in both UI languages.
type Text struct {
	ZH string `json:"zh"`
	EN string `json:"en"`
}

// In returns the text in lang ("zh", "zh-CN", "en", ...); Chinese unless the
// language is English.
func (t Text) In(lang string) string {
	if len(lang) >= 2 && lang[:2] == "en" && t.EN != "" {
		return t.EN
	}
	return t.ZH
}

// Kind is a field's type.
type Kind string

// Field kinds. Each has one canonical Value form (see value.go).
const (
	KindText      Kind = "text"       // JSON string, one line
	KindLongText  Kind = "long_text"  // JSON string, several lines
	KindInteger   Kind = "integer"    // JSON integer
	KindDecimal   Kind = "decimal"    // JSON number, with Unit
	KindEnum      Kind = "enum"       // JSON string: an Option key
	KindMultiEnum Kind = "multi_enum" // JSON array of Option keys
	KindDate      Kind = "date"       // JSON string YYYY-MM-DD
	KindMonth     Kind = "month"      // JSON string YYYY-MM
	KindDateTime  Kind = "datetime"   // JSON string YYYY-MM-DDTHH:MM+08:00
	KindBool      Kind = "bool"       // true / false
	KindGPS       Kind = "gps"        // {"lat":..,"lon":..,"acc":..}
	KindGPSList   Kind = "gps_list"   // [{"lat":..,"lon":..}, ...]
	KindPhotos    Kind = "photos"     // JSON array of SHA-256 hex blob ids
	KindRef       Kind = "ref"        // JSON string: a record id of Ref register
	KindRefList   Kind = "ref_list"   // JSON array of record ids
	KindTextList  Kind = "text_list"  // JSON array of strings
	KindCounty    Kind = "county"     // JSON string: a gazetteer county code or app_id
)

// Option is one allowed value of an enum field.
type Option struct {
	Key   string `json:"key"`
	Label Text   `json:"label"`
}

// Field describes one field of a register.
type Field struct {
	Key   string
	Label Text
	Kind  Kind
	Help  Text // shown under the input

	// Required fields must hold a value in every saved record.
	Required bool
	// RequiredIf, when set, makes the field required for records it returns
	// true for (the "C" fields of the register tables).
	RequiredIf func(r Record) bool
	// Relevant, when set, says which records the field applies to, like
	// XLSForm's "relevant": a function of the record's values, its status
	// included (acceptance fields once a record awaits acceptance, the
	// details of a yes/no answered yes). RelevantIn is the one rule: the
	// form shows only relevant fields and re-asks as answers change,
	// Validate requires no irrelevant field, and Admit clears the value of
	// a field a local change makes irrelevant (see Admit).
	Relevant func(r Record) bool

	Unit     Text     // for decimals and integers: 吨, 亩, m², ...
	Min, Max *float64 // numeric range, inclusive
	MinLen   int      // text length in characters, or list length
	MaxLen   int
	Options  []Option // enum and multi_enum
	Ref      string   // register of ref and ref_list fields

	// Check is extra validation of a present value (check digits,
	// patterns); it returns nil when the value is fine. ValidateValue and
	// ParseInput call it with a Record holding no fields, so it must judge
	// the value alone; rules spanning fields belong in Schema.Checks.
	Check func(v Value, r Record) *Text
	// Warn returns a warning for a present value that is allowed but
	// unusual (shown, never blocking).
	Warn func(v Value, r Record) *Text

	// EditRoles, when set, limits who may set the field (for example
	// in_annual_task is set by the county bureau, not the field user).
	EditRoles []Role
	// Computed fields are derived by the schema's Derive, never typed.
	Computed bool
	// Searchable fields feed the store's name search and list titles.
	Searchable bool
	// Today: a new record's form fills in today's date (the day of a
	// patrol), where the date is usually the day of entry; never for
	// planned or past dates such as 计划完成日期.
	Today bool
	// Place, when set (PlaceTownship, PlaceVillage), makes the field's
	// values the codes of townships or villages of the record's county
	// (see Places and PlaceError); free text kept from before places were
	// coded is shown as it is, with a warning.
	Place int
}

// Status is one state of a register's lifecycle.
type Status struct {
	Key   string
	Label Text
	// Final statuses end the lifecycle (销号, 作废).
	Final bool
}

// Transition is a move between statuses that the given roles may make.
type Transition struct {
	From, To string
	Roles    []Role
	Label    Text // the action's name: 提交, 通过, 退回, ...
	// Comment requires a review comment with the move (returns).
	Comment bool
}

// Schema describes a register: its fields, validation and lifecycle.
type Schema struct {
	Name   string // snake_case key, e.g. farm_coal_facility
	Label  Text
	Family string // the register family: farm_coal, straw, livestock, dust
	Code   string // short code for human record numbers, e.g. NYSM

	Fields []Field
	// TitleField names the field shown as a record's title in lists.
	TitleField string
	// VillageField and DateField name the fields lists filter on (may be
	// empty).
	VillageField string
	DateField    string
	// Parent, for child registers (an inspection of a site), names the
	// ref field pointing at the parent record.
	Parent string

	// CreateRoles, when set, limits who may create records of the
	// register: the reference registers a county defines for its grid
	// staff (grids, dust-fall points) and records pushed from above (fire
	// points). Empty: every role. model.Admit applies it.
	CreateRoles []Role

	Statuses    []Status
	Initial     string // status of a new record; "" for registers without a lifecycle
	Transitions []Transition

	// Checks are cross-field rules (date order, conditional requirements
	// that need several fields); each error names a field.
	Checks []func(r Record) []FieldError
	// Warns are cross-field warnings (overdue checks); never blocking.
	Warns []func(r Record) []FieldError
	// Derive fills computed fields (pig equivalent, exceedance flags)
	// from the others; nil when the register has none.
	Derive func(r Record) map[string]Value

	// Lookup tables built once by index (see schema_index.go).
	fieldIdx    map[string]int
	statusIdx   map[string]int
	statusField *Field
}

// Record is a register entry's field values, as validation sees them.
type Record struct {
	Register string
	County   string
	Fields   map[string]Value
	// Now is the reference time for "not in the future" and "too old"
	// rules; the zero time skips them (the caller injects its clock).
	Now time.Time
}

// Get returns the value of field key (Null if absent).
func (r Record) Get(key string) Value { return r.Fields[key] }

// Reserved field keys that every register carries.
const (
	FieldStatus        = "status"         // lifecycle status key
	FieldDeleted       = "_deleted"       // true when the record is deleted
	FieldReviewComment = "review_comment" // reviewer's comment on a return
	FieldTownship      = "township"
	FieldVillage       = "village"
	FieldLocation      = "location"
	FieldRemarks       = "remarks"
	FieldReviewedBy    = "reviewed_by" // reviewer's user name
	FieldReviewedAt    = "reviewed_at" // review time (datetime)
	FieldCreatedBy     = "created_by"  // the entering user's name
	FieldCreatedAt     = "created_at"  // entry time (datetime)
	FieldRecordNo      = "record_no"   // human number 130126-NYSM-2023-0042
)

// FieldError is a validation failure of one field, in both languages.
type FieldError struct {
	Field string `json:"field"`
	Msg   Text   `json:"msg"`
}

// Error renders the error in Chinese and English.
func (e FieldError) Error() string { return e.Field + ": " + e.Msg.ZH + " / " + e.Msg.EN }
