package bundle

import (
	"fmt"

	"github.com/lantian-tz/lantian/model"
)

// sentinel makes one of the bundle's refusals: a *model.Error of op
// "bundle" with its kind, code and message in Chinese and English.
func sentinel(kind model.ErrorKind, code, zh, en string) *model.Error {
	return &model.Error{Op: "bundle", Kind: kind, Code: code, Msg: model.Text{ZH: zh, EN: en}}
}

// withf returns a copy of sentinel e whose cause is a formatted detail
// (for logs, English).
func withf(e *model.Error, format string, args ...any) *model.Error {
	return wrap(e, fmt.Errorf(format, args...))
}

// wrapf returns a copy of sentinel e whose cause is err with a formatted
// detail.
func wrapf(e *model.Error, err error, format string, args ...any) *model.Error {
	return wrap(e, fmt.Errorf(format+": %w", append(args, err)...))
}

// wrap returns a copy of sentinel e with cause err.
func wrap(e *model.Error, err error) *model.Error {
	c := *e
	c.Err = err
	return &c
}

// Sentinel errors of bundles: *model.Errors that callers test with
// errors.Is, by the sentinel (its code) or by its kind.
var (
	// ErrNotBundle: the file is not a Lantian bundle.
	ErrNotBundle = sentinel(model.ErrBadInput, "not_bundle", "不是蓝天台账数据包文件", "not a Lantian bundle file")
	// ErrVersion: a bundle format this version does not read.
	ErrVersion = sentinel(model.ErrBadInput, "version", "数据包格式版本过新，请升级应用", "bundle format too new; please update the app")
	// ErrTruncated: the file is shorter than it says (cut while copying).
	ErrTruncated = sentinel(model.ErrBadInput, "truncated", "数据包不完整（可能复制中断），请重新导出或复制", "bundle is incomplete (copy cut short?); export or copy it again")
	// ErrSignature: the signature does not verify: the file was damaged
	// or altered after export, or was not signed by the device it names.
	ErrSignature = sentinel(model.ErrSignature, "signature", "数据包签名无效：文件已损坏、被修改或并非由该设备签发", "bundle signature is invalid: the file is damaged, altered, or not signed by the device it names")
	// ErrCorrupt: the signed content is inconsistent (a bad op, chain or
	// blob hash).
	ErrCorrupt = sentinel(model.ErrBadInput, "corrupt", "数据包内容无效", "bundle content is invalid")
	// ErrForeignProvince: the bundle comes from another province.
	ErrForeignProvince = sentinel(model.ErrScope, "foreign_province", "数据包来自其他省份，不能导入", "bundle is from another province and cannot be imported")
	// ErrKeyMismatch: the receiver knows the device with another key.
	ErrKeyMismatch = sentinel(model.ErrSignature, "key_mismatch", "数据包的设备密钥与已注册的不一致", "the bundle's device key differs from the one on record")
)
