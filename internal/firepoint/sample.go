package firepoint

import "github.com/lantian-tz/lantian/model"

// ColumnHelp describes a column of a fire-point file.
type ColumnHelp struct {
	// Names are the header names read for the column (any one of them).
	Names    []string
	Required bool
	What     model.Text
}

// Columns are the columns Parse reads, as the import screen lists them.
// A header row must name the id, longitude, latitude and a time (or a
// date); other columns are ignored.
var Columns = []ColumnHelp{
	{[]string{"火点编号", "id"}, true, model.Text{ZH: "平台的火点编号（重复导入时据此跳过）", EN: "the platform's fire point id (used to skip repeats)"}},
	{[]string{"经度", "longitude"}, true, model.Text{ZH: "十进制度或度分秒", EN: "decimal degrees or degrees-minutes-seconds"}},
	{[]string{"纬度", "latitude"}, true, model.Text{ZH: "十进制度或度分秒", EN: "decimal degrees or degrees-minutes-seconds"}},
	{[]string{"发现时间", "time"}, true, model.Text{ZH: "北京时间，如 2023-10-15 13:40；或分列的“日期”和“时间”", EN: "Beijing time, e.g. 2023-10-15 13:40; or separate date and time columns"}},
	{[]string{"置信度", "confidence"}, false, model.Text{ZH: "百分数或 高/中/低", EN: "a percentage or high/medium/low"}},
	{[]string{"卫星", "satellite"}, false, model.Text{ZH: "卫星或传感器，如 NPP-VIIRS", EN: "satellite or sensor, e.g. NPP-VIIRS"}},
	{[]string{"县", "county"}, false, model.Text{ZH: "县名或代码；其他县的行被跳过", EN: "county name or code; rows of other counties are skipped"}},
	{[]string{"乡镇", "township"}, false, model.Text{ZH: "给出时按此乡镇分派", EN: "when given, the point goes to this township"}},
	{[]string{"行政村", "village"}, false, model.Text{ZH: "给出且为本县已有的村时，直接分派到该村", EN: "when given and known in this county, the point goes to this village"}},
}

// SampleCSV is an example fire-point file with every column Parse reads
// (UTF-8 with a byte order mark, so that spreadsheet programs open it
// as UTF-8; GBK files are read too).
const SampleCSV = "\ufeff火点编号,经度,纬度,发现时间,置信度,卫星,县,乡镇,行政村\r\n" +
	"SX20231015-001,114.3812,38.3015,2023-10-15 13:40,85,NPP-VIIRS,灵寿县,慈峪镇,东村\r\n" +
	"SX20231015-002,114.3021,38.2983,2023-10-15 13:42,70,Terra-MODIS,灵寿县,慈峪镇,\r\n" +
	"SX20231015-003,114.3490,38.2050,2023-10-15 13:44,60,FY-3D,灵寿县,,\r\n"
