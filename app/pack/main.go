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
//
//	go run ./app/pack -version default/app.conf
//
// prints the app's version, [launcher] version, after checking the
// settings Splunk and AppInspect rely on to tell releases apart: it is
// Major.Minor.Revision with an optional -/+ suffix, [id] version is the
// same, [install] build is a positive integer. Otherwise it names the
// file and setting on stderr and exits 1, so build.sh stamps nothing
// that Splunk would misread.
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
	"regexp"
	"strings"
	"time"

	"github.com/kubefingerprint/kubefingerprint/internal/conf"
)

func main() {
	dir := flag.String("C", ".", "folder holding APP")
	mtime := flag.Int64("mtime", 0, "time of every entry, seconds since the epoch (the last commit's)")
	out := flag.String("o", "", "package to write")
	appConf := flag.String("version", "", "check the app.conf `FILE` and print its version instead of packing")
	flag.Parse()
	if *appConf != "" && flag.NArg() == 0 {
		v, err := appVersion(*appConf)
		if err != nil {
			fmt.Fprintln(os.Stderr, "pack:", err)
			os.Exit(1)
		}
		fmt.Println(v)
		return
	}
	if *appConf != "" || *out == "" || flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: pack -C STAGE -mtime SECONDS -o PACKAGE.tgz APP\n       pack -version APP.conf")
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

var (
	// Splunk compares versions by these three numbers; the suffix lets a
	// pre-release or build tag through without confusing it.
	versionRE = regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.]+)?$`)
	buildRE   = regexp.MustCompile(`^[1-9][0-9]*$`)
)

// appVersion returns the [launcher] version of the app.conf file name once
// the version settings agree, or an error naming the file and setting.
func appVersion(name string) (string, error) {
	r, err := os.Open(name)
	if err != nil {
		return "", err
	}
	defer r.Close()
	f, err := conf.Parse(r)
	if err != nil {
		return "", fmt.Errorf("%s: %w", name, err)
	}
	version := f["launcher"]["version"]
	if !versionRE.MatchString(version) {
		return "", fmt.Errorf("%s: [launcher] version %q is not Major.Minor.Revision", name, version)
	}
	if build := f["install"]["build"]; !buildRE.MatchString(build) {
		return "", fmt.Errorf("%s: [install] build %q is not a positive integer", name, build)
	}
	if id := f["id"]["version"]; id != version {
		return "", fmt.Errorf("%s: [id] version %q differs from [launcher] version %q", name, id, version)
	}
	return version, nil
}
