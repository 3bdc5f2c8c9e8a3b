package chunked

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"testing"
)

// FuzzReader feeds arbitrary bytes as a request stream: the reader never
// panics, never reads a body past its declared length, and ends in io.EOF
// or a ProtocolError.
func FuzzReader(f *testing.F) {
	f.Add([]byte("chunked 1.0,20,0\n{\"action\":\"getinfo\"}chunked 1.0,37,8\n{\"action\":\"execute\",\"finished\":true}_raw\n{}\n"))
	f.Add([]byte("chunked 1.0,2,3\n{}abcdefg\n"))
	f.Add([]byte("chunked  1.0 , 2 , 0 \r\n{}\n\nchunked 1.0,0,0\n"))
	f.Add([]byte("chunked 1.0,99999999999999999999,0\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		r := NewReader(bytes.NewReader(in))
		var csv CSVReader
		for i := 0; i < 100; i++ {
			_, body, err := r.Next()
			if err == io.EOF {
				return
			}
			if err != nil {
				var perr *ProtocolError
				if !errors.As(err, &perr) {
					t.Fatalf("error %v is not a ProtocolError", err)
				}
				return
			}
			declared := body.Remaining()
			csv.Reset(body)
			read := int64(0)
			for {
				before := body.Remaining()
				rec, err := csv.Read()
				read += before - body.Remaining()
				if err != nil {
					break
				}
				for j := 0; j < rec.Len(); j++ {
					rec.Field(j)
				}
			}
			if read > declared {
				t.Fatalf("read %d body bytes of %d declared", read, declared)
			}
		}
	})
}

// FuzzCSV: any body parses without panic, and every record read, written
// back with AppendField and read again, gives the same fields.
func FuzzCSV(f *testing.F) {
	for _, s := range []string{
		"\"_time\",teststring,\"__mv__time\",\"__mv_teststring\"\n\"1599171244.277\",\"ทt\",,\n",
		"a,b\r\n1,2\r\n\"x\",\"y\"\r\n",
		"ua\n\"a \"\"q\"\", b\nc $d$\"\n",
		"\"a\"b\",c\nd,e\n",
		"\"x\"\"\",\"\"\"\"\"\"\n",
		"a\n\"abc\n",
		",,\n\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		first := records(t, body)
		var again []byte
		for _, rec := range first {
			for i, v := range rec {
				if i > 0 {
					again = append(again, ',')
				}
				// A single empty field is written quoted, or it would read as a blank line.
				if len(rec) == 1 && v == "" {
					again = append(again, `""`...)
				}
				again = AppendField(again, []byte(v))
			}
			again = append(again, '\n')
		}
		second := records(t, again)
		if fmt.Sprint(first) != fmt.Sprint(second) {
			t.Fatalf("round trip changed records:\n%q\n%q", first, second)
		}
	})
}

// records reads the valid records of body; invalid ones are left out.
func records(t *testing.T, body []byte) [][]string {
	in := append(fmt.Appendf(nil, "chunked 1.0,2,%d\n{}", len(body)), body...)
	r := NewReader(bytes.NewReader(in))
	_, b, err := r.Next()
	if err != nil {
		t.Fatal(err)
	}
	var csv CSVReader
	csv.Reset(b)
	var out [][]string
	for {
		rec, err := csv.Read()
		if err == io.EOF {
			return out
		}
		var rerr *RecordError
		if errors.As(err, &rerr) || err == nil && rec.Len() < 0 {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		fields := make([]string, rec.Len())
		for i := range fields {
			fields[i] = string(rec.Field(i))
		}
		out = append(out, fields)
	}
}

// FuzzMV: decoding never panics, and what decodes re-encodes and decodes
// to the same values.
func FuzzMV(f *testing.F) {
	f.Add([]byte("$a$;$b$"))
	f.Add([]byte("$a$$b$;$$;$c$"))
	f.Add([]byte("$$$$"))
	f.Fuzz(func(t *testing.T, cell []byte) {
		vals, err := SplitMV(nil, bytes.Clone(cell))
		if err != nil || len(vals) < 2 {
			return
		}
		enc := AppendMV(nil, vals)
		again, err := SplitMV(nil, enc)
		if err != nil {
			t.Fatalf("re-encoded %q does not decode: %v", enc, err)
		}
		if fmt.Sprint(vals) != fmt.Sprint(again) {
			t.Fatalf("%q -> %q -> %q", vals, enc, again)
		}
	})
}
