package protocol

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/lantian-tz/lantian/model"
)

// Error is every error body of the protocol and the Go error a client
// decodes from it. Two Errors match under errors.Is when their Codes are
// equal, so the sentinels below work on both sides of the wire.
type Error struct {
	// Code is a stable machine-readable reason, one of the Code* constants.
	Code string `json:"code"`
	// Status is the HTTP status the error is sent with.
	Status int `json:"status"`
	// Msg explains the error to a person, in Chinese and English.
	Msg model.Text `json:"msg"`
	// Expected is the next sequence number the server expects (CodeGap,
	// push) or the next blob offset it expects (CodeBadOffset).
	Expected uint64 `json:"expected,omitempty"`
	// Detail is optional free text for logs (never shown as the message).
	Detail string `json:"detail,omitempty"`
	// Err is the local cause; it does not travel.
	Err error `json:"-"`
}

// Error renders the error in both languages.
func (e *Error) Error() string {
	s := e.Code + ": " + e.Msg.ZH + " / " + e.Msg.EN
	if e.Detail != "" {
		s += " (" + e.Detail + ")"
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the local cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is an *Error with the same Code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// With returns a copy of e carrying detail and cause err (either may be
// empty).
func (e *Error) With(detail string, err error) *Error {
	c := *e
	c.Detail = detail
	c.Err = err
	return &c
}

// Withf returns a copy of e with a formatted detail.
func (e *Error) Withf(format string, args ...any) *Error {
	return e.With(fmt.Sprintf(format, args...), nil)
}

// EncodeError returns the JSON body of e.
func EncodeError(e *Error) []byte {
	b, err := json.Marshal(e)
	if err != nil { // cannot happen: only strings and integers
		return []byte(`{"code":"internal","status":500}`)
	}
	return b
}

// DecodeError decodes an error body received with HTTP status status.
// A body that is not an Error (a proxy's HTML page, say) still yields an
// *Error carrying the status, so callers always get one.
func DecodeError(status int, body []byte) *Error {
	var e Error
	if err := json.Unmarshal(body, &e); err != nil || e.Code == "" {
		e = *errorForStatus(status)
		if len(body) > 200 {
			body = body[:200]
		}
		e.Detail = string(body)
		e.Status = status
	}
	if e.Status == 0 {
		e.Status = status
	}
	return &e
}

func errorForStatus(status int) *Error {
	switch status {
	case http.StatusUnauthorized:
		return ErrUnauthorized
	case http.StatusForbidden:
		return ErrForbidden
	case http.StatusNotFound:
		return ErrNotFound
	case http.StatusRequestEntityTooLarge:
		return ErrTooLarge
	case http.StatusUnsupportedMediaType:
		return ErrMediaType
	case http.StatusServiceUnavailable:
		return ErrUnavailable
	case http.StatusTooManyRequests:
		return ErrTooManyTries
	}
	if status >= 500 {
		return ErrInternal
	}
	return ErrBadRequest
}

// Error codes. Each has a sentinel below with its status and message.
const (
	CodeBadRequest     = "bad_request"
	CodeBadJSON        = "bad_json"
	CodeBadFrame       = "bad_frame"
	CodeMediaType      = "unsupported_media_type"
	CodeEncoding       = "unsupported_encoding"
	CodeTooLarge       = "too_large"
	CodeTooManyOps     = "too_many_ops"
	CodeUnknownVersion = "unknown_version"
	CodeNotFound       = "not_found"
	CodeMethod         = "method_not_allowed"
	CodeUnauthorized   = "unauthorized"
	CodeRevoked        = "revoked"
	CodeForbidden      = "forbidden"
	CodeEnrollUnknown  = "enroll_code_unknown"
	CodeEnrollUsed     = "enroll_code_used"
	CodeEnrollExpired  = "enroll_code_expired"
	CodeDeviceExists   = "device_exists"
	CodeDeviceMismatch = "device_mismatch"
	CodeGap            = "gap"
	CodeBadOffset      = "bad_offset"
	CodeHashMismatch   = "hash_mismatch"
	CodeBlobTooLarge   = "blob_too_large"
	CodeUnavailable    = "unavailable"
	CodeInternal       = "internal"
	CodeBadScope       = "bad_scope"
	CodeBadRole        = "bad_role"
	CodeBadKey         = "bad_key"
	CodeBusy           = "busy"
	CodeCursorAhead    = "cursor_ahead"
	CodeTooManyTries   = "too_many_attempts"
)

func sentinel(code string, status int, zh, en string) *Error {
	return &Error{Code: code, Status: status, Msg: model.Text{ZH: zh, EN: en}}
}

// Sentinel errors, matched with errors.Is by Code.
var (
	ErrBadRequest     = sentinel(CodeBadRequest, 400, "请求无效", "bad request")
	ErrBadJSON        = sentinel(CodeBadJSON, 400, "请求内容不是有效的JSON", "request body is not valid JSON")
	ErrBadFrame       = sentinel(CodeBadFrame, 400, "同步数据格式错误", "malformed op frame")
	ErrMediaType      = sentinel(CodeMediaType, 415, "不支持的内容类型", "unsupported content type")
	ErrEncoding       = sentinel(CodeEncoding, 415, "不支持的压缩方式", "unsupported content encoding")
	ErrTooLarge       = sentinel(CodeTooLarge, 413, "请求内容过大", "request body too large")
	ErrTooManyOps     = sentinel(CodeTooManyOps, 413, "一次提交的操作过多", "too many ops in one batch")
	ErrUnknownVersion = sentinel(CodeUnknownVersion, 404, "不支持的协议版本，请升级应用", "unknown protocol version; please update the app")
	ErrNotFound       = sentinel(CodeNotFound, 404, "未找到", "not found")
	ErrMethod         = sentinel(CodeMethod, 405, "不支持的请求方法", "method not allowed")
	ErrUnauthorized   = sentinel(CodeUnauthorized, 401, "未登记或令牌无效，请重新登记设备", "missing or invalid token; enroll the device again")
	ErrRevoked        = sentinel(CodeRevoked, 403, "此设备已被停用，请联系县级管理员", "this device has been revoked; contact the county administrator")
	ErrForbidden      = sentinel(CodeForbidden, 403, "无权执行此操作", "not allowed for this device")
	ErrEnrollUnknown  = sentinel(CodeEnrollUnknown, 403, "登记码无效", "unknown enrollment code")
	ErrEnrollUsed     = sentinel(CodeEnrollUsed, 403, "登记码已被使用", "enrollment code already used")
	ErrEnrollExpired  = sentinel(CodeEnrollExpired, 403, "登记码已过期", "enrollment code expired")
	ErrDeviceExists   = sentinel(CodeDeviceExists, 409, "设备标识已登记", "device id already enrolled")
	ErrDeviceMismatch = sentinel(CodeDeviceMismatch, 403, "操作不属于此设备", "ops do not belong to this device")
	ErrGap            = sentinel(CodeGap, 409, "同步序号不连续，请从服务器期望的序号重新提交", "sequence gap; resend from the expected sequence number")
	ErrBadOffset      = sentinel(CodeBadOffset, 409, "上传位置不符，请从服务器期望的位置继续", "upload offset mismatch; resume at the expected offset")
	ErrHashMismatch   = sentinel(CodeHashMismatch, 422, "附件内容与其校验值不符", "blob content does not match its SHA-256")
	ErrBlobTooLarge   = sentinel(CodeBlobTooLarge, 413, "附件过大", "blob too large")
	ErrUnavailable    = sentinel(CodeUnavailable, 503, "服务器正在停止，请稍后重试", "server is shutting down; retry later")
	ErrInternal       = sentinel(CodeInternal, 500, "服务器内部错误", "internal server error")
	ErrBadScope       = sentinel(CodeBadScope, 400, "行政区划代码无效或超出权限范围", "unknown county or province, or outside your scope")
	ErrBadRole        = sentinel(CodeBadRole, 400, "角色无效", "unknown role")
	ErrBadKey         = sentinel(CodeBadKey, 400, "设备公钥无效", "invalid device public key")
	ErrBusy           = sentinel(CodeBusy, 503, "服务器繁忙，请稍后重试", "server busy; retry later")
	ErrTooManyTries   = sentinel(CodeTooManyTries, 429, "登记码错误次数过多，请稍后再试", "too many wrong enrollment codes; try again later")
	// ErrCursorAhead answers a pull whose cursor is past the server's last
	// seq (the server was restored from a backup): Expected is the last
	// seq; the device pulls again from 0 (ops are idempotent).
	ErrCursorAhead = sentinel(CodeCursorAhead, 409, "同步位置超出服务器记录（服务器可能已从备份恢复），将重新下载", "cursor is past the server's last op (server restored from a backup?); pull again from 0")
)
