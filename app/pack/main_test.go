package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
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
