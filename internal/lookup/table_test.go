package lookup

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func parse(t *testing.T, csv string) (*Table, []string) {
	t.Helper()
	var w Warnings
	tb, err := Parse("test.csv", []byte(csv), &w)
	require.NoError(t, err)
	return tb, w.Messages()
}

func rows(tb *Table) []string {
	var out []string
	for _, r := range tb.Rows {
		out = append(out, fmt.Sprintf("%d:%s", r.Line, strings.Join(r.Cells, "|")))
	}
	return out
}

func TestParse(t *testing.T) {
	tests := []struct {
		name     string
		csv      string
		header   []string
		rows     []string
		warnings []string
	}{
		{"plain", "a,b\n1,2\n3,4\n", []string{"a", "b"}, []string{"2:1|2", "3:3|4"}, nil},
		{"no final newline, CRLF", "a,b\r\n1,2\r\n3,4", []string{"a", "b"}, []string{"2:1|2", "3:3|4"}, nil},
		{"classic Mac line ends", "a,b\r1,2\r", []string{"a", "b"}, []string{"2:1|2"}, nil},
		{"cells trimmed, blank rows skipped", "a , b\n\n  1 ,2 \n , \n", []string{"a", "b"}, []string{"3:1|2"}, nil},
		{"quoted cells", "a,b\n\"x,y\",\"say \"\"hi\"\"\"\n", []string{"a", "b"}, []string{`2:x,y|say "hi"`}, nil},
		{"quoted cell over two lines keeps line numbers", "a,b\n\"one\ntwo\",x\n3,4\n", []string{"a", "b"}, []string{"2:one\ntwo|x", "4:3|4"}, nil},
		{"spaces around a quoted cell", "a,b\n \"x\" , y\n", []string{"a", "b"}, []string{"2:x|y"}, nil},
		{"UTF-8 BOM before a quoted header (Export-Csv)", "\ufeff\"a\",\"b\"\n\"1\",\"2\"\n", []string{"a", "b"}, []string{"2:1|2"}, nil},
		{"bare quote costs its row only", "a,b\nkube\"hunter,1\n3,4\n", []string{"a", "b"}, []string{"3:3|4"},
			[]string{"test.csv line 2: a quote inside a cell that does not start with one"}},
		{"text after a closing quote", "a,b\n\"x\"y,1\n3,4\n", []string{"a", "b"}, []string{"3:3|4"},
			[]string{"test.csv line 2: text after a closing quote"}},
		{"unclosed quote costs its line only", "a,b\n\"x,1\n3,4\n5,6\n", []string{"a", "b"}, []string{"3:3|4", "4:5|6"},
			[]string{"test.csv line 2: a quote that is never closed"}},
		{"text after a quote closed lines later skips the whole record", "a,b,c\n1,,\"pentest window:\n,kube-hunter*,\n\"x\n3,4,5\n", []string{"a", "b", "c"}, []string{"5:3|4|5"},
			[]string{"test.csv line 2: text after a closing quote"}},
		{"bare quote after a quote closed lines later", "a,b,c\n\"one\n,kube-hunter*,\ntwo\",x\"y,z\n3,4,5\n", []string{"a", "b", "c"}, []string{"5:3|4|5"},
			[]string{"test.csv line 2: a quote inside a cell"}},
		{"ragged rows", "a,b\n1\n1,2,3\n4,5\n", []string{"a", "b"}, []string{"4:4|5"},
			[]string{"test.csv line 2: 1 cells where the header has 2", "test.csv line 3: 3 cells where the header has 2"}},
		{"empty", "", nil, nil, nil},
		{"header only", "a,b\n", []string{"a", "b"}, nil, nil},
		{"blank lines before the header", "\n\na,b\n1,2\n", []string{"a", "b"}, []string{"4:1|2"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb, warnings := parse(t, tt.csv)
			assert.Equal(t, tt.header, tb.Header)
			assert.Equal(t, tt.rows, rows(tb))
			require.Len(t, warnings, len(tt.warnings), "%q", warnings)
			for i, w := range tt.warnings {
				assert.Contains(t, warnings[i], w)
				assert.Contains(t, warnings[i], "row ignored")
			}
		})
	}
}

func TestParseUTF16(t *testing.T) {
	text := "sourceIP,comment\n198.51.100.7,café\n"
	u := utf16.Encode([]rune(text))
	le, be := []byte{0xff, 0xfe}, []byte{0xfe, 0xff}
	for _, c := range u {
		le = append(le, byte(c), byte(c>>8))
		be = append(be, byte(c>>8), byte(c))
	}
	for name, data := range map[string][]byte{"LE": le, "BE": be} {
		var w Warnings
		tb, err := Parse("u.csv", data, &w)
		require.NoError(t, err, name)
		assert.Equal(t, []string{"sourceIP", "comment"}, tb.Header, name)
		assert.Equal(t, []string{"2:198.51.100.7|café"}, rows(tb), name)
	}

	// A surrogate without its pair, and an odd last byte, become U+FFFD.
	data := append([]byte{0xff, 0xfe, 'a', 0, ',', 0, 'b', 0, '\n', 0, '1', 0, ',', 0, 0x00, 0xd8, 'x', 0, '\n', 0}, '2')
	var w Warnings
	tb, err := Parse("u.csv", data, &w)
	require.NoError(t, err)
	assert.Equal(t, []string{"2:1|\uFFFDx"}, rows(tb))
	assert.Equal(t, []string{"u.csv line 3: 1 cells where the header has 2; row ignored"}, w.Messages())
}

// TestParseRefuses: only what cannot be a lookup refuses the file, and the
// reason never quotes its content.
func TestParseRefuses(t *testing.T) {
	for name, data := range map[string]string{
		"binary":            "sourceIP\n\x00\x01SECRET\x02\n",
		"gzip":              "\x1f\x8b\x08\x00\x00\x00\x00\x00SECRET",
		"unreadable header": "\"sourceIP,SECRET\n1.2.3.4\n",
	} {
		t.Run(name, func(t *testing.T) {
			var w Warnings
			_, err := Parse("bad.csv", []byte(data), &w)
			var refused *RefusedError
			require.ErrorAs(t, err, &refused)
			assert.Contains(t, err.Error(), "lookup bad.csv is not applied")
			assert.NotContains(t, err.Error(), "SECRET")
		})
	}
}

func TestParseCaps(t *testing.T) {
	var b strings.Builder
	b.WriteString("a,b\n")
	for i := range MaxRows + 5 {
		fmt.Fprintf(&b, "%d,x\n", i)
	}
	tb, warnings := parse(t, b.String())
	assert.Len(t, tb.Rows, MaxRows)
	require.Len(t, warnings, 1)
	assert.Equal(t, fmt.Sprintf("test.csv has more than %d rows: rows from line %d on are not applied", MaxRows, MaxRows+2), warnings[0])

	// Past MaxBytes: the rows wholly inside the cap apply, the rest is said.
	line := "198.51.100.1," + strings.Repeat("x", 1000) + "\n"
	data := []byte("a,b\n" + strings.Repeat(line, MaxBytes/len(line)+10))
	var w Warnings
	tb, err := Parse("big.csv", data[:MaxBytes+1], &w)
	require.NoError(t, err)
	n := (MaxBytes - 4) / len(line)
	assert.Len(t, tb.Rows, n)
	assert.Equal(t, []string{fmt.Sprintf("big.csv is larger than 16 MiB: rows from line %d on are not applied", n+2)}, w.Messages())
}

// TestParseCapCutsWholeLines: a file past MaxBytes was cut at its last \n
// only, so in a file with classic Mac line ends the row across the cut was
// read cut short, 10.0.0.0/24 as 10.0.0.0/2, and the warning named that
// row's line as left out while it applied. Whatever ends the lines, the
// row across the cut is left out, and so is a file with no line end at all.
func TestParseCapCutsWholeLines(t *testing.T) {
	for _, end := range []string{"\r", "\n", "\r\n"} {
		line := "kube-probe/" + strings.Repeat("x", 1000) + ",192.0.2.1" + end
		head := "userAgent,sourceIP" + end
		n := (MaxBytes - len(head)) / len(line)
		filler := strings.Repeat(line, n-1)
		last := "kube-hunter*,10.0.0.0/24" + end
		pad := MaxBytes - len(head) - len(filler) - len("kube-hunter*,10.0.0.0/2") - len(",192.0.2.1"+end)
		data := head + filler + "k" + strings.Repeat("x", pad-1) + ",192.0.2.1" + end + last + last
		require.Equal(t, "kube-hunter*,10.0.0.0/2", data[MaxBytes-len("kube-hunter*,10.0.0.0/2"):MaxBytes], "%q", end)
		var w Warnings
		tb, err := Parse("big.csv", []byte(data[:MaxBytes+1]), &w)
		require.NoError(t, err)
		assert.Equal(t, n, len(tb.Rows), "%q: the rows wholly inside the cap", end)
		for _, r := range tb.Rows {
			assert.NotEqual(t, "10.0.0.0/2", r.Cells[1], "%q: the cut row is read", end)
		}
		assert.Equal(t, []string{fmt.Sprintf("big.csv is larger than 16 MiB: rows from line %d on are not applied", n+2)}, w.Messages(), "%q", end)
	}

	// UTF-16: Ċ (U+010A) holds the byte of a \n. Cut there, the row across
	// the cut read as 192.0.2.1,* and hid every user agent from the address.
	var u []uint16
	u = append(u, utf16.Encode([]rune("sourceIP,userAgent\n"))...)
	row := utf16.Encode([]rune("198.51.100.1," + strings.Repeat("x", 1000) + "\n"))
	for 2+2*(len(u)+len(row)) < MaxBytes-200 {
		u = append(u, row...)
	}
	last := utf16.Encode([]rune("192.0.2.1,*\u010a" + strings.Repeat("y", 500) + "\n"))
	pad := (MaxBytes-2)/2 - len(u) - len("192.0.2.1,*") - 1
	u = append(u, utf16.Encode([]rune("198.51.100.1,"+strings.Repeat("x", pad-len("198.51.100.1,")-1)+"\n"))...)
	u = append(u, last...)
	le := []byte{0xff, 0xfe}
	for _, c := range u {
		le = append(le, byte(c), byte(c>>8))
	}
	require.Equal(t, byte(0x0a), le[MaxBytes-2], "the cap falls after the \\n byte of Ċ")
	var w16 Warnings
	tb, err := Parse("u16.csv", le, &w16)
	require.NoError(t, err)
	for _, r := range tb.Rows {
		assert.NotEqual(t, "192.0.2.1", r.Cells[0], "the row across the cut is read as %q", r.Cells)
	}

	var w Warnings
	tb, err = Parse("one.csv", []byte("sourceIP,"+strings.Repeat("x", MaxBytes)), &w)
	require.NoError(t, err)
	assert.Zero(t, len(tb.Header), "a file with no line end in its first 16 MiB has no whole line")
	assert.Equal(t, []string{"one.csv is larger than 16 MiB: rows from line 1 on are not applied"}, w.Messages())
}

func TestColumns(t *testing.T) {
	known := []string{"sourceIP", "userAgent", "comment"}
	tb, _ := parse(t, "useragent,SOURCEIP,owner\n")
	var w Warnings
	pos, err := tb.Columns(known, &w)
	require.NoError(t, err)
	assert.Equal(t, []int{1, 0, -1}, pos, "names compared without regard to case")
	assert.Equal(t, []string{`test.csv line 1: unknown column "owner" ignored; columns are sourceIP, userAgent, comment`}, w.Messages())

	// Issue 8 defect 6: with sourceIP,userAgent,sourceIP the last, empty,
	// sourceIP won and hid kube-hunter from every address.
	tb, _ = parse(t, "sourceIP,userAgent,sourceIP\n198.51.100.99,kube-hunter*,\n")
	_, err = tb.Columns(known, &w)
	var refused *RefusedError
	require.ErrorAs(t, err, &refused)
	assert.Equal(t, "lookup test.csv is not applied: column sourceIP is named twice in its header (line 1, columns 1 and 3)", err.Error())

	// Non-ASCII look-alikes are not the column: the Kelvin sign is not k.
	tb, _ = parse(t, "comment,\u212aomment\n")
	pos, err = tb.Columns(known, &w)
	require.NoError(t, err)
	assert.Equal(t, []int{-1, -1, 0}, pos)
}

// TestColumnsUnknownFilled: a column the lookup does not know was ignored,
// so its cells restricted nothing and the row hid more than it said: with
// src_ip,userAgent the row 192.0.2.99,python-requests/* hid stock
// kube-hunter's user agent from every address, and a misspelt expiry
// column never expired its rows. The rows that fill such a column are left
// out; an unnamed column (a spreadsheet's index) and a column no row fills
// are only reported.
func TestColumnsUnknownFilled(t *testing.T) {
	known := []string{"sourceIP", "userAgent", "expires", "comment"}
	tests := []struct {
		name, csv string
		pos       []int
		rows      []string
		warning   string
	}{
		{"a result field's name", "src_ip,userAgent\n192.0.2.99,python-requests/*\n,kube-probe/*\n",
			[]int{-1, 1, -1, -1}, []string{"3:|kube-probe/*"},
			`test.csv line 1: unknown column "src_ip"; the 1 rows that fill it are left out, since ignoring it would widen them (lines 2): rename it to one of sourceIP, userAgent, expires, comment, or move notes to comment`},
		{"multivalue field name", "sourceIPs{},userAgent\n192.0.2.99,python-requests/*\n",
			[]int{-1, 1, -1, -1}, nil, `unknown column "sourceIPs{}"; the 1 rows that fill it are left out`},
		{"misspelt expires", "userAgent,expiry\npython-requests/*,2020-01-01\n",
			[]int{-1, 0, -1, -1}, nil, `unknown column "expiry"; the 1 rows that fill it are left out`},
		{"second byte order mark", "\ufeff\ufeffsourceIP,userAgent\n192.0.2.99,python-requests/*\n",
			[]int{0, 1, -1, -1}, []string{"2:192.0.2.99|python-requests/*"}, ""},
		{"unnamed column", ",sourceIP\n0,192.0.2.99\n",
			[]int{1, -1, -1, -1}, []string{"2:0|192.0.2.99"}, `test.csv line 1: unknown column "" ignored; columns are sourceIP, userAgent, expires, comment`},
		{"column no row fills", "sourceIP,owner\n192.0.2.99,\n",
			[]int{0, -1, -1, -1}, []string{"2:192.0.2.99|"}, `test.csv line 1: unknown column "owner" ignored; columns are`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb, _ := parse(t, tt.csv)
			var w Warnings
			pos, err := tb.Columns(known, &w)
			require.NoError(t, err)
			assert.Equal(t, tt.pos, pos)
			assert.Equal(t, tt.rows, rows(tb))
			if tt.warning == "" {
				assert.Empty(t, w.Messages())
				return
			}
			require.Len(t, w.Messages(), 1)
			assert.Contains(t, w.Messages()[0], tt.warning)
		})
	}
}

// TestWarningsCap: a million bad rows make 20 messages and a count, not a
// 110 MB reply (issue 8 defect 9).
func TestWarningsCap(t *testing.T) {
	var b strings.Builder
	b.WriteString("a,b\n")
	for range 50_000 {
		b.WriteString("a\"b,1\n")
	}
	_, warnings := parse(t, b.String())
	require.Len(t, warnings, MaxWarnings+1)
	assert.Equal(t, "and 49980 more lookup warnings not shown", warnings[MaxWarnings])
	total := 0
	for _, w := range warnings {
		total += len(w)
	}
	assert.Less(t, total, 5000)
	assert.Len(t, (&Warnings{}).Messages(), 0)
}

func TestQuote(t *testing.T) {
	assert.Equal(t, `"abc"`, Quote("abc"))
	long := Quote(strings.Repeat("x", 10_000))
	assert.Equal(t, 65, len(long), long)
}
