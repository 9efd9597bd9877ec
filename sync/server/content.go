package server

import (
	"slices"
	"sort"

	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/protocol"
)

// checkContent decides whether an authentic, in-chain op may be applied:
// its county must be in the device's scope (a province device may write
// any county of its province), its register and fields known, its values
// valid and its fields editable by the device's role. It returns the
// refusal receipt, or nil.
func (s *Server) checkContent(d Device, op *oplog.Op) *protocol.Receipt {
	refuse := func(code string, msg model.Text) *protocol.Receipt {
		return &protocol.Receipt{Seq: op.Seq, Status: protocol.StatusRefused, Code: code, Msg: &msg}
	}
	p, ok := s.gaz.ProvinceOf(op.County)
	if !ok {
		return refuse(protocol.RefusedScope, model.Text{
			ZH: "未知的区县代码 " + op.County, EN: "unknown county code " + op.County})
	}
	if p.Code != d.Scope.Province || (d.Scope.County != "" && d.Scope.County != op.County) {
		return refuse(protocol.RefusedScope, model.Text{
			ZH: "区县 " + op.County + " 不在本设备的权限范围内", EN: "county " + op.County + " is outside this device's scope"})
	}
	sch, ok := model.Lookup(op.Register)
	if !ok {
		return refuse(protocol.RefusedSchema, model.Text{
			ZH: "未知的台账 " + op.Register, EN: "unknown register " + op.Register})
	}
	keys := make([]string, 0, len(op.Set))
	for k := range op.Set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if fe := sch.ValidateValue(k, op.Set[k]); fe != nil {
			return refuse(protocol.RefusedSchema, model.Text{ZH: fe.Field + "：" + fe.Msg.ZH, EN: fe.Field + ": " + fe.Msg.EN})
		}
		if f, ok := sch.FieldOrReserved(k); ok && len(f.EditRoles) > 0 && !slices.Contains(f.EditRoles, d.Role) {
			return refuse(protocol.RefusedRole, model.Text{
				ZH: f.Label.ZH + " 不能由此角色修改", EN: f.Label.EN + " cannot be set by role " + string(d.Role)})
		}
	}
	return nil
}
