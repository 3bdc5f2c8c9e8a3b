// Command appicon draws the app's icons, static/appIcon.png (36x36) and
// static/appIcon_2x.png (72x72), the sizes Splunk Web shows in the app bar
// and the launcher: a Kubernetes-blue heptagon holding the open rings of a
// fingerprint's whorl (or a scanner's sweep). Run it from the repository root after changing the drawing:
//
//	go run ./app/appicon
package main

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
)

// Icons are the files Splunk looks for in static/ and their sizes.
var Icons = []struct {
	Name string
	Size int
}{
	{"appIcon.png", 36},
	{"appIcon_2x.png", 72},
}

var (
	blue  = color.NRGBA{0x32, 0x6c, 0xe5, 0xff} // Kubernetes blue
	white = color.NRGBA{0xff, 0xff, 0xff, 0xff}
)

// samples is the supersampling per axis: edges get 64 coverage levels.
const samples = 8

// Draw renders the icon at size x size pixels.
func Draw(size int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	s := float64(size)
	heptagon := polygon(7, s/2, s/2, s*0.48, -math.Pi/2)
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			var inside, ridge int
			for sy := 0; sy < samples; sy++ {
				for sx := 0; sx < samples; sx++ {
					px := float64(x) + (float64(sx)+0.5)/samples
					py := float64(y) + (float64(sy)+0.5)/samples
					if !contains(heptagon, px, py) {
						continue
					}
					inside++
					if onRidge(px/s, py/s) {
						ridge++
					}
				}
			}
			if inside == 0 {
				continue
			}
			// Ridges are white over blue; the heptagon's edge fades out
			// through alpha.
			f := float64(ridge) / float64(inside)
			c := color.NRGBA{
				R: mix(blue.R, white.R, f),
				G: mix(blue.G, white.G, f),
				B: mix(blue.B, white.B, f),
				A: uint8(math.Round(255 * float64(inside) / (samples * samples))),
			}
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}

// onRidge reports whether the point (in units of the icon's size) lies on
// one of the fingerprint's arcs: concentric rings around a point below the
// centre, open at the bottom like a fingertip's whorl.
func onRidge(x, y float64) bool {
	cx, cy := 0.5, 0.56
	dx, dy := x-cx, y-cy
	r := math.Hypot(dx, dy)
	angle := math.Atan2(dy, dx) // 0 to the right, pi/2 straight down
	if angle > math.Pi/4 && angle < 3*math.Pi/4 && r > 0.08 {
		return false // the opening at the bottom
	}
	const spacing, width = 0.075, 0.032
	if r < 0.04 || r > 0.34 {
		return false
	}
	d := math.Mod(r-0.04, spacing)
	return d < width
}

func mix(a, b uint8, f float64) uint8 {
	return uint8(math.Round(float64(a)*(1-f) + float64(b)*f))
}

type point struct{ x, y float64 }

// polygon returns the corners of a regular n-gon.
func polygon(n int, cx, cy, r, start float64) []point {
	pts := make([]point, n)
	for i := range pts {
		a := start + 2*math.Pi*float64(i)/float64(n)
		pts[i] = point{cx + r*math.Cos(a), cy + r*math.Sin(a)}
	}
	return pts
}

// contains is the even-odd rule.
func contains(poly []point, x, y float64) bool {
	in := false
	for i, j := 0, len(poly)-1; i < len(poly); j, i = i, i+1 {
		a, b := poly[i], poly[j]
		if (a.y > y) != (b.y > y) && x < (b.x-a.x)*(y-a.y)/(b.y-a.y)+a.x {
			in = !in
		}
	}
	return in
}

func main() {
	for _, icon := range Icons {
		path := filepath.Join("static", icon.Name)
		f, err := os.Create(path)
		if err == nil {
			err = png.Encode(f, Draw(icon.Size))
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "appicon:", err)
			os.Exit(1)
		}
		fmt.Println(path)
	}
}
