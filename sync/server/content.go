package server

import (
	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/protocol"
)

// checkContent puts an authentic, in-chain op to model.Admit as a change
// made by the device's role within its scope (a province device may write
// any county of its province). It returns the refusal receipt, or nil.
func (s *Server) checkContent(d Device, op *oplog.Op) *protocol.Receipt {
	_, err := model.Admit(nil, nil, model.Change{
		Register: op.Register, County: op.County, Set: op.Set,
		Author:    model.Author{Name: op.Author, Role: d.Role, County: d.Scope.County, Province: d.Scope.Province},
		Gazetteer: s.gaz,
		Made:      true,
	})
	if err == nil {
		return nil
	}
	return refusal(op.Seq, err)
}

// refusal is the receipt refusing op seq for err, an error of
// model.Admit: its kind picks the code, its message is the reason.
func refusal(seq uint64, err error) *protocol.Receipt {
	code := protocol.RefusedSchema
	switch model.KindOf(err) {
	case model.ErrScope:
		code = protocol.RefusedScope
	case model.ErrForbidden:
		code = protocol.RefusedRole
	}
	msg, _ := model.MsgOf(err)
	return &protocol.Receipt{Seq: seq, Status: protocol.StatusRefused, Code: code, Msg: &msg}
}
