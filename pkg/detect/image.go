package detect

import (
	"fmt"
	"image"
	"image/color"
	_ "image/jpeg" // decoders for dataset images
	"image/png"
	"math/rand/v2"
	"os"

	"golang.org/x/image/draw"
)

// Picture is an RGB image of Size×Size pixels, values in [0, 1], row-major
// with the channels last (the model's input layout).
type Picture struct {
	Size int
	Pix  []float32 // len Size*Size*3
}

// LoadPicture decodes the image file at path and resizes it (stretching)
// to size×size. Normalised boxes stay valid under the stretch.
func LoadPicture(path string, size int) (*Picture, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("detect: %w", err)
	}
	defer f.Close()
	src, _, err := image.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("detect: %s: %w", path, err)
	}
	return FromImage(src, size), nil
}

// FromImage resizes img (stretching) to a size×size Picture.
func FromImage(img image.Image, size int) *Picture {
	dst := image.NewRGBA(image.Rect(0, 0, size, size))
	draw.CatmullRom.Scale(dst, dst.Bounds(), img, img.Bounds(), draw.Src, nil)
	p := &Picture{Size: size, Pix: make([]float32, size*size*3)}
	for i := 0; i < size*size; i++ {
		for c := range 3 {
			p.Pix[i*3+c] = float32(dst.Pix[i*4+c]) / 255
		}
	}
	return p
}

// Resize returns img scaled to w×h.
func Resize(img image.Image, w, h int) *image.RGBA {
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.CatmullRom.Scale(dst, dst.Bounds(), img, img.Bounds(), draw.Src, nil)
	return dst
}

// Image returns p as an image.
func (p *Picture) Image() *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, p.Size, p.Size))
	for i := 0; i < p.Size*p.Size; i++ {
		for c := range 3 {
			img.Pix[i*4+c] = uint8(min(255, max(0, p.Pix[i*3+c]*255+0.5)))
		}
		img.Pix[i*4+3] = 255
	}
	return img
}

// Augment configures random augmentation.
type Augment struct {
	FlipProb float64 // probability of a horizontal flip
	// Scale draws a zoom factor uniformly in [1-Scale, 1+Scale]: the image
	// is scaled about a random offset, padded with grey or cropped.
	Scale float64
	// MinVisible drops a box when less than this share of its area stays
	// in the picture; 0.25 when 0.
	MinVisible float64
}

// Apply returns an augmented copy of p and objs (p and objs are not
// modified).
func (a Augment) Apply(p *Picture, objs []Object, rng *rand.Rand) (*Picture, []Object) {
	flip := a.FlipProb > 0 && rng.Float64() < a.FlipProb
	s := 1.0
	if a.Scale > 0 {
		s = 1 - a.Scale + 2*a.Scale*rng.Float64()
	}
	lo, hi := min(0, 1-s), max(0, 1-s)
	tx, ty := lo+(hi-lo)*rng.Float64(), lo+(hi-lo)*rng.Float64()
	minVis := a.MinVisible
	if minVis == 0 {
		minVis = 0.25
	}
	// Map: out = in*s + t, with in.x flipped first.
	n := p.Size
	out := &Picture{Size: n, Pix: make([]float32, len(p.Pix))}
	for v := range n {
		sy := ((float64(v)+0.5)/float64(n) - ty) / s
		for u := range n {
			sx := ((float64(u)+0.5)/float64(n) - tx) / s
			if flip {
				sx = 1 - sx
			}
			o := (v*n + u) * 3
			if sx < 0 || sx >= 1 || sy < 0 || sy >= 1 {
				out.Pix[o], out.Pix[o+1], out.Pix[o+2] = 0.5, 0.5, 0.5
				continue
			}
			p.bilinear(sx*float64(n)-0.5, sy*float64(n)-0.5, out.Pix[o:o+3])
		}
	}
	var boxes []Object
	for _, ob := range objs {
		b := ob.Box
		if flip {
			b.X1, b.X2 = 1-b.X2, 1-b.X1
		}
		b = Box{b.X1*s + tx, b.Y1*s + ty, b.X2*s + tx, b.Y2*s + ty}
		c := b.Clip()
		if c.Area() < minVis*b.Area() || c.Area() <= 0 {
			continue
		}
		ob.Box = c
		boxes = append(boxes, ob)
	}
	return out, boxes
}

func (p *Picture) bilinear(x, y float64, dst []float32) {
	n := p.Size
	x0, y0 := int(floor(x)), int(floor(y))
	fx, fy := float32(x-floor(x)), float32(y-floor(y))
	at := func(xx, yy, c int) float32 {
		xx, yy = min(n-1, max(0, xx)), min(n-1, max(0, yy))
		return p.Pix[(yy*n+xx)*3+c]
	}
	for c := range 3 {
		top := at(x0, y0, c)*(1-fx) + at(x0+1, y0, c)*fx
		bot := at(x0, y0+1, c)*(1-fx) + at(x0+1, y0+1, c)*fx
		dst[c] = top*(1-fy) + bot*fy
	}
}

func floor(v float64) float64 {
	f := float64(int(v))
	if f > v {
		f--
	}
	return f
}

// Palette colours boxes by class (ground truth is drawn in white).
var Palette = []color.RGBA{
	{255, 64, 64, 255}, {64, 200, 64, 255}, {64, 128, 255, 255}, {255, 200, 0, 255},
	{200, 64, 255, 255}, {0, 220, 220, 255}, {255, 128, 0, 255}, {128, 128, 128, 255},
}

// Draw returns img with the boxes of gt (white, 1 px) and dets (class
// colour, 2 px; brighter with the score) drawn over it.
func Draw(img image.Image, gt, dets []Object) *image.RGBA {
	b := img.Bounds()
	out := image.NewRGBA(b)
	draw.Draw(out, b, img, b.Min, draw.Src)
	for _, o := range gt {
		rect(out, o.Box, color.RGBA{255, 255, 255, 255}, 1)
	}
	for _, o := range dets {
		c := Palette[o.Class%len(Palette)]
		rect(out, o.Box, c, 2)
	}
	return out
}

func rect(img *image.RGBA, bx Box, c color.RGBA, width int) {
	b := img.Bounds()
	w, h := float64(b.Dx()), float64(b.Dy())
	x1, y1 := b.Min.X+int(bx.X1*w), b.Min.Y+int(bx.Y1*h)
	x2, y2 := b.Min.X+int(bx.X2*w)-1, b.Min.Y+int(bx.Y2*h)-1
	for k := range width {
		for x := x1; x <= x2; x++ {
			img.SetRGBA(x, y1+k, c)
			img.SetRGBA(x, y2-k, c)
		}
		for y := y1; y <= y2; y++ {
			img.SetRGBA(x1+k, y, c)
			img.SetRGBA(x2-k, y, c)
		}
	}
}

// WritePNG writes img to path.
func WritePNG(path string, img image.Image) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
