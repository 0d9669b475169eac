package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
)

// The invitation and the password change share their new-password fields
// (templates/html/newpassword.html): each keeps its own label, and a
// refused password is tied to its field for screen readers.
func TestNewPasswordFieldsKeepLabelAndErrors(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newAuthFixture(t, st)
		admin := f.browser(t)
		signIn(t, f.fixture, admin, "Adviesbureau Noord", "ann@noord.example", true)

		p := admin.get("/account/wachtwoord")
		for _, want := range []string{`<label class="label" for="password">Nieuw wachtwoord</label>`, `aria-describedby="password-hint"`, `for="password_confirm"`} {
			if p.status != http.StatusOK || !strings.Contains(p.body, want) {
				t.Errorf("password change page lacks %s (%d)", want, p.status)
			}
		}
		p = postWithCSRF(t, admin, "/account/wachtwoord", "/account/wachtwoord", url.Values{"current_password": {testPassword}, "password": {"kort"}, "password_confirm": {"anders"}})
		for _, want := range []string{`id="password-error"`, `aria-describedby="password-hint password-error"`} {
			if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, want) {
				t.Errorf("refused change lacks %s (%d)", want, p.status)
			}
		}

		link := invite(t, admin, "dirk@noord.example")
		p = f.browser(t).get(link)
		if p.status != http.StatusOK || !strings.Contains(p.body, `<label class="label" for="password">Kies een wachtwoord</label>`) || strings.Contains(p.body, "Nieuw wachtwoord") {
			t.Errorf("invitation page without its own password label (%d)", p.status)
		}
	})
}
