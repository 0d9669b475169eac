package web

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"strings"

	"github.com/boombuler/barcode"
	"github.com/boombuler/barcode/qr"
)

// qrQuietZone is the white margin around a QR code, in modules; scanners
// need four.
const qrQuietZone = 4

// qrMatrix encodes text with medium error correction (survives a creased
// or partly covered poster) and returns its modules.
func qrMatrix(text string) (barcode.Barcode, error) {
	code, err := qr.Encode(text, qr.M, qr.Auto)
	if err != nil {
		return nil, fmt.Errorf("qr: %w", err)
	}
	return code, nil
}

// qrPNG renders text as a PNG of about size pixels square, quiet zone
// included, with whole pixels per module so it stays sharp.
func qrPNG(text string, size int) ([]byte, error) {
	code, err := qrMatrix(text)
	if err != nil {
		return nil, err
	}
	modules := code.Bounds().Dx() + 2*qrQuietZone
	scale := max(1, size/modules)
	inner, err := barcode.Scale(code, code.Bounds().Dx()*scale, code.Bounds().Dy()*scale)
	if err != nil {
		return nil, fmt.Errorf("qr: %w", err)
	}
	img := withQuietZone(inner, qrQuietZone*scale)
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("qr: %w", err)
	}
	return buf.Bytes(), nil
}

// qrSVG renders text as an SVG that scales to any size: one path of unit
// squares in a view box measured in modules.
func qrSVG(text, title string) ([]byte, error) {
	code, err := qrMatrix(text)
	if err != nil {
		return nil, err
	}
	n := code.Bounds().Dx()
	size := n + 2*qrQuietZone
	var path strings.Builder
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			if r, _, _, _ := code.At(x, y).RGBA(); r == 0 {
				fmt.Fprintf(&path, "M%d %dh1v1h-1z", x+qrQuietZone, y+qrQuietZone)
			}
		}
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" shape-rendering="crispEdges" role="img" aria-label="%s">`, size, size, size*10, size*10, xmlEscape(title))
	fmt.Fprintf(&b, `<title>%s</title><rect width="%d" height="%d" fill="#fff"/><path d="%s" fill="#000"/></svg>`, xmlEscape(title), size, size, path.String())
	return b.Bytes(), nil
}

func xmlEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '"':
			b.WriteString("&quot;")
		case '\'':
			b.WriteString("&#39;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// withQuietZone returns img on a white canvas with a margin of pad pixels.
func withQuietZone(img image.Image, pad int) image.Image {
	b := img.Bounds()
	out := image.NewGray(image.Rect(0, 0, b.Dx()+2*pad, b.Dy()+2*pad))
	draw.Draw(out, out.Bounds(), &image.Uniform{C: color.White}, image.Point{}, draw.Src)
	draw.Draw(out, image.Rect(pad, pad, pad+b.Dx(), pad+b.Dy()), img, b.Min, draw.Src)
	return out
}
