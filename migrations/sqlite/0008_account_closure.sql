-- Closing an account: its audit rows stay (with the account id) but its
-- name and e-mail address are replaced by a pseudonym. The log stays
-- append-only otherwise: an UPDATE may only write the pseudonym
-- `closed-account-<id>` into actor_email, target_id or detail.
DROP TRIGGER audit_log_no_update;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
WHEN NOT (
    new.id = old.id AND new.at = old.at AND new.event = old.event AND new.actor_id IS old.actor_id
    AND new.client_addr = old.client_addr AND new.target_kind = old.target_kind
    AND (new.actor_email = old.actor_email OR new.actor_email LIKE 'closed-account-%')
    AND (new.target_id = old.target_id OR new.target_id LIKE 'closed-account-%')
    AND (new.detail = old.detail OR new.detail LIKE 'closed-account-%')
)
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

-- "Close my account" is a category of request. SQLite cannot change a CHECK
-- constraint in place: the table is rebuilt (nothing refers to it).
CREATE TABLE contact_requests_new (
    id         TEXT   PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    category   TEXT   NOT NULL CHECK (category IN ('profile', 'certificate', 'close_account', 'other')),
    message    TEXT   NOT NULL,
    requested  TEXT   NOT NULL,
    status     TEXT   NOT NULL CHECK (status IN ('open', 'in_progress', 'done', 'rejected')),
    reason     TEXT,
    handled_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
INSERT INTO contact_requests_new SELECT id, user_id, category, message, requested, status, reason, handled_by,
    created_at, updated_at FROM contact_requests;
DROP TABLE contact_requests;
ALTER TABLE contact_requests_new RENAME TO contact_requests;
CREATE INDEX contact_requests_by_status ON contact_requests (status, created_at);
CREATE INDEX contact_requests_by_user ON contact_requests (user_id);
