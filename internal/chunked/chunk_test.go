package chunked

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseHeader(t *testing.T) {
	tests := []struct {
		line       string
		meta, body int64
		ok         bool
	}{
		{"chunked 1.0,17,0", 17, 0, true},
		{"chunked 1.0,37,85", 37, 85, true},
		{"chunked  1.0 , 5 , 6 ", 5, 6, true}, // the SDK's regex allows spaces
		{"chunked 1.0,5,6\r", 5, 6, true},
		{"chunked 1.0,0,16109782", 0, 16109782, true},
		{"chunked 1.0,-1,0", 0, 0, false},
		{"chunked 1.0,1,-5", 0, 0, false},
		{"chunked 1.0,99999999999999999999,0", 0, 0, false},
		{"chunked 1.0,2000000000000,0", 0, 0, false}, // above MaxBody
		{"chunked 2.0,1,1", 0, 0, false},
		{"chunked1.0,1,1", 0, 0, false},
		{"chunked 1.0,1", 0, 0, false},
		{"chunked 1.0,1,1,1", 0, 0, false},
		{"chunked 1.0,a,1", 0, 0, false},
		{"", 0, 0, false},
		{`{"action":"getinfo"}`, 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			meta, body, err := ParseHeader([]byte(tt.line))
			if !tt.ok {
				assert.ErrorIs(t, err, ErrHeader)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.meta, meta)
			assert.Equal(t, tt.body, body)
		})
	}
}

func TestReaderSequence(t *testing.T) {
	in := "chunked 1.0,20,0\n{\"action\":\"getinfo\"}" +
		"chunked 1.0,37,12\n{\"action\":\"execute\",\"finished\":false}a,b\n1,2\n3,4\n" +
		"\n" + // a stray blank line between chunks, as old recorders left
		"chunked 1.0,36,4\n{\"action\":\"execute\",\"finished\":true}a,b\n"
	for name, r := range map[string]io.Reader{
		"whole":    strings.NewReader(in),
		"one byte": iotest.OneByteReader(strings.NewReader(in)),
		"half":     iotest.HalfReader(strings.NewReader(in)),
	} {
		t.Run(name, func(t *testing.T) {
			cr := NewReader(r)
			meta, body, err := cr.Next()
			require.NoError(t, err)
			assert.Equal(t, `{"action":"getinfo"}`, string(meta))
			assert.Zero(t, body.Remaining())

			meta, body, err = cr.Next()
			require.NoError(t, err)
			assert.Equal(t, `{"action":"execute","finished":false}`, string(meta))
			got, err := io.ReadAll(body)
			require.NoError(t, err)
			assert.Equal(t, "a,b\n1,2\n3,4\n", string(got))

			// The third body is left unread: Next must skip it.
			meta, body, err = cr.Next()
			require.NoError(t, err)
			assert.Equal(t, `{"action":"execute","finished":true}`, string(meta))
			assert.EqualValues(t, 4, body.Remaining())

			_, _, err = cr.Next()
			assert.Equal(t, io.EOF, err)
			assert.Equal(t, 3, cr.Chunk())
		})
	}
}

func TestReaderErrors(t *testing.T) {
	tests := []struct {
		name, in string
		want     error
	}{
		{"eof in header", "chunked 1.0,2", io.ErrUnexpectedEOF},
		{"eof in metadata", "chunked 1.0,20,0\n{\"action\"", io.ErrUnexpectedEOF},
		{"eof in body", "chunked 1.0,2,10\n{}abc", io.ErrUnexpectedEOF},
		{"body shorter than declared, next header swallowed", "chunked 1.0,2,3\n{}abcdefg\n", ErrHeader},
		{"not a header", "hello world\n", ErrHeader},
		{"header too long", "chunked 1.0," + strings.Repeat("1", 100) + "\n", ErrHeader},
		{"no newline at all", strings.Repeat("x", 100<<10), ErrHeader},
		{"metadata over the limit", "chunked 1.0,999999999,0\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cr := NewReader(strings.NewReader(tt.in))
			var err error
			for i := 0; i < 3 && err == nil; i++ {
				var body *Body
				_, body, err = cr.Next()
				if err == nil {
					_, err = io.ReadAll(body)
				}
			}
			require.Error(t, err)
			if tt.want != nil {
				assert.ErrorIs(t, err, tt.want)
			}
		})
	}
}

func TestWriteChunk(t *testing.T) {
	var out bytes.Buffer
	w := NewWriter(&out)
	require.NoError(t, w.WriteChunk([]byte(`{"finished":true}`), nil))
	require.NoError(t, w.WriteChunk([]byte(`{"finished":false}`), []byte("a\n测试\n")))
	// Lengths are bytes, not characters, and nothing follows the body.
	assert.Equal(t, "chunked 1.0,17,0\n{\"finished\":true}chunked 1.0,18,9\n{\"finished\":false}a\n测试\n", out.String())
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("broken pipe") }

func TestWriteChunkError(t *testing.T) {
	assert.Error(t, NewWriter(failingWriter{}).WriteChunk([]byte("{}"), nil))
}
