package model

// reservedFields are the fields every register carries besides its own
// (registers.md §0). The status field is checked against the schema's
// statuses; the review fields are the reviewers' (Admit stamps them).
var reservedFields = []Field{
	{Key: FieldStatus, Label: Text{ZH: "状态", EN: "Status"}, Kind: KindEnum},
	{Key: FieldDeleted, Label: Text{ZH: "已删除", EN: "Deleted"}, Kind: KindBool},
	{Key: FieldReviewComment, Label: Text{ZH: "审核意见", EN: "Review comment"}, Kind: KindLongText, MaxLen: 500, EditRoles: reviewRoles},
	{Key: FieldReviewedBy, Label: Text{ZH: "审核人", EN: "Reviewed by"}, Kind: KindText, MaxLen: 60, EditRoles: reviewRoles},
	{Key: FieldReviewedAt, Label: Text{ZH: "审核时间", EN: "Reviewed at"}, Kind: KindDateTime, EditRoles: reviewRoles},
	{Key: FieldCreatedBy, Label: Text{ZH: "填报人", EN: "Created by"}, Kind: KindText, MaxLen: 60},
	{Key: FieldCreatedAt, Label: Text{ZH: "填报时间", EN: "Created at"}, Kind: KindDateTime},
	{Key: FieldRecordNo, Label: Text{ZH: "记录编号", EN: "Record number"}, Kind: KindText, MaxLen: 60},
}

// ReservedField returns the definition of a reserved field (status,
// _deleted, review_comment, reviewed_by, reviewed_at, created_by,
// created_at, record_no). The status field's options are the schema's
// statuses; use Schema.FieldOrReserved to get them filled in.
func ReservedField(key string) (*Field, bool) {
	for i := range reservedFields {
		if reservedFields[i].Key == key {
			f := reservedFields[i]
			return &f, true
		}
	}
	return nil, false
}

// FieldOrReserved returns the register field key, or the reserved field of
// that key. For status the options are the schema's statuses.
func (s *Schema) FieldOrReserved(key string) (*Field, bool) {
	if f, ok := s.Field(key); ok {
		return f, true
	}
	if key == FieldStatus {
		s.index()
		return s.statusField, true
	}
	return ReservedField(key)
}
