package audit

// A Splitter finds where a JSON object or array ends in input that arrives
// in pieces, such as the lines of a pretty-printed Event Hub batch. It
// checks nesting and strings only: enough to split a stream of concatenated
// documents and to tell a complete document from one cut short. It has no
// recursion, so no depth of nesting can exhaust the stack.
type Splitter struct {
	depth   int
	inStr   bool
	escaped bool
}

// Feed scans the next piece of a value that starts with { or [ and returns
// the offset in p just past the value's end, or -1 if it goes on.
func (s *Splitter) Feed(p []byte) int {
	for i := 0; i < len(p); i++ {
		c := p[i]
		if s.inStr {
			switch {
			case s.escaped:
				s.escaped = false
			case c == '\\':
				s.escaped = true
			case c == '"':
				s.inStr = false
			}
			continue
		}
		switch c {
		case '"':
			s.inStr = true
		case '{', '[':
			s.depth++
		case '}', ']':
			s.depth--
			if s.depth <= 0 {
				return i + 1
			}
		}
	}
	return -1
}

// ValueEnd returns the offset just past the object or array that starts
// data, after any leading whitespace, or -1 when it does not end in data.
func ValueEnd(data []byte) int {
	i := 0
	for i < len(data) && isSpace(data[i]) {
		i++
	}
	if i == len(data) || (data[i] != '{' && data[i] != '[') {
		return -1
	}
	var s Splitter
	if end := s.Feed(data[i:]); end >= 0 {
		return i + end
	}
	return -1
}

// Complete reports whether text is one whole JSON object or array, not
// one cut short.
func Complete(text []byte) bool {
	text = trimSpace(text)
	return ValueEnd(text) == len(text)
}
