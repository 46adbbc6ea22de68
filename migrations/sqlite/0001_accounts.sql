-- Accounts, single-use e-mail tokens, the mail outbox, throttling windows and
-- sessions. Times are unix seconds (UTC) in BIGINT, the same on both backends.

CREATE TABLE users (
    id                INTEGER PRIMARY KEY,
    email             TEXT    NOT NULL UNIQUE,
    password_hash     TEXT    NOT NULL,
    first_name        TEXT    NOT NULL,
    last_name         TEXT    NOT NULL,
    organization      TEXT    NOT NULL,
    country           TEXT    NOT NULL,
    phone             TEXT,
    role              TEXT    NOT NULL DEFAULT 'developer' CHECK (role IN ('developer', 'admin')),
    privacy_version   TEXT    NOT NULL,
    terms_version     TEXT    NOT NULL,
    legal_accepted_at BIGINT  NOT NULL,
    email_verified_at BIGINT,
    session_epoch     BIGINT  NOT NULL DEFAULT 0,
    disabled_at       BIGINT,
    created_at        BIGINT  NOT NULL
);

CREATE TABLE email_tokens (
    id         INTEGER PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    TEXT   NOT NULL CHECK (purpose IN ('verify_email', 'reset_password')),
    token_hash TEXT   NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);
CREATE INDEX email_tokens_by_user ON email_tokens (user_id, purpose);

CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    recipient       TEXT   NOT NULL,
    subject         TEXT   NOT NULL,
    body_text       TEXT   NOT NULL,
    body_html       TEXT   NOT NULL,
    created_at      BIGINT NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    locked_until    BIGINT,
    sent_at         BIGINT,
    delivered_via   TEXT,
    last_error      TEXT
);
CREATE INDEX outbox_due ON outbox (sent_at, next_attempt_at);

CREATE TABLE throttle (
    bucket       TEXT   NOT NULL,
    window_start BIGINT NOT NULL,
    hits         BIGINT NOT NULL,
    PRIMARY KEY (bucket, window_start)
);

-- The layout tower-sessions-sqlx-store expects (its own migrate() is not used).
CREATE TABLE tower_sessions (
    id          TEXT PRIMARY KEY NOT NULL,
    data        BLOB NOT NULL,
    expiry_date INTEGER NOT NULL
);
