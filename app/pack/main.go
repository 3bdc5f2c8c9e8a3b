// Command pack writes the Splunk app package, a gzipped tar of one app
// folder, so that build.sh needs no particular tar: GNU tar, macOS's bsdtar
// and busybox differ in the flags that make an archive reproducible.
//
//	go run ./app/pack -C STAGE -mtime SECONDS -o PACKAGE.tgz APP
//
// The archive holds STAGE/APP and everything under it, in lexical order,
// in ustar format: owner and group 0 without names, every time SECONDS,
// folders and files inside a bin folder mode 0755 (the command and its
// platform copies), every other file 0644. A name starting with a dot
// anywhere under APP is an error, as AppInspect refuses them, and so is
// anything but a folder or a regular file. The same tree and SECONDS give
// the same bytes on every platform.
package main

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
	"time"
)

func main() {
	dir := flag.String("C", ".", "folder holding APP")
	mtime := flag.Int64("mtime", 0, "time of every entry, seconds since the epoch (the last commit's)")
	out := flag.String("o", "", "package to write")
	flag.Parse()
	if *out == "" || flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: pack -C STAGE -mtime SECONDS -o PACKAGE.tgz APP")
		os.Exit(2)
	}
	if err := write(*out, os.DirFS(*dir), flag.Arg(0), time.Unix(*mtime, 0)); err != nil {
		fmt.Fprintln(os.Stderr, "pack:", err)
		os.Exit(1)
	}
}

// write packs the tree app of fsys into the file out.
func write(out string, fsys fs.FS, app string, mtime time.Time) (err error) {
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(out)
		}
	}()
	return pack(f, fsys, app, mtime)
}

// pack writes the gzipped tar of the tree app of fsys to w.
func pack(w io.Writer, fsys fs.FS, app string, mtime time.Time) error {
	zw, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(zw)
	err = fs.WalkDir(fsys, app, func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasPrefix(d.Name(), ".") {
			return fmt.Errorf("%s: hidden files do not belong in a Splunk app", name)
		}
		hdr := &tar.Header{Name: name, ModTime: mtime, Format: tar.FormatUSTAR}
		switch {
		case d.IsDir():
			hdr.Typeflag, hdr.Name, hdr.Mode = tar.TypeDir, name+"/", 0o755
		case d.Type().IsRegular():
			hdr.Typeflag, hdr.Mode = tar.TypeReg, 0o644
			if inBin(name) {
				hdr.Mode = 0o755
			}
			info, err := d.Info()
			if err != nil {
				return err
			}
			hdr.Size = info.Size()
		default:
			return fmt.Errorf("%s: only folders and regular files belong in a Splunk app", name)
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if hdr.Typeflag != tar.TypeReg {
			return nil
		}
		f, err := fsys.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		n, err := io.Copy(tw, f)
		if err == nil && n != hdr.Size {
			err = errors.New("changed while being packed")
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return zw.Close()
}

// inBin reports whether a file lies in a bin folder: bin/ or a platform's
// <platform>/bin/, where Splunk looks for the command.
func inBin(name string) bool {
	for dir := path.Dir(name); dir != "." && dir != "/"; dir = path.Dir(dir) {
		if path.Base(dir) == "bin" {
			return true
		}
	}
	return false
}
