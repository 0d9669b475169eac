package logo

import (
	"bytes"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"
)

const goodSVG = `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="200" height="80" viewBox="0 0 200 80">
  <title>Adviesbureau Noord</title>
  <defs><linearGradient id="g"><stop offset="0" stop-color="#1a5276"/><stop offset="1" stop-color="#154273"/></linearGradient></defs>
  <rect x="0" y="0" width="200" height="80" fill="url(#g)"/>
  <circle cx="40" cy="40" r="24" style="fill:#ffbf47"/>
  <path d="M80 20 L180 20 L180 60 Z" fill="#ffffff"/>
</svg>`

// Hostile SVGs: each must be refused, naming what it holds.
var hostile = map[string]string{
	"script":            `<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>`,
	"onload":            `<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" onload="alert(1)"><rect width="10" height="10"/></svg>`,
	"onclick on shape":  `<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10" ONCLICK="alert(1)"/></svg>`,
	"external href":     `<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><a href="https://evil.example/"><rect width="10" height="10"/></a></svg>`,
	"external image":    `<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><image href="https://evil.example/x.png" width="10" height="10"/></svg>`,
	"xlink to http":     `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10"><linearGradient id="g" xlink:href="http://evil.example/g.svg#x"/><rect width="10" height="10"/></svg>`,
	"foreignObject":     `<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><foreignObject width="10" height="10"><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject></svg>`,
	"entity expansion":  `<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><title>&b;</title></svg>`,
	"external entity":   `<?xml version="1.0"?><!DOCTYPE svg SYSTEM "http://evil.example/x.dtd"><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>`,
	"url() outside":     `<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10" fill="url(https://evil.example/p.svg#p)"/></svg>`,
	"style import":      `<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10" style="@import 'https://evil.example/x.css'"/></svg>`,
	"style element":     `<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><style>rect{fill:url(https://evil.example/)}</style></svg>`,
	"data url":          `<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10" style="fill:url(data:image/svg+xml;base64,PHN2Zz4=)"/></svg>`,
	"javascript href":   `<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><linearGradient id="g" href="javascript:alert(1)"/></svg>`,
	"animation":         `<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><set attributeName="onmouseover" to="alert(1)"/></svg>`,
	"html namespace":    `<svg xmlns="http://www.w3.org/2000/svg" xmlns:h="http://www.w3.org/1999/xhtml" width="10" height="10"><h:script>alert(1)</h:script></svg>`,
	"processing instr.": `<?xml-stylesheet href="https://evil.example/x.css"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>`,
}

func TestHostileSVGIsRefused(t *testing.T) {
	for name, svg := range hostile {
		img, err := Normalise([]byte(svg))
		var le *Error
		if !errors.As(err, &le) || img != nil {
			t.Errorf("%s: Normalise = %v, %v; want a refusal", name, img, err)
			continue
		}
		if le.Kind != Unsafe && le.Kind != Unreadable {
			t.Errorf("%s: refused as %v (%v), want Unsafe", name, le.Kind, err)
		}
	}
}

func TestGoodSVGBecomesAPNG(t *testing.T) {
	img, err := Normalise([]byte(goodSVG))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(img.PNG, []byte("\x89PNG")) {
		t.Fatal("the normalised SVG is not a PNG")
	}
	dec, err := png.Decode(bytes.NewReader(img.PNG))
	if err != nil {
		t.Fatal(err)
	}
	if b := dec.Bounds(); b.Dx() != img.Width || b.Dy() != img.Height || img.Width > MaxWidth || img.Height > MaxHeight || img.Width < 2*img.Height {
		t.Fatalf("size %dx%d (decoded %v) does not keep the 200:80 proportions within the limits", img.Width, img.Height, b)
	}
	// The picture is drawn, not blank: the circle's amber is there.
	r, g, _, a := dec.At(img.Width/5, img.Height/2).RGBA()
	if a == 0 || r>>8 < 0xe0 || g>>8 < 0xa0 {
		t.Errorf("pixel in the circle = %v, want amber", dec.At(img.Width/5, img.Height/2))
	}
	for _, needle := range []string{"svg", "Adviesbureau", "linearGradient"} {
		if bytes.Contains(img.PNG, []byte(needle)) {
			t.Errorf("the PNG holds %q from the SVG", needle)
		}
	}
}

func pngOf(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		for y := range h {
			img.Set(x, y, color.NRGBA{R: uint8(x), G: 0x40, B: uint8(y), A: 0xff})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestPNGIsReencodedAndScaled(t *testing.T) {
	src := pngOf(t, 2400, 300)
	// A polyglot: bytes after IEND, which a lax reader might take for
	// something else, must not survive.
	src = append(src, []byte("<script>alert(1)</script>")...)
	img, err := Normalise(src)
	if err != nil {
		t.Fatal(err)
	}
	if img.Width != MaxWidth || img.Height != 150 {
		t.Errorf("scaled to %dx%d, want %dx150", img.Width, img.Height, MaxWidth)
	}
	if bytes.Contains(img.PNG, []byte("script")) {
		t.Error("bytes appended to the upload survived")
	}
	small, err := Normalise(pngOf(t, 64, 32))
	if err != nil || small.Width != 64 || small.Height != 32 {
		t.Errorf("a small logo = %+v, %v; want it kept at 64x32", small, err)
	}
}

func TestRefusalsByContent(t *testing.T) {
	for name, tc := range map[string]struct {
		data []byte
		kind Kind
	}{
		"empty":                 {nil, Empty},
		"too large":             {append(pngOf(t, 32, 32), make([]byte, MaxUpload)...), TooLarge},
		"jpeg":                  {[]byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), WrongType},
		"gif named png":         {[]byte("GIF89a\x01\x00\x01\x00"), WrongType},
		"html":                  {[]byte("<html><script>alert(1)</script></html>"), WrongType},
		"truncated png":         {pngOf(t, 64, 64)[:60], Unreadable},
		"tiny":                  {pngOf(t, 8, 8), BadSize},
		"hairline":              {pngOf(t, 400, 20), BadSize},
		"decompression bomb":    {pngHeader(100000, 100000), TooManyPixels},
		"svg hairline":          {[]byte(`<svg xmlns="http://www.w3.org/2000/svg" width="1000" height="10"><rect width="10" height="10"/></svg>`), BadSize},
		"svg not well-formed":   {[]byte(`<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect>`), Unreadable},
		"text in svg (no font)": {[]byte(`<svg xmlns="http://www.w3.org/2000/svg" width="100" height="40"><text x="0" y="20">Noord</text></svg>`), Unsafe},
	} {
		_, err := Normalise(tc.data)
		var le *Error
		if !errors.As(err, &le) || le.Kind != tc.kind {
			t.Errorf("%s: Normalise = %v; want kind %d", name, err, tc.kind)
		}
	}
}

// pngHeader is the start of a PNG that declares w×h pixels: enough for
// DecodeConfig, which is all the size check needs.
func pngHeader(w, h int) []byte {
	full := pngOfSize(w, h)
	return full
}

func pngOfSize(w, h int) []byte {
	var buf bytes.Buffer
	// A 1x1 PNG with its IHDR rewritten to w×h and its CRC recomputed.
	_ = png.Encode(&buf, image.NewGray(image.Rect(0, 0, 1, 1)))
	b := buf.Bytes()
	put := func(off int, v uint32) {
		b[off], b[off+1], b[off+2], b[off+3] = byte(v>>24), byte(v>>16), byte(v>>8), byte(v)
	}
	put(16, uint32(w))
	put(20, uint32(h))
	put(29, crc32.ChecksumIEEE(b[12:29]))
	return b
}

func TestErrorMessagesNameTheCause(t *testing.T) {
	_, err := Normalise([]byte(hostile["onload"]))
	if err == nil || !strings.Contains(err.Error(), "onload") {
		t.Errorf("error %v does not name onload", err)
	}
}
