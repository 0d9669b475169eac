package web

import (
	"context"
	"time"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// The mail scheduler queues what no consultant's click causes: the
// reminders to the contact persons at their moments, and the directors'
// mail of a diagnostic that closed on its closing date. Every instance
// runs it; each mail is recorded with an event key in the transaction that
// queues it, so that it is queued once however many instances look
// (store.QueueDiagnosticMail).

// closedMailWindow bounds how long after its closing date a diagnostic
// that closed by its date still gets its directors' mail: directors named
// on a diagnostic that closed long ago are mailed by hand, not by surprise.
const closedMailWindow = 7 * 24 * time.Hour

// RunMailSchedule queues due mail every interval until ctx ends.
func (s *Server) RunMailSchedule(ctx context.Context, interval time.Duration) {
	if s.mailStore() == nil {
		return
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := s.QueueScheduledMail(ctx); err != nil && ctx.Err() == nil {
			s.logger.Error("mail schedule failed", "error", err.Error())
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// QueueScheduledMail queues every reminder and directors' mail that is due
// now and returns how many batches it queued.
func (s *Server) QueueScheduledMail(ctx context.Context) (int, error) {
	ms := s.mailStore()
	if ms == nil {
		return 0, nil
	}
	refs, err := ms.MailScheduleCandidates(ctx)
	if err != nil {
		return 0, err
	}
	queued := 0
	for _, ref := range refs {
		n, err := s.scheduleDiagnostic(ctx, ms, ref)
		if err != nil {
			// One diagnostic's trouble does not hold up the others.
			s.logger.Error("mail schedule: diagnostic failed", "diagnostic", ref.ID, "error", err.Error())
			continue
		}
		queued += n
	}
	return queued, nil
}

func (s *Server) scheduleDiagnostic(ctx context.Context, ms DiagnosticMailStore, ref survey.DiagnosticRef) (int, error) {
	d, err := s.store.DiagnosticForFirm(ctx, ref.FirmID, ref.ID)
	if err != nil {
		return 0, err
	}
	settings, err := ms.MailSettings(ctx, d.ID)
	if err != nil {
		return 0, err
	}
	events, err := ms.MailEvents(ctx, d.ID)
	if err != nil {
		return 0, err
	}
	now := s.now()
	switch d.EffectiveState(now) {
	case survey.StateOpen:
		if len(settings.Contacts) == 0 {
			return 0, nil
		}
		due, skipped := survey.DueReminder(survey.ReminderMoments(d, settings.Reminders, s.location), now, func(k string) bool { return events[k] })
		if due == nil {
			return 0, nil
		}
		batch := survey.DiagnosticMail{Event: due.Key}
		for _, m := range skipped {
			batch.Skip = append(batch.Skip, m.Key)
		}
		_, pv, err := s.progressOf(ctx, d)
		if err != nil {
			return 0, err
		}
		from, err := s.senderOf(ctx, d, nil)
		if err != nil {
			return 0, err
		}
		for _, r := range settings.Contacts {
			m, err := s.reminderMail(d, from, r, pv, now)
			if err != nil {
				return 0, err
			}
			batch.Messages = append(batch.Messages, m.message(survey.MessageContactReminder))
		}
		return s.queueOnce(ctx, ms, d, batch)
	case survey.StateClosed:
		// Closed by its date (closing by hand queues the mail itself, and
		// MailScheduleCandidates leaves such diagnostics out).
		if d.ClosesAt == nil || len(settings.Directors) == 0 || now.Sub(*d.ClosesAt) > closedMailWindow {
			return 0, nil
		}
		key := "directors:closes@" + d.ClosesAt.UTC().Format(time.RFC3339)
		if events[key] {
			return 0, nil
		}
		batch, _, blocked, err := s.directorBatch(ctx, d, settings, nil, settings.AttachPDF, s.texts.For("nl"))
		if err != nil {
			return 0, err
		}
		batch.Event = key
		if blocked != "" {
			// Recorded without a mail: the results cannot be shown.
			s.logger.Info("directors' mail not sent: results not shown", "diagnostic", d.ID)
		}
		return s.queueOnce(ctx, ms, d, batch)
	}
	return 0, nil
}

func (s *Server) queueOnce(ctx context.Context, ms DiagnosticMailStore, d *survey.Diagnostic, batch survey.DiagnosticMail) (int, error) {
	ok, err := ms.QueueDiagnosticMail(ctx, d.Organisation.FirmID, d.ID, batch)
	if err != nil || !ok || batch.Empty() {
		return 0, err
	}
	s.queued()
	return 1, nil
}
