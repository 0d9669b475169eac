package web

import (
	"bytes"
	"image/png"
	"strings"
	"testing"
)

func TestQRCodes(t *testing.T) {
	link := "https://uk.example.nl/d/w8D5bKA2KGNxDLojlDfDaq9CNpt0F9q_GXuRAbpKPWo"
	data, err := qrPNG(link, 600)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	if b.Dx() != b.Dy() || b.Dx() < 300 || b.Dx() > 600 {
		t.Errorf("PNG is %dx%d", b.Dx(), b.Dy())
	}
	// The quiet zone is white.
	if r, _, _, _ := img.At(2, 2).RGBA(); r != 0xffff {
		t.Error("the corner of the quiet zone is not white")
	}
	svg, err := qrSVG(link, `Vragenlijst "A" & <B>`)
	if err != nil {
		t.Fatal(err)
	}
	s := string(svg)
	if !strings.HasPrefix(s, "<svg") || !strings.Contains(s, `<title>Vragenlijst &quot;A&quot; &amp; &lt;B&gt;</title>`) || strings.Count(s, "h1v1h-1z") < 100 {
		t.Errorf("unexpected SVG: %.200s", s)
	}
}
