package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/mail"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// cmdMail runs "mail test": it sends one message straight through the
// configured mail server, outside the outbox, and prints the server's
// answer, so that an operator sees at once whether mail works.
func cmdMail(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	if len(args) == 0 || args[0] != "test" {
		return fmt.Errorf("%w: uitvoeringskracht mail test --to ADDRESS", errUsage)
	}
	fs := newFlagSet("mail test", stderr)
	to := fs.String("to", "", "address that receives the test message")
	config := configFlags(fs, getenv)
	cfg, err := parseConfig(fs, config, args[1:])
	if err != nil {
		return err
	}
	if *to == "" {
		return fmt.Errorf("%w: --to ADDRESS is required", errUsage)
	}
	if _, err := mail.ParseRecipient(*to); err != nil {
		return fmt.Errorf("%w: --to: %v", errUsage, err)
	}
	mailer, err := mail.New(cfg.mailConfig())
	if err != nil {
		return err
	}
	now := time.Now()
	res := mailer.Deliver(ctx, testMessage(*to, now), now)
	switch res.State {
	case survey.MessageSent:
		fmt.Fprintf(stdout, "The test message to %s was accepted by %s.\nServer answer: %s\n", *to, mailer.Server(), res.Reply)
		return nil
	case survey.MessageNotSent:
		return fmt.Errorf("no mail server is configured (--smtp-url or UK_SMTP_URL), so nothing was sent; the test message was written to %s", res.File)
	case survey.MessageQueued:
		return fmt.Errorf("the test message was not sent (temporary failure, the outbox would try again): %s", res.Reply)
	default:
		return errors.New("the mail server refused the test message: " + res.Reply)
	}
}

func testMessage(to string, now time.Time) *survey.OutgoingMessage {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	id := hex.EncodeToString(b)
	at := now.Format("2006-01-02 15:04:05 -0700")
	return &survey.OutgoingMessage{
		ID: "test-" + id, MessageID: "uk.test." + id, Kind: survey.MessageTest, Lang: "nl", To: []string{to},
		Subject: "Testbericht van Uitvoeringskracht / Test message from Uitvoeringskracht",
		Text: "Dit is een testbericht van Uitvoeringskracht, verstuurd op " + at + ". Komt het aan, dan werkt de mail van de dienst.\n\n" +
			"This is a test message from Uitvoeringskracht, sent at " + at + ". If it arrives, the service's mail works.\n",
		HTML: "<p>Dit is een testbericht van Uitvoeringskracht, verstuurd op " + at + ". Komt het aan, dan werkt de mail van de dienst.</p>\n" +
			"<p lang=\"en\">This is a test message from Uitvoeringskracht, sent at " + at + ". If it arrives, the service's mail works.</p>\n",
	}
}
