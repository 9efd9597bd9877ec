package bundle

import (
	"fmt"

	"github.com/lantian-tz/lantian/model"
)

// Error is why a bundle was refused, in Chinese and English. Two Errors
// match under errors.Is when their Codes are equal, so callers test the
// sentinels below.
type Error struct {
	Code   string
	Msg    model.Text
	Detail string // for logs, English
	Err    error
}

// Error renders the error in both languages.
func (e *Error) Error() string {
	s := "bundle: " + e.Msg.ZH + " / " + e.Msg.EN
	if e.Detail != "" {
		s += " (" + e.Detail + ")"
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is an *Error with the same Code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// withf returns a copy of e with a formatted detail.
func (e *Error) withf(format string, args ...any) *Error {
	c := *e
	c.Detail = fmt.Sprintf(format, args...)
	return &c
}

// wrap returns a copy of e with cause err.
func (e *Error) wrap(err error) *Error {
	c := *e
	c.Err = err
	return &c
}

func sentinel(code, zh, en string) *Error {
	return &Error{Code: code, Msg: model.Text{ZH: zh, EN: en}}
}

// Sentinel errors of bundles.
var (
	// ErrNotBundle: the file is not a Lantian bundle.
	ErrNotBundle = sentinel("not_bundle", "不是蓝天台账数据包文件", "not a Lantian bundle file")
	// ErrVersion: a bundle format this version does not read.
	ErrVersion = sentinel("version", "数据包格式版本过新，请升级应用", "bundle format too new; please update the app")
	// ErrTruncated: the file is shorter than it says (cut while copying).
	ErrTruncated = sentinel("truncated", "数据包不完整（可能复制中断），请重新导出或复制", "bundle is incomplete (copy cut short?); export or copy it again")
	// ErrSignature: the signature does not verify: the file was damaged
	// or altered after export, or was not signed by the device it names.
	ErrSignature = sentinel("signature", "数据包签名无效：文件已损坏、被修改或并非由该设备签发", "bundle signature is invalid: the file is damaged, altered, or not signed by the device it names")
	// ErrCorrupt: the signed content is inconsistent (a bad op, chain or
	// blob hash).
	ErrCorrupt = sentinel("corrupt", "数据包内容无效", "bundle content is invalid")
	// ErrForeignProvince: the bundle comes from another province.
	ErrForeignProvince = sentinel("foreign_province", "数据包来自其他省份，不能导入", "bundle is from another province and cannot be imported")
	// ErrKeyMismatch: the receiver knows the device with another key.
	ErrKeyMismatch = sentinel("key_mismatch", "数据包的设备密钥与已登记的不一致", "the bundle's device key differs from the one on record")
)
