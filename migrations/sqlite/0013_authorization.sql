-- The customer's side of production access: redirect URIs registered on
-- the application, authorization requests (redirect and decoupled) with the
-- BankID order that identifies the customer, refresh tokens in families,
-- and what a consent has been used for.

-- One URI per line; the callback URL was the first of them.
ALTER TABLE applications ADD COLUMN redirect_uris TEXT NOT NULL DEFAULT '';
UPDATE applications SET redirect_uris = COALESCE(callback_url, '');

-- An authorization request from PAR or /authorize (flow 'redirect') or
-- from /oauth2/bankid/authorize (flow 'decoupled'), through the customer's
-- BankID and consent to the code or the tokens. `id` is a random handle:
-- the customer's page and the CIBA auth_req_id. The QR secret of the BankID
-- order stays here, at the bank.
CREATE TABLE authorizations (
    id               TEXT    PRIMARY KEY,
    application_id   TEXT    NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    environment      TEXT    NOT NULL CHECK (environment IN ('sandbox', 'production')),
    client_id        TEXT    NOT NULL,
    flow             TEXT    NOT NULL CHECK (flow IN ('redirect', 'decoupled')),
    scope            TEXT    NOT NULL,
    redirect_uri     TEXT,
    state            TEXT,
    code_challenge   TEXT,
    request_uri      TEXT    UNIQUE,
    login_hint       TEXT,
    status           TEXT    NOT NULL,
    error            TEXT,
    ssn              TEXT,
    order_ref        TEXT,
    auto_start_token TEXT,
    qr_start_token   TEXT,
    qr_start_secret  TEXT,
    order_started_at BIGINT,
    code_hash        TEXT    UNIQUE,
    code_expires_at  BIGINT,
    polled_at        BIGINT,
    created_at       BIGINT  NOT NULL,
    expires_at       BIGINT  NOT NULL
);
CREATE INDEX authorizations_by_application ON authorizations (application_id);

-- The simulated BankID's own orders (what the BankID servers keep): the
-- simulator page plays the customer's phone against them.
CREATE TABLE bankid_orders (
    order_ref         TEXT   PRIMARY KEY,
    auto_start_token  TEXT   NOT NULL UNIQUE,
    qr_start_token    TEXT   NOT NULL UNIQUE,
    qr_start_secret   TEXT   NOT NULL,
    required_pnr      TEXT,
    user_visible_data TEXT   NOT NULL,
    progress          TEXT   NOT NULL,
    personal_number   TEXT,
    started_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);

-- Refresh tokens, by hash. `family` is the authorization that issued the
-- first of them: a reused one (or a replayed code) ends the whole family.
CREATE TABLE refresh_tokens (
    token_hash     TEXT   PRIMARY KEY,
    family         TEXT   NOT NULL,
    application_id TEXT   NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    environment    TEXT   NOT NULL,
    ssn            TEXT   NOT NULL,
    scope          TEXT   NOT NULL,
    cnf_x5t_s256   TEXT,
    created_at     BIGINT NOT NULL,
    expires_at     BIGINT NOT NULL,
    used_at        BIGINT
);
CREATE INDEX refresh_tokens_by_family ON refresh_tokens (family);

-- The authorization an access token came from (NULL: client credentials).
ALTER TABLE oauth_tokens ADD COLUMN family TEXT;
CREATE INDEX oauth_tokens_by_family ON oauth_tokens (family);

-- The accounts the customer picked (JSON list; NULL: as the access names
-- them), and when a token last read with the consent.
ALTER TABLE consents ADD COLUMN chosen_accounts TEXT;
ALTER TABLE consents ADD COLUMN last_used_at BIGINT;
CREATE INDEX consents_by_customer ON consents (ssn);
