package web

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/crypto/chacha20poly1305"
)

// A flash is the one-line confirmation a consultant sees after an action
// and its redirect ("De diagnose is gesloten."). It travels in a cookie
// sealed with the same keys as respondents' progress and bound to the
// consultant's session, so it can be neither forged nor replayed into
// another session, and it expires after flashTTL.
const (
	flashCookie = "uk_flash"
	flashTTL    = 2 * time.Minute
)

// flash is a translation key with its arguments, rendered in the language
// of the page that shows it.
type flash struct {
	Key  string   `json:"k"`
	Args []string `json:"a,omitempty"`
	At   int64    `json:"t"`
}

var errBadSealed = errors.New("malformed sealed value")

// sealBytes seals plain under the current key with ad as associated data;
// openBytes reverses it. They serve the consultant's short-lived cookies
// (flash messages, a batch of codes to download); respondents' progress
// has its own format in sealed.go.
func (s *Server) sealBytes(ctx context.Context, ad, plain []byte) (string, error) {
	aeads, current, err := s.sealer.keys(ctx, 0)
	if err != nil {
		return "", err
	}
	a := aeads[current]
	out := make([]byte, 1+a.NonceSize(), 1+a.NonceSize()+len(plain)+a.Overhead())
	out[0] = current
	_, _ = rand.Read(out[1:])
	out = a.Seal(out, out[1:], plain, ad)
	return base64.RawURLEncoding.EncodeToString(out), nil
}

func (s *Server) openBytes(ctx context.Context, ad []byte, value string) ([]byte, error) {
	raw, err := base64.RawURLEncoding.DecodeString(value)
	if err != nil || len(raw) < 1+chacha20poly1305.NonceSizeX+chacha20poly1305.Overhead {
		return nil, errBadSealed
	}
	aeads, _, err := s.sealer.keys(ctx, raw[0])
	if err != nil {
		return nil, err
	}
	a, ok := aeads[raw[0]]
	if !ok {
		return nil, errBadSealed
	}
	ns := 1 + a.NonceSize()
	plain, err := a.Open(nil, raw[1:ns], raw[ns:], ad)
	if err != nil {
		return nil, errBadSealed
	}
	return plain, nil
}

func flashAD(sessionID string) []byte { return []byte("uk-flash-v1\x00" + sessionID) }

// setFlash leaves a message for the next page of this session. Without a
// session (the API) it does nothing: a flash is a courtesy, never needed
// to act.
func (s *Server) setFlash(c echo.Context, key string, args ...string) {
	sessionID, _ := c.Get(ctxSessionID).(string)
	if sessionID == "" {
		return
	}
	plain, err := json.Marshal(flash{Key: key, Args: args, At: s.now().Unix()})
	if err != nil {
		return
	}
	value, err := s.sealBytes(c.Request().Context(), flashAD(sessionID), plain)
	if err != nil {
		s.logger.Warn("seal flash", "error", err.Error())
		return
	}
	c.SetCookie(&http.Cookie{
		Name: flashCookie, Value: value, Path: "/", MaxAge: int(flashTTL / time.Second),
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode,
	})
}

// takeFlash returns the message left for this page, translated, and clears
// it so that a reload does not show it again.
func (s *Server) takeFlash(c echo.Context, t Translator) string {
	ck, err := c.Cookie(flashCookie)
	if err != nil || ck.Value == "" {
		return ""
	}
	c.SetCookie(&http.Cookie{
		Name: flashCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode,
	})
	sessionID, _ := c.Get(ctxSessionID).(string)
	if sessionID == "" {
		return ""
	}
	plain, err := s.openBytes(c.Request().Context(), flashAD(sessionID), ck.Value)
	if err != nil {
		return ""
	}
	var f flash
	if json.Unmarshal(plain, &f) != nil || f.Key == "" {
		return ""
	}
	if age := s.now().Sub(time.Unix(f.At, 0)); age < -time.Minute || age > flashTTL {
		return ""
	}
	args := make([]any, len(f.Args))
	for i, a := range f.Args {
		args[i] = a
	}
	return t.Get(f.Key, args...)
}
