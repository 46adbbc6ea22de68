-- Customers' consents to account information (Berlin Group), per
-- application and environment. `ssn` is the customer, once one has
-- authorised the consent; `access` is the checked request as JSON.

CREATE TABLE consents (
    id                TEXT    PRIMARY KEY,
    application_id    TEXT    NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    environment       TEXT    NOT NULL CHECK (environment IN ('sandbox', 'production')),
    status            TEXT    NOT NULL,
    access            TEXT    NOT NULL,
    recurring         BOOLEAN NOT NULL,
    valid_until       TEXT    NOT NULL,
    frequency_per_day BIGINT  NOT NULL,
    ssn               TEXT,
    created_at        BIGINT  NOT NULL,
    updated_at        BIGINT  NOT NULL
);
CREATE INDEX consents_by_application ON consents (application_id);
