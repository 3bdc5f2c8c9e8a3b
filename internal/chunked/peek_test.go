package chunked_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"testing"

	. "github.com/kubefingerprint/kubefingerprint/internal/chunked"
	"github.com/kubefingerprint/kubefingerprint/internal/chunked/chunkedtest"
)

// FuzzPeek: for any body, read in buffers of any size, a field that Peek
// finds before the record is split is the field Escaped gives once it is,
// whenever the record has the number of fields Peek was told.
func FuzzPeek(f *testing.F) {
	for _, s := range []string{
		"1795165200,\"{\"\"a\"\":1}\",1,,,\n2,\"x\",,,,\n",
		"\"1599171244.277\",\"{\"\"a\"\":1}\",,\r\n",
		"\"a,b\",\"x\"\"\",y\n",
		"1,\"x\",\"y\"\n\"x\"y\"\"\n",
		"1,\"a\nb\",2\n",
	} {
		f.Add([]byte(s), uint8(1), uint8(3), uint16(0))
	}
	// _raw before a quoted _time, as splunkd lists columns sorted.
	f.Add([]byte("\"{\"\"a\"\":1}\",\"1599171244.277\",1,,,\n"), uint8(0), uint8(6), uint16(3))
	f.Fuzz(func(t *testing.T, body []byte, i, n uint8, chunk uint16) {
		in := append(fmt.Appendf(nil, "chunked 1.0,2,%d\n{}", len(body)), body...)
		var src io.Reader = bytes.NewReader(in)
		if chunk > 0 { // small reads: records that straddle buffer refills
			src = &chunkedtest.Pieces{B: in, N: int(chunk)}
		}
		r := NewReader(src)
		_, b, err := r.Next()
		if err != nil {
			t.Fatal(err)
		}
		var csv CSVReader
		csv.Reset(b)
		for record := 1; ; record++ {
			rec, err := csv.Read()
			if err == io.EOF {
				return
			}
			if err != nil {
				var rerr *RecordError
				if errors.As(err, &rerr) {
					continue
				}
				t.Fatal(err)
			}
			v, ok := rec.Peek(int(i%8), int(n%8))
			v = append([]byte(nil), v...)
			if ok && rec.Len() == int(n%8) && !bytes.Equal(v, rec.Escaped(int(i%8))) {
				t.Fatalf("record %d: Peek(%d, %d) = %q, Escaped = %q", record, i%8, n%8, v, rec.Escaped(int(i%8)))
			}
		}
	})
}
