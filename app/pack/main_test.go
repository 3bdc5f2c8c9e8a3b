package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var epoch = time.Unix(1700000000, 0)

func tree() fstest.MapFS {
	return fstest.MapFS{
		"app/default/app.conf":                  {Data: []byte("[install]\n"), Mode: 0o600},
		"app/bin/kubefingerprint":               {Data: []byte("ELF"), Mode: 0o700},
		"app/darwin_x86_64/bin/kubefingerprint": {Data: []byte("MACHO"), Mode: 0o644},
		"app/README.md":                         {Data: []byte("# app\n"), Mode: 0o664},
		"app/lookups/a.csv":                     {Data: []byte("x\n"), Mode: 0o666},
		"other/file":                            {Data: []byte("not packed")},
	}
}

type entry struct {
	name  string
	mode  int64
	typ   byte
	data  string
	uid   int
	gid   int
	uname string
	mtime time.Time
}

func entries(t *testing.T, b []byte) []entry {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	require.NoError(t, err)
	assert.Empty(t, zr.Name, "no file name in the gzip header")
	assert.True(t, zr.ModTime.IsZero(), "no time in the gzip header")
	tr := tar.NewReader(zr)
	var out []entry
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		require.NoError(t, err)
		data, err := io.ReadAll(tr)
		require.NoError(t, err)
		out = append(out, entry{h.Name, h.Mode, h.Typeflag, string(data), h.Uid, h.Gid, h.Uname + h.Gname, h.ModTime})
	}
}

func TestPack(t *testing.T) {
	var a, b bytes.Buffer
	require.NoError(t, pack(&a, tree(), "app", epoch))
	require.NoError(t, pack(&b, tree(), "app", epoch))
	assert.Equal(t, a.Bytes(), b.Bytes(), "same tree, same bytes")

	got := entries(t, a.Bytes())
	var names []string
	for _, e := range got {
		names = append(names, e.name)
		assert.Zero(t, e.uid, e.name)
		assert.Zero(t, e.gid, e.name)
		assert.Empty(t, e.uname, e.name)
		assert.True(t, e.mtime.Equal(epoch), e.name)
	}
	assert.Equal(t, []string{
		"app/", "app/README.md", "app/bin/", "app/bin/kubefingerprint",
		"app/darwin_x86_64/", "app/darwin_x86_64/bin/", "app/darwin_x86_64/bin/kubefingerprint",
		"app/default/", "app/default/app.conf", "app/lookups/", "app/lookups/a.csv",
	}, names, "only the app, in lexical order")
	modes := map[string]int64{}
	for _, e := range got {
		modes[e.name] = e.mode
	}
	// Modes come from the rule, not from the files: the staged modes above
	// are all different.
	assert.EqualValues(t, 0o755, modes["app/bin/"])
	assert.EqualValues(t, 0o755, modes["app/bin/kubefingerprint"])
	assert.EqualValues(t, 0o755, modes["app/darwin_x86_64/bin/kubefingerprint"])
	assert.EqualValues(t, 0o644, modes["app/default/app.conf"])
	assert.EqualValues(t, 0o644, modes["app/README.md"])
	assert.EqualValues(t, 0o644, modes["app/lookups/a.csv"])

	var c bytes.Buffer
	require.NoError(t, pack(&c, tree(), "app", epoch.Add(time.Second)))
	assert.NotEqual(t, a.Bytes(), c.Bytes(), "the time is part of the package")
}

func TestPackRefuses(t *testing.T) {
	for name, extra := range map[string]*fstest.MapFile{
		"app/.DS_Store":        {Data: []byte("x")},
		"app/default/.gitkeep": {},
		"app/.git/config":      {Data: []byte("x")},
		"app/lookups/link.csv": {Data: []byte("/etc/passwd"), Mode: fs.ModeSymlink},
	} {
		fsys := tree()
		fsys[name] = extra
		err := pack(io.Discard, fsys, "app", epoch)
		assert.Error(t, err, name)
	}
}

func TestInBin(t *testing.T) {
	for name, want := range map[string]bool{
		"app/bin/kubefingerprint":              true,
		"app/linux_x86_64/bin/kubefingerprint": true,
		"app/bin/sub/tool":                     true,
		"app/default/bin.conf":                 false,
		"app/binaries/kubefingerprint":         false,
		"app/README.md":                        false,
	} {
		assert.Equal(t, want, inBin(name), name)
	}
}

const goodAppConf = `[install]
build = 2

[id]
name = kubefingerprint
version = 0.2.0

[launcher]
version = 0.2.0
`

func writeConf(t *testing.T, text string) string {
	t.Helper()
	name := filepath.Join(t.TempDir(), "app.conf")
	require.NoError(t, os.WriteFile(name, []byte(text), 0o644))
	return name
}

func TestAppVersion(t *testing.T) {
	for _, v := range []string{"0.2.0", "10.0.1-rc.1", "1.2.3+build.5"} {
		name := writeConf(t, strings.ReplaceAll(goodAppConf, "0.2.0", v))
		got, err := appVersion(name)
		require.NoError(t, err, v)
		assert.Equal(t, v, got)
	}
}

func TestAppVersionRefuses(t *testing.T) {
	for _, c := range []struct{ old, new, want string }{
		{"[launcher]\nversion = 0.2.0", "[launcher]\nversion = 0.2", `[launcher] version "0.2" is not Major.Minor.Revision`},
		{"[launcher]\nversion = 0.2.0", "[launcher]\nversion = 0.2.0-", `[launcher] version "0.2.0-" is not Major.Minor.Revision`},
		{"[launcher]\nversion = 0.2.0\n", "[launcher]\n", `[launcher] version "" is not Major.Minor.Revision`},
		{"build = 2", "build = 0", `[install] build "0" is not a positive integer`},
		{"build = 2", "build = 2a", `[install] build "2a" is not a positive integer`},
		{"build = 2\n", "", `[install] build "" is not a positive integer`},
		{"[id]\nname = kubefingerprint\nversion = 0.2.0", "[id]\nname = kubefingerprint\nversion = 0.1.0", `[id] version "0.1.0" differs from [launcher] version "0.2.0"`},
		{"[id]\nname = kubefingerprint\nversion = 0.2.0", "[id]\nname = kubefingerprint", `[id] version "" differs from [launcher] version "0.2.0"`},
		{"build = 2\n", "build = 2\nbuild = 3\n", "line 3: build set twice in [install]"},
	} {
		text := strings.Replace(goodAppConf, c.old, c.new, 1)
		require.NotEqual(t, goodAppConf, text, c.want)
		name := writeConf(t, text)
		_, err := appVersion(name)
		assert.EqualError(t, err, name+": "+c.want)
	}
	_, err := appVersion(filepath.Join(t.TempDir(), "missing.conf"))
	assert.ErrorContains(t, err, "missing.conf")
}
