// Package logo turns an uploaded logo (PNG or SVG) into a PNG the service
// encodes itself, and is the only package that imports the SVG rasteriser
// (github.com/tdewolff/canvas).
//
// Nothing of the upload reaches any output: a PNG is decoded and encoded
// anew (no ancillary chunks, no appended bytes), and an SVG is first
// checked against a strict allow-list, then drawn into pixels. A logo that
// holds a script, an event handler, a reference outside itself, a
// <foreignObject>, a DOCTYPE or an entity is refused with a reason rather
// than cleaned: a firm should know its file is not what it thinks.
package logo

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"io"
	"math"
	"strings"

	"github.com/tdewolff/canvas"
	"github.com/tdewolff/canvas/renderers/rasterizer"
	xdraw "golang.org/x/image/draw"
)

// Limits of an upload and of the stored logo.
const (
	// MaxUpload is the largest file accepted, in bytes.
	MaxUpload = 1 << 20
	// MaxSourcePixels bounds a PNG's decoded size (width × height), so a
	// small file cannot unpack into gigabytes.
	MaxSourcePixels = 4096 * 4096
	// MaxWidth and MaxHeight bound the stored logo: enough for a sharp
	// print at the sizes the report, poster and pages use.
	MaxWidth  = 1200
	MaxHeight = 600
	// MinSide is the smallest width or height accepted, in pixels.
	MinSide = 16
	// maxAspect refuses hairlines that no layout can show.
	maxAspect = 12
)

// Kind says why a logo was refused; the web layer words it per language.
type Kind int

// The reasons for refusing a logo.
const (
	TooLarge Kind = iota + 1
	Empty
	WrongType
	Unreadable
	TooManyPixels
	BadSize
	Unsafe
)

// Error is a refused logo. Detail names the offending construct for Unsafe
// (for example "<script>" or "onload"), in the file's own words.
type Error struct {
	Kind   Kind
	Detail string
}

func (e *Error) Error() string {
	switch e.Kind {
	case TooLarge:
		return fmt.Sprintf("logo: larger than %d bytes", MaxUpload)
	case Empty:
		return "logo: empty file"
	case WrongType:
		return "logo: neither PNG nor SVG"
	case Unreadable:
		return "logo: unreadable " + e.Detail
	case TooManyPixels:
		return "logo: too many pixels"
	case BadSize:
		return "logo: unusable size " + e.Detail
	case Unsafe:
		return "logo: unsafe SVG: " + e.Detail
	}
	return "logo: refused"
}

// Image is a normalised logo.
type Image struct {
	PNG           []byte
	Width, Height int
}

// Normalise checks an upload by its content (never its name or declared
// type) and returns the logo as a PNG of at most MaxWidth × MaxHeight.
func Normalise(data []byte) (*Image, error) {
	switch {
	case len(data) == 0:
		return nil, &Error{Kind: Empty}
	case len(data) > MaxUpload:
		return nil, &Error{Kind: TooLarge}
	}
	var img image.Image
	var err error
	switch sniff(data) {
	case "png":
		img, err = decodePNG(data)
	case "svg":
		img, err = rasteriseSVG(data)
	default:
		return nil, &Error{Kind: WrongType}
	}
	if err != nil {
		return nil, err
	}
	return encode(fit(img))
}

// sniff tells a PNG by its signature and an SVG by its first element.
func sniff(data []byte) string {
	if bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")) {
		return "png"
	}
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	for range 64 {
		tok, err := d.RawToken()
		if err != nil {
			return ""
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local == "svg" {
				return "svg"
			}
			return ""
		case xml.Directive:
			// A DOCTYPE before the root: an SVG for the checks to refuse.
			return "svg"
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return ""
			}
		}
	}
	return ""
}

func decodePNG(data []byte) (image.Image, error) {
	cfg, err := png.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, &Error{Kind: Unreadable, Detail: "PNG"}
	}
	if err := checkSize(cfg.Width, cfg.Height); err != nil {
		return nil, err
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, &Error{Kind: Unreadable, Detail: "PNG"}
	}
	return img, nil
}

func checkSize(w, h int) error {
	switch {
	case w <= 0 || h <= 0 || w*h > MaxSourcePixels:
		return &Error{Kind: TooManyPixels}
	case w < MinSide || h < MinSide:
		return &Error{Kind: BadSize, Detail: fmt.Sprintf("%d×%d", w, h)}
	case w > maxAspect*h || h > maxAspect*w:
		return &Error{Kind: BadSize, Detail: fmt.Sprintf("%d×%d", w, h)}
	}
	return nil
}

// fit scales img down, keeping its proportions, to MaxWidth × MaxHeight,
// into a fresh NRGBA image: what is encoded is only pixels.
func fit(img image.Image) *image.NRGBA {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	scale := math.Min(1, math.Min(float64(MaxWidth)/float64(w), float64(MaxHeight)/float64(h)))
	tw, th := max(1, int(math.Round(float64(w)*scale))), max(1, int(math.Round(float64(h)*scale)))
	out := image.NewNRGBA(image.Rect(0, 0, tw, th))
	if tw == w && th == h {
		draw.Draw(out, out.Bounds(), img, b.Min, draw.Src)
		return out
	}
	xdraw.CatmullRom.Scale(out, out.Bounds(), img, b, xdraw.Src, nil)
	return out
}

func encode(img *image.NRGBA) (*Image, error) {
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, &Error{Kind: Unreadable, Detail: "image"}
	}
	return &Image{PNG: buf.Bytes(), Width: img.Bounds().Dx(), Height: img.Bounds().Dy()}, nil
}

// rasteriseSVG checks the SVG against the allow-list and draws it at a
// resolution that gives its longer side at most MaxWidth pixels.
func rasteriseSVG(data []byte) (img image.Image, err error) {
	if err := CheckSVG(data); err != nil {
		return nil, err
	}
	defer func() {
		// The rasteriser is not written for hostile input; a file that
		// crashes it is refused, not a crash of the server.
		if r := recover(); r != nil {
			img, err = nil, &Error{Kind: Unreadable, Detail: "SVG"}
		}
	}()
	c, err := canvas.ParseSVG(bytes.NewReader(data))
	if err != nil {
		return nil, &Error{Kind: Unreadable, Detail: "SVG"}
	}
	w, h := c.W, c.H
	if !(w > 0 && h > 0) || math.IsInf(w, 0) || math.IsInf(h, 0) || w > maxAspect*h || h > maxAspect*w {
		return nil, &Error{Kind: BadSize, Detail: "SVG"}
	}
	// c.W and c.H are in millimetres; choose dots per millimetre so that
	// the picture fits MaxWidth × MaxHeight.
	dpmm := math.Min(float64(MaxWidth)/w, float64(MaxHeight)/h)
	if w*dpmm < MinSide || h*dpmm < MinSide {
		return nil, &Error{Kind: BadSize, Detail: "SVG"}
	}
	return rasterizer.Draw(c, canvas.DPMM(dpmm), canvas.DefaultColorSpace), nil
}

// The SVG allow-list: shapes, paths, groups, gradients and clip paths,
// with presentation attributes. Everything else is refused: <text> (a
// logo's letters belong in paths, and fonts are not ours to fetch), <use>
// (nested references multiply the drawing work), <image>, <style>,
// <script>, <foreignObject> and animation.
var (
	allowedElements = set("svg", "g", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon",
		"defs", "linearGradient", "radialGradient", "stop", "title", "desc", "clipPath", "metadata")
	allowedAttributes = set("id", "class", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "fx", "fy",
		"width", "height", "viewBox", "preserveAspectRatio", "d", "points", "transform", "fill", "fill-opacity", "fill-rule",
		"stroke", "stroke-width", "stroke-opacity", "stroke-linecap", "stroke-linejoin", "stroke-miterlimit", "stroke-dasharray",
		"stroke-dashoffset", "opacity", "offset", "stop-color", "stop-opacity", "gradientUnits", "gradientTransform",
		"spreadMethod", "clip-path", "clip-rule", "clipPathUnits", "font-family", "font-size", "font-weight", "font-style",
		"text-anchor", "dominant-baseline", "letter-spacing", "style", "version", "xmlns", "href", "display", "visibility",
		"baseProfile", "space", "lang", "color")
)

func set(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// CheckSVG refuses an SVG that is not plain drawing: a DOCTYPE or entity
// (entity expansion), a processing instruction other than the XML
// declaration, an element or attribute outside the allow-list (scripts,
// event handlers, <foreignObject>, <image>, <style>, animation), and any
// reference that leaves the file (href, url() or @import not of the form
// "#id").
func CheckSVG(data []byte) error {
	if len(data) > MaxUpload {
		return &Error{Kind: TooLarge}
	}
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	depth := 0
	for {
		tok, err := d.RawToken()
		if errors.Is(err, io.EOF) {
			if depth != 0 {
				return &Error{Kind: Unreadable, Detail: "SVG"}
			}
			return nil
		}
		if err != nil {
			return &Error{Kind: Unreadable, Detail: "SVG"}
		}
		switch t := tok.(type) {
		case xml.Directive:
			return &Error{Kind: Unsafe, Detail: "<!" + firstWord(string(t)) + ">"}
		case xml.ProcInst:
			if t.Target != "xml" {
				return &Error{Kind: Unsafe, Detail: "<?" + t.Target + "?>"}
			}
		case xml.StartElement:
			depth++
			if depth > 64 {
				return &Error{Kind: Unsafe, Detail: "nesting"}
			}
			if !allowedElements[t.Name.Local] || !allowedNamespace(t.Name.Space) {
				return &Error{Kind: Unsafe, Detail: "<" + qualified(t.Name) + ">"}
			}
			for _, a := range t.Attr {
				if err := checkAttr(a); err != nil {
					return err
				}
			}
		case xml.EndElement:
			depth--
		}
	}
}

// allowedNamespace accepts elements without a prefix only: a prefixed
// element (html:script, x:foo) is another vocabulary.
func allowedNamespace(space string) bool { return space == "" || space == "svg" }

func checkAttr(a xml.Attr) error {
	name := a.Name.Local
	switch a.Name.Space {
	case "", "xml":
	case "xmlns":
		// Namespace declarations are harmless in themselves; prefixed
		// elements are refused where they are used.
		return nil
	case "xlink":
		if name != "href" {
			return &Error{Kind: Unsafe, Detail: qualified(a.Name)}
		}
	default:
		return &Error{Kind: Unsafe, Detail: qualified(a.Name)}
	}
	lower := strings.ToLower(name)
	if strings.HasPrefix(lower, "on") || !allowedAttributes[name] {
		return &Error{Kind: Unsafe, Detail: qualified(a.Name)}
	}
	v := strings.ToLower(strings.Join(strings.Fields(a.Value), ""))
	if name == "href" && !localRef(v) {
		return &Error{Kind: Unsafe, Detail: qualified(a.Name) + "=" + clip(a.Value)}
	}
	if strings.Contains(v, "@import") || strings.Contains(v, "expression(") || strings.Contains(v, "javascript:") || strings.Contains(v, "data:") {
		return &Error{Kind: Unsafe, Detail: qualified(a.Name) + "=" + clip(a.Value)}
	}
	// url() may only point inside the file (a gradient, a clip path).
	for rest := v; ; {
		i := strings.Index(rest, "url(")
		if i < 0 {
			break
		}
		rest = rest[i+4:]
		ref := strings.Trim(rest[:max(0, strings.IndexByte(rest, ')'))], `"'`)
		if !localRef(ref) {
			return &Error{Kind: Unsafe, Detail: qualified(a.Name) + "=" + clip(a.Value)}
		}
	}
	return nil
}

// localRef accepts "#id" only.
func localRef(v string) bool {
	if len(v) < 2 || v[0] != '#' {
		return false
	}
	for _, r := range v[1:] {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

func qualified(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

func firstWord(s string) string {
	f := strings.Fields(s)
	if len(f) == 0 {
		return ""
	}
	return clip(f[0])
}

func clip(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}
