package client

import (
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/protocol"
)

// Phase names a stage of Sync.
type Phase string

// The phases of Sync, in order.
const (
	PhasePush  Phase = "push"
	PhasePull  Phase = "pull"
	PhaseBlobs Phase = "blobs"
)

// Progress reports how far a phase has come.
type Progress struct {
	Phase Phase
	// Ops is the number of ops (push, pull) or photos (blobs) done.
	Ops int
	// Bytes went over the wire in this phase so far.
	Bytes int64
	// Total is the number of ops or photos the phase expects; 0 when
	// unknown (pull).
	Total int
}

// Result says what a Sync did.
type Result struct {
	// Pushed is the number of the device's ops the server acknowledged.
	Pushed int
	// Pulled is the number of other devices' ops saved.
	Pulled int
	// Quarantined is the number of the device's ops the server refused;
	// they are listed by the store's Quarantined.
	Quarantined int
	// SetAside is the number of other devices' ops received that failed
	// this device's checks; they are listed by the store's Quarantined
	// (as Received) and reported to the server.
	SetAside int
	// Withdrawn is the number of other devices' ops applied here that
	// the server withdrew (their device was revoked): they are listed by
	// the store's Quarantined (as Received, code store.Withdrawn) and
	// no longer count in the records.
	Withdrawn int
	// BlobsUp and BlobsDown count photos uploaded and downloaded;
	// BlobsMissing the referenced photos the server does not have yet;
	// BlobsFailed this device's photos that could not be uploaded
	// (damaged here, or refused by the server; retried next time).
	BlobsUp, BlobsDown, BlobsMissing, BlobsFailed int
	// Bytes is the traffic of the whole sync (bodies, as sent).
	Bytes int64
	// ClockOffset is the device clock minus the server's (positive: the
	// device runs ahead), as the server measured it on push.
	ClockOffset time.Duration
	clockKnown  bool
	// serverLost: the pull found that the server lost some of the
	// device's acknowledged ops, which are pending again.
	serverLost bool
}

// ClockWarning reports whether the device clock is off by more than the
// server's tolerance, so that the user should set it right.
func (r Result) ClockWarning() bool {
	return r.clockKnown && (r.ClockOffset > protocol.ClockTolerance || r.ClockOffset < -protocol.ClockTolerance)
}

// Summary says what happened in plain words, in Chinese and English.
func (r Result) Summary() model.Text {
	t := model.Text{
		ZH: fmt.Sprintf("已上传 %d 条修改，已接收 %d 条修改", r.Pushed, r.Pulled),
		EN: fmt.Sprintf("sent %d changes, received %d changes", r.Pushed, r.Pulled),
	}
	if r.BlobsUp+r.BlobsDown > 0 {
		t.ZH += fmt.Sprintf("，上传照片 %d 张，下载照片 %d 张", r.BlobsUp, r.BlobsDown)
		t.EN += fmt.Sprintf(", uploaded %d photos, downloaded %d photos", r.BlobsUp, r.BlobsDown)
	}
	if r.BlobsMissing > 0 {
		t.ZH += fmt.Sprintf("，%d 张照片服务器尚未收到", r.BlobsMissing)
		t.EN += fmt.Sprintf(", %d photos not on the server yet", r.BlobsMissing)
	}
	if r.BlobsFailed > 0 {
		t.ZH += fmt.Sprintf("，%d 张照片无法上传（文件损坏或被服务器拒绝）", r.BlobsFailed)
		t.EN += fmt.Sprintf(", %d photos could not be uploaded (damaged or refused by the server)", r.BlobsFailed)
	}
	if r.Quarantined > 0 {
		t.ZH += fmt.Sprintf("。服务器拒绝了 %d 条修改，请在“待处理”中查看原因并更正", r.Quarantined)
		t.EN += fmt.Sprintf(". The server refused %d changes; see the reasons under \"To fix\" and correct them", r.Quarantined)
	}
	if r.SetAside > 0 {
		t.ZH += fmt.Sprintf("。收到的 %d 条修改未通过本机校验，已搁置，请在“待处理”中查看", r.SetAside)
		t.EN += fmt.Sprintf(". %d received changes failed this device's checks and were set aside; see them under \"To fix\"", r.SetAside)
	}
	if r.Withdrawn > 0 {
		t.ZH += fmt.Sprintf("。服务器撤回了已吊销设备的 %d 条修改，已从记录中移除，可在“待处理”中查看", r.Withdrawn)
		t.EN += fmt.Sprintf(". The server withdrew %d changes of a revoked device; they were taken out of the records, see them under \"To fix\"", r.Withdrawn)
	}
	if r.ClockWarning() {
		ahead := r.ClockOffset.Round(time.Minute)
		zh, en := "快", "ahead"
		if ahead < 0 {
			ahead, zh, en = -ahead, "慢", "behind"
		}
		t.ZH += fmt.Sprintf("。本机时钟比服务器%s %s，请校正系统时间", zh, ahead)
		t.EN += fmt.Sprintf(". This device's clock is %s %s of the server; please set the system time", ahead, en)
	}
	t.ZH += "。"
	t.EN += "."
	return t
}

func opID(dev uuid.UUID, seq uint64) oplog.OpID { return oplog.OpID{Device: dev, Seq: seq} }
