-- Messages from developers to the bank ("contact us"), handled by admins, and
-- new e-mail addresses waiting for their owner to verify them.

CREATE TABLE contact_requests (
    id         TEXT   PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    category   TEXT   NOT NULL CHECK (category IN ('profile', 'certificate', 'other')),
    message    TEXT   NOT NULL,
    requested  TEXT   NOT NULL,
    status     TEXT   NOT NULL CHECK (status IN ('open', 'in_progress', 'done', 'rejected')),
    reason     TEXT,
    handled_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX contact_requests_by_status ON contact_requests (status, created_at);
CREATE INDEX contact_requests_by_user ON contact_requests (user_id);

CREATE TABLE email_changes (
    token_hash TEXT   PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    new_email  TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);
