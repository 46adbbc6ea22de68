-- The API catalogue, applications, subscriptions, client keys and personal
-- access tokens. Deleting an application deletes what hangs on it (ON DELETE
-- CASCADE), in the same statement.

CREATE TABLE apis (
    id            INTEGER PRIMARY KEY,
    slug          TEXT   NOT NULL UNIQUE,
    family        TEXT   NOT NULL,
    name          TEXT   NOT NULL,
    version       TEXT   NOT NULL,
    environment   TEXT   NOT NULL CHECK (environment IN ('sandbox', 'production')),
    base_path     TEXT   NOT NULL,
    summary       TEXT   NOT NULL,
    tags          TEXT   NOT NULL,
    documentation TEXT   NOT NULL,
    status        TEXT   NOT NULL CHECK (status IN ('live', 'coming_soon')),
    updated_at    BIGINT NOT NULL
);

CREATE TABLE applications (
    id           TEXT   PRIMARY KEY,
    developer_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT   NOT NULL,
    name_key     TEXT   NOT NULL,
    description  TEXT   NOT NULL,
    callback_url TEXT,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    UNIQUE (developer_id, name_key)
);

CREATE TABLE subscriptions (
    id             TEXT   PRIMARY KEY,
    application_id TEXT   NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    api_id         BIGINT NOT NULL REFERENCES apis (id),
    status         TEXT   NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'blocked')),
    created_at     BIGINT NOT NULL,
    UNIQUE (application_id, api_id)
);

CREATE TABLE client_keys (
    application_id    TEXT   NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    environment       TEXT   NOT NULL CHECK (environment IN ('sandbox', 'production')),
    client_id         TEXT   NOT NULL UNIQUE,
    secret_hash       TEXT   NOT NULL,
    created_at        BIGINT NOT NULL,
    secret_changed_at BIGINT NOT NULL,
    PRIMARY KEY (application_id, environment)
);

CREATE TABLE personal_access_tokens (
    id           TEXT   PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT   NOT NULL,
    token_hash   TEXT   NOT NULL UNIQUE,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT
);
CREATE INDEX personal_access_tokens_by_user ON personal_access_tokens (user_id);
