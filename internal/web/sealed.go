package web

import (
	"bytes"
	"compress/flate"
	"context"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"iter"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/chacha20poly1305"

	"github.com/labstack/echo/v4"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// A respondent's progress never reaches the server's storage: it travels in
// the respondent's own cookie, sealed with XChaCha20-Poly1305 under a key
// that every instance reads from the database. Sealed, the cookie can be
// neither read nor changed by the browser (or by anyone who copies it), and
// with the diagnostic id as associated data a state of one diagnostic opens
// nothing in another. No draft row, WAL frame, dead tuple or backup then
// holds answers, a code or a nonce next to a time.
//
// Wire format of a sealed value (before base64url):
//
//	key id (1 byte) | nonce (24 bytes) | ciphertext with tag
//
// Plaintext:
//
//	version (1) | flags (1) | creation day (uvarint, days since 1970-01-01 UTC)
//	then, unless the state is a "submitted" marker:
//	submission nonce (16) | furthest step reached (uvarint) | body
//
// The body (flate-compressed when that makes it shorter, flag bit 2) has one
// uvarint per background question (0: unanswered, i+1: the i-th option or
// unit), one byte per item in questionnaire order (0xFF: unanswered,
// otherwise the value), and per open question a uvarint length and the UTF-8
// text.

const (
	// stateCookie is the prefix of the cookies that hold the sealed state:
	// uk_s0, uk_s1, ... A browser keeps at most about 4 KB per cookie, and
	// the longest state (both open answers in full, in 4-byte characters)
	// needs three.
	stateCookie = "uk_s"
	// stateChunk is the most base64 characters one cookie carries.
	stateChunk = 3800
	// maxStateChunks bounds what the server reads back: more is not ours.
	maxStateChunks = 8
	// StateExpiryDays is how long a started questionnaire can be resumed:
	// a state created longer ago opens as no state.
	StateExpiryDays = 30

	stateVersion      = 1
	flagSubmitted     = 1 << 0
	flagCodeAccepted  = 1 << 1
	flagCompressed    = 1 << 2
	stateNonceBytes   = 16
	itemUnanswered    = 0xFF
	keyReloadInterval = 10 * time.Second
)

// progress is a respondent's unfinished questionnaire, as the sealed
// cookie carries it.
type progress struct {
	// Nonce makes the submission happen once; the store keeps only its
	// hash, and only once the answers are submitted.
	Nonce string
	// CodeAccepted is set when the respondent entered an access code,
	// which was spent at that moment; the code itself is not kept.
	CodeAccepted bool
	// Submitted marks the state that replaces the progress after a
	// submission: it carries nothing but that fact and the day.
	Submitted bool
	// Day is the creation day (days since the Unix epoch, UTC), for expiry.
	Day        int
	Reached    int
	Background map[string]string
	Answers    map[string]int
	Open       map[string]string
}

func newProgress(now time.Time) *progress {
	b := make([]byte, stateNonceBytes)
	_, _ = rand.Read(b)
	return &progress{
		Nonce:      hex.EncodeToString(b),
		Day:        epochDay(now),
		Background: map[string]string{},
		Answers:    map[string]int{},
		Open:       map[string]string{},
	}
}

func epochDay(t time.Time) int { return int(t.UTC().Unix() / 86400) }

// errBadState means the bytes do not describe a state of this diagnostic.
var errBadState = errors.New("malformed state")

// encode writes p for the questionnaire of d.
func (sc *stateCodec) encode(d *survey.Diagnostic, p *progress) ([]byte, error) {
	var flags byte
	if p.Submitted {
		flags |= flagSubmitted
	}
	if p.CodeAccepted {
		flags |= flagCodeAccepted
	}
	out := []byte{stateVersion, 0}
	out = binary.AppendUvarint(out, uint64(max(p.Day, 0)))
	if p.Submitted {
		out[1] = flags
		return out, nil
	}
	nonce, err := hex.DecodeString(p.Nonce)
	if err != nil || len(nonce) != stateNonceBytes {
		return nil, errors.New("state: malformed nonce")
	}
	out = append(out, nonce...)
	out = binary.AppendUvarint(out, uint64(max(p.Reached, 0)))

	q := &d.Questionnaire
	body := make([]byte, 0, len(q.Background)+len(p.Answers)+len(q.Outcomes)+64)
	for _, b := range q.Background {
		idx := 0
		if v, ok := p.Background[b.ID]; ok {
			for i := range backgroundOptionCount(d, b) {
				if backgroundOption(d, b, i) == v {
					idx = i + 1
				}
			}
		}
		body = binary.AppendUvarint(body, uint64(idx))
	}
	for it := range items(q) {
		v, ok := p.Answers[it.ID]
		if !ok || v < 0 || v >= itemUnanswered {
			body = append(body, itemUnanswered)
			continue
		}
		body = append(body, byte(v))
	}
	openBytes := 0
	for _, o := range q.Open {
		text := p.Open[o.ID]
		body = binary.AppendUvarint(body, uint64(len(text)))
		body = append(body, text...)
		openBytes += len(text)
	}
	// Compress only when it pays: open answers in prose shrink, the
	// one-byte-per-item part hardly does, so short states are not tried.
	if openBytes >= compressFrom {
		if z := sc.deflate(body); len(z) < len(body) {
			flags |= flagCompressed
			body = z
		}
	}
	out[1] = flags
	return append(out, body...), nil
}

// decode reads a state written by encode for d, and checks every value
// against d's questionnaire as parseStep would.
func (sc *stateCodec) decode(d *survey.Diagnostic, data []byte) (*progress, error) {
	if len(data) < 3 || data[0] != stateVersion {
		return nil, errBadState
	}
	flags := data[1]
	r := bytes.NewReader(data[2:])
	day, err := binary.ReadUvarint(r)
	if err != nil || day > 1<<31 {
		return nil, errBadState
	}
	q := &d.Questionnaire
	p := &progress{
		Day: int(day), Submitted: flags&flagSubmitted != 0, CodeAccepted: flags&flagCodeAccepted != 0,
		Background: make(map[string]string, len(q.Background)), Answers: make(map[string]int, len(q.Outcomes)+8*len(q.Factors)),
		Open: map[string]string{},
	}
	if p.Submitted {
		if r.Len() != 0 {
			return nil, errBadState
		}
		return p, nil
	}
	nonce := make([]byte, stateNonceBytes)
	if _, err := io.ReadFull(r, nonce); err != nil {
		return nil, errBadState
	}
	p.Nonce = hex.EncodeToString(nonce)
	reached, err := binary.ReadUvarint(r)
	if err != nil || reached > uint64(len(stepsOf(&d.Questionnaire))) {
		return nil, errBadState
	}
	p.Reached = int(reached)

	var body io.ByteReader = r
	if flags&flagCompressed != 0 {
		raw, err := sc.inflate(r)
		if err != nil || r.Len() != 0 {
			return nil, errBadState
		}
		body = bytes.NewReader(raw)
	}
	br := body.(*bytes.Reader)
	for _, b := range q.Background {
		idx, err := binary.ReadUvarint(br)
		if err != nil || idx > uint64(backgroundOptionCount(d, b)) {
			return nil, errBadState
		}
		if idx > 0 {
			p.Background[b.ID] = backgroundOption(d, b, int(idx-1))
		}
	}
	for it := range items(q) {
		v, err := br.ReadByte()
		if err != nil {
			return nil, errBadState
		}
		if v == itemUnanswered {
			continue
		}
		if int(v) != survey.DontKnow && (int(v) < q.Scale.Min || int(v) > q.Scale.Max) {
			return nil, errBadState
		}
		p.Answers[it.ID] = int(v)
	}
	for _, o := range q.Open {
		n, err := binary.ReadUvarint(br)
		if err != nil || n > uint64(br.Len()) {
			return nil, errBadState
		}
		text := make([]byte, n)
		if _, err := io.ReadFull(br, text); err != nil || !utf8.Valid(text) || utf8.RuneCount(text) > o.MaxLength {
			return nil, errBadState
		}
		if n > 0 {
			p.Open[o.ID] = string(text)
		}
	}
	if br.Len() != 0 {
		return nil, errBadState
	}
	return p, nil
}

// compressFrom is the length of open answers from which compressing the
// body is tried: below it the saving is a few bytes at most.
const compressFrom = 200

// stateCodec encodes and decodes states. Its compressors are pooled: a new
// flate writer allocates about 1 MB, which on every step of every
// respondent would cost more than the rest of the request. The zero value
// is ready to use.
type stateCodec struct {
	deflaters, inflaters sync.Pool
}

func (sc *stateCodec) deflate(b []byte) []byte {
	var z bytes.Buffer
	w, _ := sc.deflaters.Get().(*flate.Writer)
	if w == nil {
		w, _ = flate.NewWriter(&z, flate.BestCompression)
	} else {
		w.Reset(&z)
	}
	_, _ = w.Write(b)
	_ = w.Close()
	sc.deflaters.Put(w)
	return z.Bytes()
}

// inflate unpacks a compressed body, bounded: a state never needs more
// than a few KB unpacked.
func (sc *stateCodec) inflate(r *bytes.Reader) ([]byte, error) {
	fr, _ := sc.inflaters.Get().(io.ReadCloser)
	if fr == nil {
		fr = flate.NewReader(r)
	} else if err := fr.(flate.Resetter).Reset(r, nil); err != nil {
		return nil, err
	}
	defer sc.inflaters.Put(fr)
	return io.ReadAll(io.LimitReader(fr, 64<<10))
}

// backgroundOptionCount is the number of options of a background question:
// the diagnostic's units for the unit question.
func backgroundOptionCount(d *survey.Diagnostic, b survey.BackgroundQuestion) int {
	if b.Kind == survey.BackgroundUnit {
		return len(d.Units)
	}
	return len(b.Options)
}

// backgroundOption is the id of option i of a background question.
func backgroundOption(d *survey.Diagnostic, b survey.BackgroundQuestion, i int) string {
	if b.Kind == survey.BackgroundUnit {
		return d.Units[i].ID
	}
	return b.Options[i].ID
}

// items yields the items of q in the order of AllItems, without building
// the slice: the state is encoded and decoded on every step.
func items(q *survey.Questionnaire) iter.Seq[*survey.Item] {
	return func(yield func(*survey.Item) bool) {
		for i := range q.Factors {
			for j := range q.Factors[i].Items {
				if !yield(&q.Factors[i].Items[j]) {
					return
				}
			}
		}
		for i := range q.Outcomes {
			if !yield(&q.Outcomes[i]) {
				return
			}
		}
	}
}

// sealer seals and opens states with the keys of the store. It loads them
// on first use and again, at most every keyReloadInterval, when a state
// names a key it does not know (another instance rotated): a stream of
// forged key ids costs the database one query per interval.
type sealer struct {
	load  func(ctx context.Context) (map[byte][]byte, byte, error)
	now   func() time.Time
	codec stateCodec

	mu       sync.Mutex
	aeads    map[byte]cipher.AEAD
	current  byte
	loadedAt time.Time
}

func (s *sealer) keys(ctx context.Context, want byte) (map[byte]cipher.AEAD, byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, known := s.aeads[want]
	if s.aeads != nil && (known || want == 0 || s.now().Sub(s.loadedAt) < keyReloadInterval) {
		return s.aeads, s.current, nil
	}
	raw, current, err := s.load(ctx)
	if err != nil {
		return nil, 0, err
	}
	aeads := make(map[byte]cipher.AEAD, len(raw))
	for id, k := range raw {
		a, err := chacha20poly1305.NewX(k)
		if err != nil {
			return nil, 0, survey.Wrap(survey.CodeInternal, err, "sealing key")
		}
		aeads[id] = a
	}
	if _, ok := aeads[current]; !ok {
		return nil, 0, survey.Errorf(survey.CodeInternal, "no sealing key")
	}
	s.aeads, s.current, s.loadedAt = aeads, current, s.now()
	return aeads, current, nil
}

func stateAD(d *survey.Diagnostic) []byte { return []byte("uk-state-v1\x00" + d.ID) }

func (s *sealer) seal(ctx context.Context, d *survey.Diagnostic, p *progress) (string, error) {
	plain, err := s.codec.encode(d, p)
	if err != nil {
		return "", err
	}
	aeads, current, err := s.keys(ctx, 0)
	if err != nil {
		return "", err
	}
	a := aeads[current]
	out := make([]byte, 1+a.NonceSize(), 1+a.NonceSize()+len(plain)+a.Overhead())
	out[0] = current
	_, _ = rand.Read(out[1:])
	out = a.Seal(out, out[1:], plain, stateAD(d))
	return base64.RawURLEncoding.EncodeToString(out), nil
}

// open returns the state sealed in value for d. A value that is not a state
// of d (tampered, truncated, sealed for another diagnostic, made with an
// unknown key, or expired) gives errBadState; other errors mean the keys
// could not be loaded.
func (s *sealer) open(ctx context.Context, d *survey.Diagnostic, value string) (*progress, error) {
	raw, err := base64.RawURLEncoding.DecodeString(value)
	if err != nil || len(raw) < 1+chacha20poly1305.NonceSizeX+chacha20poly1305.Overhead {
		return nil, errBadState
	}
	aeads, _, err := s.keys(ctx, raw[0])
	if err != nil {
		return nil, err
	}
	a, ok := aeads[raw[0]]
	if !ok {
		return nil, errBadState
	}
	ns := 1 + a.NonceSize()
	plain, err := a.Open(nil, raw[1:ns], raw[ns:], stateAD(d))
	if err != nil {
		return nil, errBadState
	}
	p, err := s.codec.decode(d, plain)
	if err != nil {
		return nil, err
	}
	if age := epochDay(s.now()) - p.Day; age > StateExpiryDays || age < -1 {
		return nil, errBadState
	}
	return p, nil
}

// stateCookies returns the request's state cookies, in order, joined.
func stateCookieValue(r *http.Request) string {
	var b strings.Builder
	for i := range maxStateChunks {
		c, err := r.Cookie(stateCookie + strconv.Itoa(i))
		if err != nil {
			break
		}
		b.WriteString(c.Value)
	}
	return b.String()
}

// stateOf opens the respondent's state for d. It returns nil and no error
// when there is none; bad is set when a state cookie was sent but does not
// open (tampered, truncated, expired, of another diagnostic): the landing
// page says so. An error means the keys could not be loaded.
func (s *Server) stateOf(c echo.Context, d *survey.Diagnostic) (p *progress, bad bool, err error) {
	value := stateCookieValue(c.Request())
	if value == "" {
		return nil, false, nil
	}
	p, err = s.sealer.open(c.Request().Context(), d, value)
	if errors.Is(err, errBadState) {
		return nil, true, nil
	}
	return p, false, err
}

// saveState seals p into the state cookies of d's path, and clears chunks
// of a longer earlier state. The cookies are session cookies: they go when
// the browser closes, so the next user of a shared device finds nothing.
func (s *Server) saveState(c echo.Context, d *survey.Diagnostic, p *progress) error {
	value, err := s.sealer.seal(c.Request().Context(), d, p)
	if err != nil {
		return err
	}
	n := 0
	for ; len(value) > 0; n++ {
		chunk := value[:min(stateChunk, len(value))]
		value = value[len(chunk):]
		s.setStateCookie(c, d, stateCookie+strconv.Itoa(n), chunk, 0)
	}
	for _, ck := range c.Request().Cookies() {
		i, ok := stateChunkIndex(ck.Name)
		if ok && i >= n {
			s.setStateCookie(c, d, ck.Name, "", -1)
		}
	}
	return nil
}

func stateChunkIndex(name string) (int, bool) {
	rest, ok := strings.CutPrefix(name, stateCookie)
	if !ok {
		return 0, false
	}
	i, err := strconv.Atoi(rest)
	return i, err == nil && i >= 0 && strconv.Itoa(i) == rest
}

func (s *Server) setStateCookie(c echo.Context, d *survey.Diagnostic, name, value string, maxAge int) {
	c.SetCookie(&http.Cookie{
		Name: name, Value: value, Path: respondentPath(d, ""), MaxAge: maxAge,
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode,
	})
}
