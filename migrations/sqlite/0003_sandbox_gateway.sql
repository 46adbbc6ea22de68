-- The sandbox gateway: OAuth access tokens (hashed), payments and signing
-- baskets that TPPs create in the sandbox, and calls per application and hour.

CREATE TABLE oauth_tokens (
    token_hash     TEXT   PRIMARY KEY,
    application_id TEXT   NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    environment    TEXT   NOT NULL CHECK (environment IN ('sandbox', 'production')),
    ssn            TEXT   NOT NULL,
    created_at     BIGINT NOT NULL,
    expires_at     BIGINT NOT NULL
);
CREATE INDEX oauth_tokens_by_application ON oauth_tokens (application_id);

CREATE TABLE sandbox_payments (
    id               TEXT    PRIMARY KEY,
    application_id   TEXT    NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    ssn              TEXT    NOT NULL,
    service          TEXT    NOT NULL CHECK (service IN ('payments', 'periodic-payments')),
    product          TEXT    NOT NULL,
    status           TEXT    NOT NULL,
    debtor_account   TEXT    NOT NULL,
    creditor_account TEXT,
    internal         BOOLEAN NOT NULL,
    amount           BIGINT  NOT NULL,
    currency         TEXT    NOT NULL,
    request          TEXT    NOT NULL,
    created_at       BIGINT  NOT NULL,
    updated_at       BIGINT  NOT NULL
);
CREATE INDEX sandbox_payments_by_owner ON sandbox_payments (application_id, ssn);

CREATE TABLE sandbox_baskets (
    id             TEXT   PRIMARY KEY,
    application_id TEXT   NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    ssn            TEXT   NOT NULL,
    payment_ids    TEXT   NOT NULL,
    status         TEXT   NOT NULL,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);

CREATE TABLE api_usage (
    application_id TEXT   NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    hour           BIGINT NOT NULL,
    calls          BIGINT NOT NULL,
    throttled      BIGINT NOT NULL,
    PRIMARY KEY (application_id, hour)
);
