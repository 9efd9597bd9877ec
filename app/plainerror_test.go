package app

import (
	"fmt"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/bundle"
	"github.com/lantian-tz/lantian/sync/protocol"
)

// TestPlainErrorByKind: plainError says an error's own words when it has
// them, else the words of its sentinel or its kind, in both languages.
func TestPlainErrorByKind(t *testing.T) {
	test.NewTempApp(t)
	t.Cleanup(func() { setLanguage(LangZH) })
	revoked := protocol.DecodeError(403, protocol.EncodeError(protocol.ErrRevoked))
	own := model.Text{ZH: "无法连接同步服务器，请检查网络后重试", EN: "cannot reach the sync server; check the network and try again"}
	tests := []struct {
		name   string
		err    error
		zh, en string
	}{
		{"network kind", fmt.Errorf("sync: %w", &model.Error{Op: "push", Kind: model.ErrNetwork}),
			"无法连接服务器。修改已保存在本机，有网络时请再试。",
			"The server cannot be reached. Your changes are kept on this device; try again when there is a network."},
		{"the app's unreachable", ErrUnreachable,
			"无法连接服务器。修改已保存在本机，有网络时请再试。",
			"The server cannot be reached. Your changes are kept on this device; try again when there is a network."},
		{"unauthorized kind", &model.Error{Kind: model.ErrUnauthorized, Code: "from_a_newer_server"},
			"服务器拒绝了本设备。请联系县局核查设备注册。",
			"The server refused this device. Ask the county bureau to check its enrollment."},
		{"own words of a network error", model.E("push", model.ErrNetwork, own), own.ZH, own.EN},
		{"a server's refusal", fmt.Errorf("sync: %w", revoked), protocol.ErrRevoked.Msg.ZH, protocol.ErrRevoked.Msg.EN},
		{"a bundle's refusal", bundle.ErrSignature, bundle.ErrSignature.Msg.ZH, bundle.ErrSignature.Msg.EN},
		{"field errors", model.Fields("append", model.ErrInvalid, []model.FieldError{{Field: "grid_no", Msg: model.Text{ZH: "必填", EN: "is required"}}}),
			"部分字段填写有误，请查看字段下方的提示。", "Some fields are not valid; see the messages under them."},
		{"a store sentinel of a kind with several words", fmt.Errorf("open: %w", store.ErrWrongPassphrase),
			"口令错误。", "The passphrase is wrong."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, c := range []struct{ lang, want string }{{LangZH, tt.zh}, {LangEN, tt.en}} {
				setLanguage(c.lang)
				if got := plainError(tt.err); got != c.want {
					t.Errorf("%s: got %q; want %q", c.lang, got, c.want)
				}
			}
		})
	}
}
