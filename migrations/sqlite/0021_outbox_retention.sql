-- Outbox retention: a message in a final state (sent, failed, not_sent)
-- is deleted once it is older than the mail retention period
-- (--mail-retention-days). finished_at is when it reached that state; a
-- resend clears it. Messages finished before this migration count from
-- their sending or their last attempt.
ALTER TABLE outgoing_messages ADD COLUMN finished_at TIMESTAMP;

UPDATE outgoing_messages SET finished_at = COALESCE(sent_at, next_attempt_at)
WHERE state IN ('sent', 'failed', 'not_sent');

CREATE INDEX outgoing_messages_finished_at ON outgoing_messages (finished_at);
