// Package lookup reads the CSV lookup files kubefingerprint honours (the
// allowlists and the scanner tags) as a security control must read a file
// that anyone with write access to an app folder can change:
//
//   - it opens only regular files, inside the app's lookups/ folder once
//     symbolic links are resolved, and never more than MaxBytes of them, so
//     a FIFO, a device or a link out of the app can neither hang the search
//     nor feed it;
//   - it reads leniently: a row that cannot be read costs that row only,
//     with a warning naming file and line, and at most MaxRows rows apply;
//   - it refuses only what cannot be a lookup at all (binary content, no
//     readable header, a column named twice), and a refused file filters
//     nothing, so a bad lookup can cost suppression but never a detection;
//   - warnings are capped (Warnings), and a refused file's content is never
//     echoed into them.
//
// It also owns the one * glob that every pattern cell uses, with its one
// case folding, and the index that finds the globs a text may match.
package lookup

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// The caps on one lookup file. A lookup past them applies its first
// MaxBytes, or its first MaxRows rows, and the rest is reported.
const (
	MaxBytes = 16 << 20
	MaxRows  = 100_000
)

// RefusedError says why a whole lookup file is not applied. It never holds
// the file's content.
type RefusedError struct {
	Name string // the file's base name
	Why  string
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("lookup %s is not applied: %s", e.Name, e.Why)
}

func refuse(name, format string, a ...any) error {
	return &RefusedError{Name: name, Why: fmt.Sprintf(format, a...)}
}

// ReadFile reads the lookup at path. When dir is not empty the file must
// lie inside it once every symbolic link is resolved. The result holds at
// most MaxBytes+1 bytes: one more than the cap says the file is larger.
//
// A file that does not exist gives an error wrapping fs.ErrNotExist; one
// that cannot be a lookup (not a regular file, outside dir) a
// *RefusedError; one that cannot be read another error.
func ReadFile(path, dir string) ([]byte, error) {
	name := filepath.Base(path)
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			if _, lerr := os.Lstat(path); lerr == nil {
				return nil, refuse(name, "it is a symbolic link to nothing")
			}
		}
		return nil, fmt.Errorf("lookup %s: %w", name, err)
	}
	const flags = os.O_RDONLY | syscall.O_NONBLOCK
	stat := func() (fs.FileInfo, error) { return os.Stat(real) }
	open := func() (*os.File, error) { return os.OpenFile(real, flags, 0) }
	if dir != "" {
		realDir, err := filepath.EvalSymlinks(dir)
		if err != nil {
			return nil, fmt.Errorf("lookup %s: %w", name, err)
		}
		rel, err := filepath.Rel(realDir, real)
		if err != nil || !filepath.IsLocal(rel) {
			return nil, refuse(name, "it resolves to a file outside the app's lookups folder")
		}
		// What was resolved can change before it is opened: whoever can
		// write to the folder can swap the file for a link out of it. The
		// folder's os.Root follows links only inside the folder, whatever
		// happens to the names meanwhile.
		root, err := os.OpenRoot(realDir)
		if err != nil {
			return nil, fmt.Errorf("lookup %s: %w", name, err)
		}
		defer root.Close()
		stat = func() (fs.FileInfo, error) { return root.Stat(rel) }
		open = func() (*os.File, error) { return root.OpenFile(rel, flags, 0) }
	}
	testHookResolved()
	// Stat before opening: opening a FIFO for reading blocks until a
	// writer comes, and a device may never end.
	if fi, err := stat(); err != nil {
		return nil, fmt.Errorf("lookup %s: %w", name, pathless(err))
	} else if !fi.Mode().IsRegular() {
		return nil, refuse(name, "it is not a regular file (%s)", kind(fi.Mode()))
	}
	// O_NONBLOCK, and the check again on what was opened, close the window
	// in which the file could be swapped for a FIFO after the Stat.
	f, err := open()
	if err != nil {
		return nil, fmt.Errorf("lookup %s: %w", name, pathless(err))
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("lookup %s: %w", name, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, refuse(name, "it is not a regular file (%s)", kind(fi.Mode()))
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("lookup %s: %w", name, err)
	}
	return data, nil
}

// testHookResolved runs between resolving a lookup's name and opening it,
// for the test that swaps the file in that window.
var testHookResolved = func() {}

// pathless is a file error without the path an os.Root operation names
// relative to the folder: "open x.csv: path escapes from parent" reads as
// "path escapes from parent" after "lookup x.csv: ".
func pathless(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	return err
}

func kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "mode " + m.String()
}

// Load reads and parses the lookup at path (see ReadFile and Parse).
func Load(path, dir string, w *Warnings) (*Table, error) {
	data, err := ReadFile(path, dir)
	if err != nil {
		return nil, err
	}
	return Parse(filepath.Base(path), data, w)
}
