package web

import (
	"net/mail"
	"slices"
	"strings"
	"testing"

	"github.com/uitvoeringskracht/uitvoeringskracht"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// A name or subject with line breaks must not become a header of its own
// or a second recipient.
func TestComposedMailHeadersStayOneLine(t *testing.T) {
	for _, name := range []string{"Anna\r\nBcc: spy@evil.example", "Anna\nTo: spy@evil.example", "Anna \u2028 de Vries", "\"Anna\", spy@evil.example"} {
		m := composedMail{ToName: name, ToEmail: "anna@gemeente.example", Lang: "nl", Subject: oneLine("Resultaten\r\nBcc: spy@evil.example"), Text: "x"}
		msg := m.message(survey.MessageContactInvitation)
		if len(msg.To) != 1 || strings.ContainsAny(msg.To[0], "\r\n") || strings.ContainsAny(msg.Subject, "\r\n") {
			t.Fatalf("name %q: to %q, subject %q", name, msg.To, msg.Subject)
		}
		list, err := mail.ParseAddressList(msg.To[0])
		if err != nil || len(list) != 1 || list[0].Address != "anna@gemeente.example" {
			t.Errorf("name %q gives the recipients %v (%v)", name, list, err)
		}
	}
	if got := oneLine("  a\tb\r\n\x00c  "); got != "a b c" {
		t.Errorf("oneLine: %q", got)
	}
}

// The recipient lists of the diagnostic form: every wrong line is named.
func TestParseRecipients(t *testing.T) {
	tr := translationsForTest(t).For("nl")
	rs, problems := parseRecipients("Anna; anna@gemeente.example\n\nBen Smith ; BEN@gemeente.example ; EN\n", survey.RoleContact, tr)
	if len(problems) != 0 || len(rs) != 2 || rs[0].Lang != "nl" || rs[1].Lang != "en" || rs[1].Name != "Ben Smith" {
		t.Fatalf("good list: %+v %+v", rs, problems)
	}
	_, problems = parseRecipients("Anna\n; a@b.example\nX; a@b\nY; y@b.example; de\nZ; y@b.example\nA;b;c;d", survey.RoleContact, tr)
	lines := []int{}
	for _, p := range problems {
		lines = append(lines, p.Line)
	}
	if want := []int{1, 2, 3, 4, 6}; !slices.Equal(lines, want) {
		t.Fatalf("problems on lines %v, want %v: %+v", lines, want, problems)
	}
	// The same address twice is named on its second line.
	_, problems = parseRecipients("A; a@b.example\nB; A@B.example", survey.RoleDirector, tr)
	if len(problems) != 1 || problems[0].Line != 2 {
		t.Errorf("twice: %+v", problems)
	}
	var many strings.Builder
	for i := range survey.MaxRecipients + 1 {
		many.WriteString("P; p" + string(rune('a'+i%26)) + string(rune('a'+i/26)) + "@b.example\n")
	}
	if _, problems = parseRecipients(many.String(), survey.RoleContact, tr); len(problems) != 1 || problems[0].Line != 0 {
		t.Errorf("too many: %+v", problems)
	}
}

func TestParseAddressList(t *testing.T) {
	tr := translationsForTest(t).For("nl")
	got, errs := parseAddressList("\ufeffNaam;E-mail\r\n\"Jan Jansen\";jan@g.example\r\nPiet <piet@g.example>, JAN@g.example\tkees@g.example", tr)
	if len(errs) != 0 || strings.Join(got, " ") != "jan@g.example piet@g.example kees@g.example" {
		t.Errorf("got %v %v", got, errs)
	}
	if _, errs = parseAddressList("jan@g.example x@@y", tr); len(errs) != 1 || !strings.Contains(errs[0].Message, "x@@y") {
		t.Errorf("bad address: %v", errs)
	}
	if _, errs = parseAddressList("Jan\x00;jan@g.example", tr); len(errs) != 1 {
		t.Errorf("control character: %v", errs)
	}
}

func translationsForTest(t *testing.T) translations {
	t.Helper()
	texts, err := loadTranslations(uitvoeringskracht.Templates)
	if err != nil {
		t.Fatal(err)
	}
	return texts
}
