package protocol

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/lantian-tz/lantian/model"
)

// modelError is model.Error under a name Error can embed (a field named
// Error would hide the Error method).
type modelError = model.Error

// Error is every error body of the protocol and the Go error a client
// decodes from it: a model.Error (op, kind by name, code, message in both
// languages, field) plus what only the wire needs, the HTTP status, the
// position the server expects and a detail for logs. Errors unwrap to
// their model.Error, so errors.Is(err, model.ErrConflict) and errors.As
// with a *model.Error hold on both sides of the wire; two Errors match
// under errors.Is when their Codes are equal, so the sentinels below work
// on both sides too.
type Error struct {
	modelError
	// Status is the HTTP status the error is sent with.
	Status int `json:"status"`
	// Expected is the next sequence number the server expects (CodeGap,
	// push), the next blob offset it expects (CodeBadOffset) or its last
	// server seq (CodeCursorAhead).
	Expected uint64 `json:"expected,omitempty"`
	// Detail is optional free text for logs (never shown as the message).
	Detail string `json:"detail,omitempty"`
}

// Error renders the error in both languages.
func (e *Error) Error() string {
	s := e.Code + ": " + e.Msg.ZH + " / " + e.Msg.EN
	if e.Op != "" {
		s = e.Op + ": " + s
	}
	if e.Detail != "" {
		s += " (" + e.Detail + ")"
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns e's model.Error, whose cause is the local cause.
func (e *Error) Unwrap() error { return &e.modelError }

// Is reports whether target is an *Error with the same Code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// Model returns e's model.Error.
func (e *Error) Model() *model.Error { return &e.modelError }

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

// ErrorOf returns the error body to send for err: the *Error in err's
// tree, or one made of the first *model.Error in it with the status of
// its kind. Anything else is ErrInternal, and ok is false.
func ErrorOf(err error) (e *Error, ok bool) {
	if errors.As(err, &e) {
		return e, true
	}
	var me *model.Error
	if errors.As(err, &me) {
		status, known := kindStatus[me.Kind]
		if known {
			c := *me
			c.Err = err
			return &Error{modelError: c, Status: status}, true
		}
	}
	return ErrInternal.With("", err), false
}

// kindStatus is the HTTP status of a model.Error of each kind that a
// server may send as it is; other kinds are internal errors.
var kindStatus = map[model.ErrorKind]int{
	model.ErrInvalid:      http.StatusUnprocessableEntity,
	model.ErrForbidden:    http.StatusForbidden,
	model.ErrScope:        http.StatusForbidden,
	model.ErrSchema:       http.StatusBadRequest,
	model.ErrDeleted:      http.StatusConflict,
	model.ErrNotFound:     http.StatusNotFound,
	model.ErrSignature:    http.StatusUnprocessableEntity,
	model.ErrChain:        http.StatusConflict,
	model.ErrUnauthorized: http.StatusUnauthorized,
	model.ErrBusy:         http.StatusServiceUnavailable,
	model.ErrTooLarge:     http.StatusRequestEntityTooLarge,
	model.ErrConflict:     http.StatusConflict,
	model.ErrBadInput:     http.StatusBadRequest,
}

// EncodeError returns the JSON body of e.
func EncodeError(e *Error) []byte {
	b, err := json.Marshal(e)
	if err != nil { // cannot happen: only strings and integers
		return []byte(`{"kind":"internal","code":"internal","status":500}`)
	}
	return b
}

// DecodeError decodes an error body received with HTTP status status.
// A body that is not an Error (a proxy's HTML page, say) still yields an
// *Error carrying the status, so callers always get one. A body of an
// older server (code and message, no kind) gets its code's kind; a code
// this version does not know keeps the kind sent, or that of the status.
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
	if k, ok := codeKind[e.Code]; ok {
		e.Kind = k
	} else if e.Kind == model.ErrUnclassified {
		e.Kind = errorForStatus(e.Status).Kind
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

// Error codes. Each has a sentinel below with its kind, status and
// message.
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
	CodeSlowBody       = "slow_body"
	CodeUploadQuota    = "upload_quota"
	CodeBadTTL         = "code_ttl"
	CodeBadSince       = "bad_since"
)

// codeKind is the kind of each code, filled by sentinel.
var codeKind = map[string]model.ErrorKind{}

func sentinel(kind model.ErrorKind, code string, status int, zh, en string) *Error {
	codeKind[code] = kind
	return &Error{modelError: model.Error{Kind: kind, Code: code, Msg: model.Text{ZH: zh, EN: en}}, Status: status}
}

// Sentinel errors, matched with errors.Is by Code (and by their kind,
// as every model.Error is).
var (
	ErrBadRequest     = sentinel(model.ErrBadInput, CodeBadRequest, 400, "请求无效", "bad request")
	ErrBadJSON        = sentinel(model.ErrBadInput, CodeBadJSON, 400, "请求内容不是有效的JSON", "request body is not valid JSON")
	ErrBadFrame       = sentinel(model.ErrBadInput, CodeBadFrame, 400, "同步数据格式错误", "malformed op frame")
	ErrMediaType      = sentinel(model.ErrBadInput, CodeMediaType, 415, "不支持的内容类型", "unsupported content type")
	ErrEncoding       = sentinel(model.ErrBadInput, CodeEncoding, 415, "不支持的压缩方式", "unsupported content encoding")
	ErrTooLarge       = sentinel(model.ErrTooLarge, CodeTooLarge, 413, "请求内容过大", "request body too large")
	ErrTooManyOps     = sentinel(model.ErrTooLarge, CodeTooManyOps, 413, "一次提交的操作过多", "too many ops in one batch")
	ErrUnknownVersion = sentinel(model.ErrBadInput, CodeUnknownVersion, 404, "不支持的协议版本，请升级应用", "unknown protocol version; please update the app")
	ErrNotFound       = sentinel(model.ErrNotFound, CodeNotFound, 404, "未找到", "not found")
	ErrMethod         = sentinel(model.ErrBadInput, CodeMethod, 405, "不支持的请求方法", "method not allowed")
	ErrUnauthorized   = sentinel(model.ErrUnauthorized, CodeUnauthorized, 401, "未注册或令牌无效，请重新注册设备", "missing or invalid token; enroll the device again")
	ErrRevoked        = sentinel(model.ErrUnauthorized, CodeRevoked, 403, "此设备已被停用，请联系县级管理员", "this device has been revoked; contact the county administrator")
	ErrForbidden      = sentinel(model.ErrForbidden, CodeForbidden, 403, "无权执行此操作", "not allowed for this device")
	ErrEnrollUnknown  = sentinel(model.ErrUnauthorized, CodeEnrollUnknown, 403, "注册码无效", "unknown enrollment code")
	ErrEnrollUsed     = sentinel(model.ErrUnauthorized, CodeEnrollUsed, 403, "注册码已被使用", "enrollment code already used")
	ErrEnrollExpired  = sentinel(model.ErrUnauthorized, CodeEnrollExpired, 403, "注册码已过期", "enrollment code expired")
	ErrDeviceExists   = sentinel(model.ErrConflict, CodeDeviceExists, 409, "设备标识已注册", "device id already enrolled")
	ErrDeviceMismatch = sentinel(model.ErrForbidden, CodeDeviceMismatch, 403, "操作不属于此设备", "ops do not belong to this device")
	ErrGap            = sentinel(model.ErrConflict, CodeGap, 409, "同步序号不连续，请从服务器期望的序号重新提交", "sequence gap; resend from the expected sequence number")
	ErrBadOffset      = sentinel(model.ErrConflict, CodeBadOffset, 409, "上传位置不符，请从服务器期望的位置继续", "upload offset mismatch; resume at the expected offset")
	ErrHashMismatch   = sentinel(model.ErrBadInput, CodeHashMismatch, 422, "附件内容与其校验值不符", "blob content does not match its SHA-256")
	ErrBlobTooLarge   = sentinel(model.ErrTooLarge, CodeBlobTooLarge, 413, "附件过大", "blob too large")
	ErrUnavailable    = sentinel(model.ErrBusy, CodeUnavailable, 503, "服务器正在停止，请稍后重试", "server is shutting down; retry later")
	ErrInternal       = sentinel(model.ErrInternal, CodeInternal, 500, "服务器内部错误", "internal server error")
	ErrBadScope       = sentinel(model.ErrScope, CodeBadScope, 400, "行政区划代码无效或超出权限范围", "unknown county or province, or outside your scope")
	ErrBadRole        = sentinel(model.ErrBadInput, CodeBadRole, 400, "角色无效", "unknown role")
	ErrBadKey         = sentinel(model.ErrBadInput, CodeBadKey, 400, "设备公钥无效", "invalid device public key")
	ErrBusy           = sentinel(model.ErrBusy, CodeBusy, 503, "服务器繁忙，请稍后重试", "server busy; retry later")
	ErrTooManyTries   = sentinel(model.ErrBusy, CodeTooManyTries, 429, "注册码错误次数过多，请稍后再试", "too many wrong enrollment codes; try again later")
	// ErrSlowBody answers a request whose body arrived more slowly than
	// the server's minimum rate; the connection is closed after it.
	ErrSlowBody = sentinel(model.ErrNetwork, CodeSlowBody, 408, "网络过慢，上传已中断，请在网络较好时重试", "the upload was too slow and has been cut off; retry on a better connection")
	// ErrUploadQuota refuses a new blob upload while the device has too
	// many unfinished ones, or too many bytes of them; they expire or
	// can be finished.
	ErrUploadQuota = sentinel(model.ErrBusy, CodeUploadQuota, 429, "此设备未完成的附件上传过多，请先完成已开始的上传，或等待其过期后再试", "this device has too many unfinished photo uploads; finish them, or try again once they expire")
	// ErrCodeTTL refuses an enrollment code valid for longer than the
	// server allows; the server's answer names its limit.
	ErrCodeTTL = sentinel(model.ErrBadInput, CodeBadTTL, 400, "注册码有效期过长", "enrollment code validity too long")
	// ErrBadSince refuses a withdrawal start time that does not parse
	// (ParseSince).
	ErrBadSince = sentinel(model.ErrBadInput, CodeBadSince, 400,
		"撤回起始时间无效：请用北京时间，如 2026-12-01T08:00，或 RFC3339 格式，如 2026-12-01T08:00:00+08:00",
		"invalid withdrawal start time: use Beijing time such as 2026-12-01T08:00, or RFC3339 such as 2026-12-01T08:00:00+08:00")
	// ErrCursorAhead answers a pull whose cursor is past the server's last
	// seq (the server was restored from a backup): Expected is the last
	// seq; the device pulls again from 0 (ops are idempotent).
	ErrCursorAhead = sentinel(model.ErrConflict, CodeCursorAhead, 409, "同步位置超出服务器记录（服务器可能已从备份恢复），将重新下载", "cursor is past the server's last op (server restored from a backup?); pull again from 0")
)
