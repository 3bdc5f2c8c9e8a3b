package scan

import (
	"io"
	"os"
)

// spoolMemory is how many bytes of one event's lines a spool holds in
// memory before it moves them to a temporary file.
const spoolMemory = 8 << 20

// A spool holds the lines of the event being read until the event is
// committed: in memory, then past spoolMemory in a temporary file. So the
// rows of a withdrawn event never reach the output, and the rows of one
// huge event (a records batch of a million 401s) are never all in memory.
type spool struct {
	mem    []byte
	file   *os.File // nil until the event outgrows memory
	noFile error    // why no temporary file could be made; not tried again
	size   int64    // bytes in file
	err    error    // the first write error of the file
}

func (s *spool) write(p []byte) {
	if s.file == nil && s.noFile == nil && len(s.mem)+len(p) > spoolMemory {
		s.spill()
	}
	if s.file == nil {
		s.mem = append(s.mem, p...)
		return
	}
	n, err := s.file.Write(p)
	s.size += int64(n)
	if err != nil && s.err == nil {
		s.err = err
	}
}

// spill moves the lines held in memory to a temporary file. Where none can
// be made, they stay in memory: more memory beats a lost row. That memory
// is still bounded: the lines are those of one document, at most
// jsonstream.MaxDocument, and every value printed is cut at 32,000 bytes.
func (s *spool) spill() {
	f, err := os.CreateTemp("", "kubefingerprint-*.rows")
	if err != nil {
		s.noFile = err
		return
	}
	os.Remove(f.Name()) // where the system allows it, the file goes with the process
	s.file = f
	s.write(s.mem)
	s.mem = s.mem[:0]
}

// commitTo writes the spooled lines to w, in order, and empties the spool.
func (s *spool) commitTo(w io.Writer) {
	if s.file != nil && s.size > 0 {
		if _, err := s.file.Seek(0, io.SeekStart); err == nil {
			io.Copy(w, io.LimitReader(s.file, s.size))
		} else if s.err == nil {
			s.err = err
		}
	}
	if len(s.mem) > 0 {
		w.Write(s.mem)
	}
	s.reset()
}

// reset empties the spool.
func (s *spool) reset() {
	s.mem = s.mem[:0]
	if s.file != nil {
		s.file.Truncate(0)
		s.file.Seek(0, io.SeekStart)
		s.size = 0
	}
}

// close removes the temporary file, if any.
func (s *spool) close() {
	if s.file != nil {
		s.file.Close()
		os.Remove(s.file.Name())
		s.file = nil
	}
}
