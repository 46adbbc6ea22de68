-- A mail the mail server refuses for good (a 5xx answer, several times) is
-- given up: it stops being retried and admins see it.
ALTER TABLE outbox ADD COLUMN failed_at BIGINT;
