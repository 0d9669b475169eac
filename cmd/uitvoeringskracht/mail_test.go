package main

import (
	"bytes"
	"context"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/mail/mailtest"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestMailTestCommand(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{Insecure: true})
	var out, errOut bytes.Buffer
	env := map[string]string{"UK_SMTP_URL": strings.Replace(srv.URL, mailtest.Password, "", 1), "UK_SMTP_PASSWORD": mailtest.Password, "UK_MAIL_FROM": "Bureau Noord <noreply@noord.example>"}
	code := run(context.Background(), []string{"mail", "test", "--to", "anna@noord.example"}, nil, &out, &errOut, envOf(env))
	if code != 0 || !strings.Contains(out.String(), "Server answer: 250") {
		t.Fatalf("mail test: %d\n%s\n%s", code, out.String(), errOut.String())
	}
	got := srv.Messages()
	if len(got) != 1 || got[0].To[0] != "anna@noord.example" || !strings.Contains(got[0].Header.Get("Subject"), "Uitvoeringskracht") {
		t.Errorf("received %+v", got)
	}
	if strings.Contains(out.String()+errOut.String(), mailtest.Password) {
		t.Error("the password was printed")
	}

	// A refusal: exit 1 with the server's reason.
	srv.Answer(func(int) error { return mailtest.Refuse(554, "no relaying for you") })
	out.Reset()
	errOut.Reset()
	code = run(context.Background(), []string{"mail", "test", "--to", "anna@noord.example"}, nil, &out, &errOut, envOf(env))
	if code != 1 || !strings.Contains(errOut.String(), "refused the test message") || !strings.Contains(errOut.String(), "no relaying for you") {
		t.Errorf("refusal: %d %q", code, errOut.String())
	}

	// STARTTLS with a certificate the command does not trust: exit 1, and
	// the password stays out of the message.
	tlsSrv := mailtest.Start(t, mailtest.Options{})
	errOut.Reset()
	code = run(context.Background(), []string{"mail", "test", "--to", "anna@noord.example", "--smtp-url", tlsSrv.URL, "--mail-lease", "4s"}, nil, &out, &errOut, envOf(map[string]string{}))
	if code != 1 || strings.Contains(errOut.String(), mailtest.Password) || !strings.Contains(errOut.String(), "not sent") {
		t.Errorf("untrusted certificate: %d %q", code, errOut.String())
	}

	// No mail server: exit 1, and the .eml file is named.
	dir := filepath.Join(t.TempDir(), "mail")
	errOut.Reset()
	code = run(context.Background(), []string{"mail", "test", "--to", "anna@noord.example", "--mail-dir", dir}, nil, &out, &errOut, envOf(map[string]string{}))
	files, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
	if code != 1 || len(files) != 1 || !strings.Contains(errOut.String(), files[0]) || !strings.Contains(errOut.String(), "no mail server is configured") {
		t.Errorf("without a server: %d %q %v", code, errOut.String(), files)
	}

	// Usage mistakes: exit 2.
	for _, args := range [][]string{{"mail"}, {"mail", "test"}, {"mail", "test", "--to", "geen adres"}} {
		if code := run(context.Background(), args, nil, io.Discard, io.Discard, envOf(map[string]string{})); code != 2 {
			t.Errorf("%v: exit %d", args, code)
		}
	}
}

func TestMailConfig(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"UK_SMTP_URL": "smtp://u:Geheim123@"}, "no host"},
		{map[string]string{"UK_SMTP_URL": "http://u:Geheim123@h"}, "smtp://"},
		{map[string]string{"UK_MAIL_FROM": "geen adres"}, "sender"},
		{map[string]string{"UK_MAIL_LEASE": "1s"}, "--mail-lease"},
	} {
		var errOut bytes.Buffer
		code := run(context.Background(), []string{"mail", "test", "--to", "a@b.example"}, nil, io.Discard, &errOut, envOf(tc.env))
		if code != 2 || !strings.Contains(errOut.String(), tc.want) || strings.Contains(errOut.String(), "Geheim123") {
			t.Errorf("%v: %d %q", tc.env, code, errOut.String())
		}
	}
	if got := defaultMailDir("sqlite:/srv/uk/data/uk.db"); got != "/srv/uk/data/mail" {
		t.Errorf("mail dir %q", got)
	}
	if got := defaultMailFrom("https://uk.bureau.example"); got != "Uitvoeringskracht <noreply@uk.bureau.example>" {
		t.Errorf("mail from %q", got)
	}
}

// startMailApp runs the App with the mail settings of cfg (address, base
// URL and secret key filled in) and returns its base URL.
func startMailApp(t *testing.T, cfg Config) string {
	t.Helper()
	cfg.Addr, cfg.LogFormat = "127.0.0.1:0", "json"
	if cfg.BaseURL == "" {
		cfg.BaseURL = "http://127.0.0.1"
	}
	cfg.SecretKey = testSecretKeyFor(cfg.DatabaseURL)
	app := runApp(t, cfg)
	return "http://" + app.Addr()
}

func enqueueTestMessages(t *testing.T, st *store.Store, n int) []*survey.OutgoingMessage {
	t.Helper()
	ctx := context.Background()
	firm := &survey.Firm{Name: "Bureau Post"}
	if err := st.CreateFirm(ctx, firm); err != nil {
		t.Fatal(err)
	}
	var msgs []*survey.OutgoingMessage
	for i := range n {
		msgs = append(msgs, &survey.OutgoingMessage{FirmID: firm.ID, Kind: survey.MessageContactInvitation, Lang: "nl",
			To: []string{"contact@gemeente.example"}, Subject: "Bericht " + string(rune('A'+i%26)), Text: "Tekst", HTML: "<p>Tekst</p>"})
	}
	if err := st.EnqueueMessages(ctx, msgs...); err != nil {
		t.Fatal(err)
	}
	return msgs
}

// checkDelivered checks that every message reached the server, in state
// sent, and that repeats (at most maxRepeats) carry the Message-ID of a
// message that was sent.
func checkDelivered(t *testing.T, srv *mailtest.Server, st *store.Store, msgs []*survey.OutgoingMessage, maxRepeats int) {
	t.Helper()
	counts := map[string]int{}
	got := srv.Messages()
	for _, r := range got {
		counts[r.Header.Get("Message-Id")]++
	}
	for _, m := range msgs {
		id := m.MessageID
		if !strings.Contains(id, "@") {
			id += "@"
		}
		found := 0
		for k, n := range counts {
			if strings.HasPrefix(k, "<"+id) {
				found = n
			}
		}
		if found == 0 {
			t.Errorf("message %s never arrived", m.MessageID)
		}
		stored, err := st.Message(context.Background(), m.FirmID, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if stored.State != survey.MessageSent {
			t.Errorf("message %s: %s (%s)", m.ID, stored.State, stored.LastError)
		}
	}
	if len(counts) != len(msgs) {
		t.Errorf("%d distinct Message-IDs arrived, want %d", len(counts), len(msgs))
	}
	if repeats := len(got) - len(counts); repeats > maxRepeats {
		t.Errorf("%d repeats, at most %d allowed", repeats, maxRepeats)
	}
}

// Two instances on one PostgreSQL send each message exactly once.
func TestTwoAppsSendEachMessageOnce(t *testing.T) {
	for _, dialect := range storetest.Dialects(t) {
		if dialect != store.DialectPostgres {
			continue
		}
		t.Run(dialect, func(t *testing.T) {
			dbURL := storetest.DatabaseURL(t, dialect)
			srv := mailtest.Start(t, mailtest.Options{})
			cfg := Config{DatabaseURL: dbURL, Migrate: true, SMTPURL: srv.URL, mailTLS: srv.ClientTLS, MailFrom: "noreply@post.example", ScrubInterval: time.Hour, RetentionMonths: 12}
			startMailApp(t, cfg)
			startMailApp(t, cfg)
			st := openTestStore(t, dbURL)
			msgs := enqueueTestMessages(t, st, 40)
			srv.Wait(t, len(msgs), 60*time.Second)
			// A second sending of a message by the other instance would
			// follow right after the first: give it time to show.
			time.Sleep(2 * time.Second)
			checkDelivered(t, srv, st, msgs, 0)
		})
	}
}

// startMailProcess starts `uk serve` as a subprocess with mail settings.
func startMailProcess(t *testing.T, bin, dbURL, logPath string, env ...string) *ukProcess {
	t.Helper()
	f, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	cmd := exec.Command(bin, "serve", "--addr", addr, "--database", dbURL, "--migrate", "1", "--log-format", "json")
	cmd.Stdout, cmd.Stderr = f, f
	cmd.Env = append(append(os.Environ(), "UK_SECRET_KEY="+testSecretKeyFor(dbURL)), env...)
	if err := cmd.Start(); err != nil {
		f.Close()
		t.Fatal(err)
	}
	p := &ukProcess{cmd: cmd, addr: addr, logPath: logPath, done: make(chan struct{})}
	go func() {
		p.waitErr = cmd.Wait()
		p.exited = time.Now()
		f.Close()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.stop()
		if t.Failed() {
			t.Logf("server output (%s):\n%s", filepath.Base(logPath), tailOfFile(logPath, 16<<10))
		}
	})
	p.waitReady(t)
	return p
}

// SIGKILL while sending: after the restart every message is delivered,
// none is lost, and a repeat has the Message-ID of the first delivery.
func TestMailSurvivesSIGKILL(t *testing.T) {
	bin := buildServer(t)
	dir := t.TempDir()
	dbURL := "sqlite:" + filepath.Join(dir, "uk.db")
	if code := run(context.Background(), []string{"migrate", "--database", dbURL}, nil, io.Discard, io.Discard, envOf(nil)); code != 0 {
		t.Fatal("migrate failed")
	}
	st := openTestStore(t, dbURL)
	msgs := enqueueTestMessages(t, st, 30)

	srv := mailtest.Start(t, mailtest.Options{Insecure: true})
	reached, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	srv.Answer(func(n int) error {
		// The tenth message is held after the server read it; the process
		// is killed meanwhile; the server then accepts it, as a server
		// that answered 250 just as the sender died.
		if n == 10 {
			once.Do(func() { close(reached) })
			<-release
		}
		return nil
	})
	env := []string{"UK_SMTP_URL=" + srv.URL, "UK_MAIL_FROM=noreply@post.example", "UK_MAIL_LEASE=2s"}
	first := startMailProcess(t, bin, dbURL, filepath.Join(dir, "first.log"), env...)
	select {
	case <-reached:
	case <-time.After(60 * time.Second):
		close(release)
		t.Fatalf("the worker did not reach the tenth message; received %d", len(srv.Messages()))
	}
	if err := first.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-first.done
	close(release)
	before := len(srv.Messages())

	startMailProcess(t, bin, dbURL, filepath.Join(dir, "second.log"), env...)
	srv.Wait(t, len(msgs), 90*time.Second)
	deadline := time.Now().Add(60 * time.Second)
	for {
		pending := 0
		for _, m := range msgs {
			got, err := st.Message(context.Background(), m.FirmID, m.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.State != survey.MessageSent {
				pending++
			}
		}
		if pending == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d messages not sent after the restart", pending)
		}
		time.Sleep(200 * time.Millisecond)
	}
	checkDelivered(t, srv, st, msgs, 1)
	t.Logf("received before the kill: %d; in total: %d for %d messages", before, len(srv.Messages()), len(msgs))
}

var reResetPath = regexp.MustCompile(`/wachtwoord-herstellen/[A-Za-z0-9_-]+`)

// textPart returns the decoded text/plain part of a received message.
func textPart(t *testing.T, r mailtest.Received) string {
	t.Helper()
	_, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	mr := multipart.NewReader(bytes.NewReader(r.Body), params["boundary"])
	for {
		p, err := mr.NextRawPart()
		if err != nil {
			t.Fatalf("no text part: %v", err)
		}
		if strings.HasPrefix(p.Header.Get("Content-Type"), "text/plain") {
			var body io.Reader = p
			if strings.EqualFold(p.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
				body = quotedprintable.NewReader(p)
			}
			b, err := io.ReadAll(body)
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
	}
}

// A 5xx refusal shows in the workspace with the server's reason, and a
// temporary refusal is retried and delivered once.
func TestRefusalVisibleInWorkspace(t *testing.T) {
	dbURL := "sqlite:" + filepath.Join(t.TempDir(), "uk.db")
	if code := run(context.Background(), []string{"migrate", "--database", dbURL}, nil, io.Discard, io.Discard, envOf(nil)); code != 0 {
		t.Fatal("migrate failed")
	}
	addConsultant(t, dbURL, journeyFirm, journeyEmail, journeyPassword)
	srv := mailtest.Start(t, mailtest.Options{})
	srv.Answer(func(int) error { return mailtest.Refuse(550, "5.7.1 relaying denied for this sender") })
	base := startMailApp(t, Config{DatabaseURL: dbURL, SMTPURL: srv.URL, mailTLS: srv.ClientTLS, MailFrom: "noreply@a11y.example"})

	jar, _ := cookiejar.New(nil)
	b := &consultantBrowser{t: t, jar: jar, client: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	_, _, page := b.do(http.MethodGet, base+"/login", nil)
	if status, loc, _ := b.do(http.MethodPost, base+"/login", url.Values{"csrf": {csrfOf(t, page)}, "email": {journeyEmail}, "password": {journeyPassword}}); status != http.StatusSeeOther {
		t.Fatalf("login: %d %s", status, loc)
	}
	// Inviting a colleague queues a mail, which the server refuses.
	_, _, page = b.do(http.MethodGet, base+"/team", nil)
	if status, _, body := b.do(http.MethodPost, base+"/team/uitnodigingen", url.Values{"csrf": {csrfOf(t, page)}, "email": {"collega@a11y.example"}}); status != http.StatusOK || !strings.Contains(body, "/uitnodiging/") {
		t.Fatalf("invite: %d", status)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, _, body := b.do(http.MethodGet, base+"/berichten", nil)
		if strings.Contains(body, "Mislukt") {
			if !strings.Contains(body, "relaying denied for this sender") || !strings.Contains(body, "collega@a11y.example") {
				t.Errorf("the page does not show the reason:\n%s", body)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the refusal never showed:\n%s", body)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if n := srv.Attempts(); n != 1 {
		t.Errorf("a 5xx was tried %d times", n)
	}

	// Resend after the server is fixed: delivered.
	srv.Answer(nil)
	_, _, body := b.do(http.MethodGet, base+"/berichten", nil)
	action := regexp.MustCompile(`action="(/berichten/[^"]+/opnieuw)"`).FindStringSubmatch(body)
	if action == nil {
		t.Fatal("no resend button")
	}
	if status, loc, _ := b.do(http.MethodPost, base+action[1], url.Values{"csrf": {csrfOf(t, body)}, "terug": {"/berichten"}}); status != http.StatusSeeOther || loc != "/berichten" {
		t.Fatalf("resend: %d %s", status, loc)
	}
	got := srv.Wait(t, 1, 30*time.Second)
	if got[0].To[0] != "collega@a11y.example" {
		t.Errorf("delivered to %v", got[0].To)
	}
}
