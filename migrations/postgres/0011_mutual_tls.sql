-- The portal as a test QTSP: its CA (one row; the key sealed with
-- DEVPORTAL_SECRET_KEY, so every instance signs with the same CA), and the
-- test certificates it issued to applications. The certificates' private
-- keys are never stored: they are handed out once.

CREATE TABLE test_ca (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    der        BYTEA   NOT NULL,
    sealed_key TEXT    NOT NULL,
    created_at BIGINT  NOT NULL
);

CREATE TABLE test_certificates (
    id              TEXT    PRIMARY KEY,
    application_id  TEXT    NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    fingerprint     TEXT    NOT NULL UNIQUE,
    organization_id TEXT    NOT NULL,
    roles           TEXT    NOT NULL,
    serial          TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    not_before      BIGINT  NOT NULL,
    not_after       BIGINT  NOT NULL,
    der             BYTEA   NOT NULL,
    created_at      BIGINT  NOT NULL
);
CREATE INDEX test_certificates_by_application ON test_certificates (application_id);

-- Certificate-bound access tokens (RFC 8705 §3): the SHA-256 thumbprint
-- (x5t#S256) of the client certificate the token was issued to; a call
-- with the token must come with that certificate. NULL: a bearer token.
ALTER TABLE oauth_tokens ADD COLUMN cnf_x5t_s256 TEXT;
-- What a production token may be used for (`accounts`, `payments`, space
-- separated); NULL for sandbox tokens, whose scope names the customer.
ALTER TABLE oauth_tokens ADD COLUMN scope TEXT;
