package evidence

import (
	"bytes"
	"cmp"
	"fmt"
	"html/template"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/protocol"
)

// beijing is the time zone the report shows times in.
var beijing = time.FixedZone("CST", 8*3600)

// reportData is what the report template shows, in one language.
type reportData struct {
	Lang     string
	T        map[string]string
	Record   uuid.UUID
	Register string
	County   string
	Created  string
	OK       bool
	Summary  string
	Problems []reportLine
	Notes    []string
	History  []historyRow
	Photos   []photoRow
	State    []fieldRow
	Keys     string
}

type reportLine struct{ Kind, Where, Msg string }

type historyRow struct {
	When, Author, Role, Device, Op string
	Changes                        []fieldRow
}

type fieldRow struct{ Field, Value string }

type photoRow struct {
	SHA256, Op string
	Size       int
	Notes      []string // EXIF and the evidence checks' doubts
}

var words = map[string]map[string]string{
	"zh": {"title": "记录证据包报告", "record": "记录", "register": "台账", "county": "县", "created": "生成时间",
		"result": "核验结果", "ok": "核验通过：每个操作的签名、设备登记、设备链与权限均无问题。", "bad": "核验未通过",
		"problems": "问题", "notes": "说明", "history": "修改历史", "when": "时间（北京时间）", "author": "填报人",
		"role": "角色", "device": "设备", "op": "操作", "changes": "修改的字段与新值", "photos": "照片（原件）", "photonotes": "照片自带信息与核验提示",
		"size": "字节数", "state": "由全部操作重建的当前记录", "field": "字段", "value": "值", "keys": "签署登记声明的省级公钥",
		"how": "复核方法：lantian verify 证据包.zip --province-pubkey 省级公钥（离线可用）。", "unknown": "未知"},
	"en": {"title": "Record evidence pack report", "record": "Record", "register": "Register", "county": "County", "created": "Made",
		"result": "Verification result", "ok": "Verified: every op's signature, device enrollment, device chain and permission checks out.", "bad": "Verification failed",
		"problems": "Problems", "notes": "Notes", "history": "History of changes", "when": "Time (Beijing)", "author": "Author",
		"role": "Role", "device": "Device", "op": "Op", "changes": "Fields changed and their new values", "photos": "Photos (originals)", "photonotes": "What the photo says of itself, and the checks' doubts",
		"size": "Bytes", "state": "The record as rebuilt from all its ops", "field": "Field", "value": "Value", "keys": "Province keys that signed the enrollment statements",
		"how": "To re-check: lantian verify pack.zip --province-pubkey KEY (works offline).", "unknown": "unknown"},
}

var reportTmpl = template.Must(template.New("report").Parse(`{{define "lang"}}<section lang="{{.Lang}}">
<h1>{{.T.title}}</h1>
<p>{{.T.record}}: <code>{{.Record}}</code> · {{.T.register}}: {{.Register}} · {{.T.county}}: {{.County}} · {{.T.created}}: {{.Created}}</p>
<h2>{{.T.result}}</h2>
<p class="{{if .OK}}ok{{else}}bad{{end}}">{{if .OK}}{{.T.ok}}{{else}}{{.T.bad}}{{end}}</p>
<p>{{.Summary}}</p>
{{if .Problems}}<h3>{{.T.problems}}</h3><ul>{{range .Problems}}<li>[{{.Kind}}] {{.Where}} {{.Msg}}</li>{{end}}</ul>{{end}}
{{if .Notes}}<h3>{{.T.notes}}</h3><ul>{{range .Notes}}<li>{{.}}</li>{{end}}</ul>{{end}}
<h2>{{.T.history}}</h2>
<table><tr><th>{{.T.when}}</th><th>{{.T.author}}</th><th>{{.T.role}}</th><th>{{.T.device}}</th><th>{{.T.op}}</th><th>{{.T.changes}}</th></tr>
{{range .History}}<tr><td>{{.When}}</td><td>{{.Author}}</td><td>{{.Role}}</td><td><code>{{.Device}}</code></td><td><code>{{.Op}}</code></td><td><ul>{{range .Changes}}<li>{{.Field}}: {{.Value}}</li>{{end}}</ul></td></tr>
{{end}}</table>
<h2>{{.T.photos}}</h2>
<table><tr><th>SHA-256</th><th>{{.T.size}}</th><th>{{.T.op}}</th><th>{{.T.photonotes}}</th></tr>
{{range .Photos}}<tr><td><code>{{.SHA256}}</code></td><td>{{.Size}}</td><td><code>{{.Op}}</code></td><td><ul>{{range .Notes}}<li>{{.}}</li>{{end}}</ul></td></tr>
{{end}}</table>
<h2>{{.T.state}}</h2>
<table><tr><th>{{.T.field}}</th><th>{{.T.value}}</th></tr>
{{range .State}}<tr><td>{{.Field}}</td><td>{{.Value}}</td></tr>
{{end}}</table>
<h2>{{.T.keys}}</h2>
<pre>{{.Keys}}</pre>
<p>{{.T.how}}</p>
</section>{{end}}<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>记录证据包 / Evidence pack {{(index . 0).Record}}</title>
<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #999;padding:4px;vertical-align:top}.ok{color:#060}.bad{color:#b00;font-weight:bold}section+section{border-top:3px double #999;margin-top:3em}</style>
</head><body>
{{range .}}{{template "lang" .}}{{end}}
</body></html>
`))

// renderReport is report.html of c as checked in res: Chinese first,
// then English.
func renderReport(c *contents, res *Result, made time.Time, photoNotes map[string][]model.Text) ([]byte, error) {
	ops := slices.Clone(res.ops)
	slices.SortFunc(ops, func(a, b oplog.Op) int {
		return cmp.Or(cmp.Compare(a.Time(), b.Time()), oplog.CompareOpID(a.ID(), b.ID()))
	})
	var pages []reportData
	for _, lang := range []string{"zh", "en"} {
		t := words[lang]
		pick := func(x model.Text) string {
			if lang == "zh" {
				return x.ZH
			}
			return x.EN
		}
		d := reportData{Lang: lang, T: t, Record: c.record, Created: made.In(beijing).Format("2006-01-02 15:04:05"),
			OK: res.OK(), Keys: string(c.keys)}
		if res.State != nil {
			d.Register, d.County = res.State.Register, res.State.County
		}
		var sc *model.Schema
		if s, ok := model.Lookup(d.Register); ok {
			sc = s
			d.Register = pick(s.Label) + " (" + d.Register + ")"
		}
		label := func(k string) string {
			if sc != nil {
				if f, ok := sc.Field(k); ok {
					return pick(f.Label)
				}
			}
			return k
		}
		if r := res.Checked; r != nil {
			if lang == "zh" {
				d.Summary = fmt.Sprintf("已核验 %d 个操作、%d 台设备、%d 份登记声明、%d 张照片。", r.Ops, r.Devices, len(c.statements), len(c.photos))
			} else {
				d.Summary = fmt.Sprintf("Checked %d ops, %d devices, %d enrollment statements, %d photos.", r.Ops, r.Devices, len(c.statements), len(c.photos))
			}
		}
		for _, p := range res.Problems {
			d.Problems = append(d.Problems, reportLine{Kind: p.Kind, Where: strings.TrimSpace(p.File + " " + p.Op), Msg: pick(p.Msg)})
		}
		for _, n := range res.Notes {
			d.Notes = append(d.Notes, pick(n))
		}
		for i := range ops {
			o := &ops[i]
			role := t["unknown"]
			if st, ok := res.statements[o.Device]; ok {
				role = roleName(st.Role, lang)
			}
			row := historyRow{When: o.HLC.Time().In(beijing).Format("2006-01-02 15:04:05"), Author: o.Author, Role: role,
				Device: o.Device.String(), Op: o.ID().String()}
			for _, k := range sortedKeys(setKeys(o.Set)) {
				row.Changes = append(row.Changes, fieldRow{Field: label(k), Value: show(o.Set[k])})
			}
			d.History = append(d.History, row)
		}
		opOf := map[string]string{}
		for i := range ops {
			for _, p := range protocol.BlobRefs(&ops[i]) {
				if _, ok := opOf[p]; !ok {
					opOf[p] = ops[i].ID().String()
				}
			}
		}
		for _, f := range c.photos {
			id := strings.TrimPrefix(f.name, "photos/")
			row := photoRow{SHA256: id, Size: len(f.data), Op: opOf[id]}
			for _, n := range photoNotes[id] {
				row.Notes = append(row.Notes, pick(n))
			}
			d.Photos = append(d.Photos, row)
		}
		if res.State != nil {
			for _, k := range sortedKeys(stateKeys(res.State.Fields)) {
				d.State = append(d.State, fieldRow{Field: label(k), Value: show(res.State.Fields[k].Value)})
			}
		}
		pages = append(pages, d)
	}
	var b bytes.Buffer
	if err := reportTmpl.Execute(&b, pages); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func setKeys(m map[string]model.Value) map[string]bool {
	out := make(map[string]bool, len(m))
	for k := range m {
		out[k] = true
	}
	return out
}

func stateKeys(m map[string]oplog.FieldState) map[string]bool {
	out := make(map[string]bool, len(m))
	for k := range m {
		out[k] = true
	}
	return out
}

// show is a value as a person reads it.
func show(v model.Value) string {
	if v.IsNull() {
		return "—"
	}
	if s, err := v.AsText(); err == nil {
		return s
	}
	return string(v)
}

// roleName is a role as the report names it.
func roleName(r model.Role, lang string) string {
	zh := map[model.Role]string{model.RoleGrid: "网格员", model.RoleCounty: "县级", model.RoleProvince: "省级"}
	if n, ok := zh[r]; ok && lang == "zh" {
		return n + "（" + string(r) + "）"
	}
	return string(r)
}
