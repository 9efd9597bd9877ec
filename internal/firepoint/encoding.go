package firepoint

import (
	"bytes"
	"fmt"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// Encoding names a text encoding the importer recognises.
type Encoding string

// Encodings of CSV files: provincial platforms export UTF-8 (with or
// without byte order mark) or, from older Excel versions, GBK.
const (
	UTF8    Encoding = "UTF-8"
	UTF8BOM Encoding = "UTF-8 BOM"
	GBK     Encoding = "GBK"
)

var bom = []byte{0xEF, 0xBB, 0xBF}

// Decode detects the encoding of data and returns it as UTF-8: a byte
// order mark means UTF-8 (the mark is dropped); otherwise valid UTF-8 is
// taken as UTF-8; anything else is decoded as GBK.
func Decode(data []byte) ([]byte, Encoding, error) {
	if bytes.HasPrefix(data, bom) {
		return data[len(bom):], UTF8BOM, nil
	}
	if utf8.Valid(data) {
		return data, UTF8, nil
	}
	out, err := simplifiedchinese.GBK.NewDecoder().Bytes(data)
	if err != nil {
		return nil, GBK, fmt.Errorf("firepoint: file is neither UTF-8 nor GBK: %w", err)
	}
	return out, GBK, nil
}
