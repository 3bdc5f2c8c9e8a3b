package lookup

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// app lays out <tmp>/app/lookups and a file outside it.
func app(t *testing.T) (lookups, outside string) {
	t.Helper()
	root := t.TempDir()
	lookups = filepath.Join(root, "app", "lookups")
	require.NoError(t, os.MkdirAll(lookups, 0o755))
	outside = filepath.Join(root, "secret.txt")
	require.NoError(t, os.WriteFile(outside, []byte("root:SECRET:0:0\n"), 0o644))
	return lookups, outside
}

func TestReadFile(t *testing.T) {
	dir, outside := app(t)
	good := filepath.Join(dir, "good.csv")
	require.NoError(t, os.WriteFile(good, []byte("a\n1\n"), 0o644))
	require.NoError(t, os.Symlink("good.csv", filepath.Join(dir, "alias.csv")))
	require.NoError(t, os.Symlink(outside, filepath.Join(dir, "out.csv")))
	require.NoError(t, os.Symlink("../../secret.txt", filepath.Join(dir, "relout.csv")))
	require.NoError(t, os.Symlink("nowhere.csv", filepath.Join(dir, "dangling.csv")))
	require.NoError(t, os.Mkdir(filepath.Join(dir, "folder.csv"), 0o755))
	require.NoError(t, os.Symlink("/dev/null", filepath.Join(dir, "null.csv")))

	data, err := ReadFile(good, dir)
	require.NoError(t, err)
	assert.Equal(t, "a\n1\n", string(data))
	data, err = ReadFile(filepath.Join(dir, "alias.csv"), dir)
	require.NoError(t, err, "a link inside the folder is followed")
	assert.Equal(t, "a\n1\n", string(data))
	data, err = ReadFile(outside, "")
	require.NoError(t, err, "without a folder (the command line) any regular file is read")
	assert.Contains(t, string(data), "SECRET")

	_, err = ReadFile(filepath.Join(dir, "missing.csv"), dir)
	assert.ErrorIs(t, err, fs.ErrNotExist)

	for name, why := range map[string]string{
		"out.csv":      "it resolves to a file outside the app's lookups folder",
		"relout.csv":   "it resolves to a file outside the app's lookups folder",
		"dangling.csv": "it is a symbolic link to nothing",
		"folder.csv":   "it is not a regular file (a directory)",
		"null.csv":     "it resolves to a file outside the app's lookups folder",
	} {
		_, err := ReadFile(filepath.Join(dir, name), dir)
		var refused *RefusedError
		require.ErrorAs(t, err, &refused, name)
		assert.Equal(t, name, refused.Name)
		assert.Equal(t, why, refused.Why, name)
		assert.NotContains(t, err.Error(), "SECRET", "a refused file's content is never echoed")
	}
	// Devices are refused for what they are, too, when no folder is given.
	_, err = ReadFile("/dev/zero", "")
	var refused *RefusedError
	require.ErrorAs(t, err, &refused)
	assert.Equal(t, "it is not a regular file (a device)", refused.Why)
}

// TestReadFileSymlinkedFolder: the lookups folder itself may be a link
// (to shared storage); files inside it are still inside.
func TestReadFileSymlinkedFolder(t *testing.T) {
	dir, _ := app(t)
	real := filepath.Join(t.TempDir(), "shared")
	require.NoError(t, os.Mkdir(real, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(real, "x.csv"), []byte("a\n"), 0o644))
	link := filepath.Join(filepath.Dir(dir), "lookups2")
	require.NoError(t, os.Symlink(real, link))
	data, err := ReadFile(filepath.Join(link, "x.csv"), link)
	require.NoError(t, err)
	assert.Equal(t, "a\n", string(data))
}

// TestReadFileCap: a file larger than MaxBytes gives MaxBytes+1 bytes, so
// that Parse can say it was cut.
func TestReadFileCap(t *testing.T) {
	dir, _ := app(t)
	big := filepath.Join(dir, "big.csv")
	f, err := os.Create(big)
	require.NoError(t, err)
	require.NoError(t, f.Truncate(3*MaxBytes)) // sparse
	require.NoError(t, f.Close())
	data, err := ReadFile(big, dir)
	require.NoError(t, err)
	assert.Len(t, data, MaxBytes+1)
}
