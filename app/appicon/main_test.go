package main

import (
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The committed icons are what this program draws, at the sizes Splunk
// asks for. Pixels are compared, not bytes: another Go release may
// compress the same image differently.
func TestCommittedIconsAreDrawn(t *testing.T) {
	for _, icon := range Icons {
		f, err := os.Open(filepath.Join("..", "..", "static", icon.Name))
		require.NoError(t, err)
		got, err := png.Decode(f)
		f.Close()
		require.NoError(t, err, icon.Name)
		assert.Equal(t, image.Rect(0, 0, icon.Size, icon.Size), got.Bounds(), icon.Name)

		want := Draw(icon.Size)
		diff := 0
		for y := 0; y < icon.Size; y++ {
			for x := 0; x < icon.Size; x++ {
				r1, g1, b1, a1 := got.At(x, y).RGBA()
				r2, g2, b2, a2 := want.At(x, y).RGBA()
				if r1 != r2 || g1 != g2 || b1 != b2 || a1 != a2 {
					diff++
				}
			}
		}
		assert.Zero(t, diff, "%s: pixels differ from Draw; run go run ./app/appicon", icon.Name)
	}
}

// The icon is not empty or solid: it has transparent corners, blue and
// white.
func TestDrawing(t *testing.T) {
	img := Draw(72)
	assert.Zero(t, img.NRGBAAt(0, 0).A, "transparent corner")
	assert.Equal(t, blue, img.NRGBAAt(36, 8), "heptagon body")
	var white int
	for y := 0; y < 72; y++ {
		for x := 0; x < 72; x++ {
			if c := img.NRGBAAt(x, y); c.R == 0xff && c.G == 0xff && c.B == 0xff && c.A == 0xff {
				white++
			}
		}
	}
	assert.Greater(t, white, 200, "the rings are drawn")
}
