-- eIDAS QWACs registered for production. One active certificate per
-- application; replaced and deleted ones stay as history. Deleting the
-- application deletes them.

CREATE TABLE certificates (
    id                TEXT    PRIMARY KEY,
    application_id    TEXT    NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    developer_id      BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    fingerprint       TEXT    NOT NULL,
    organization_id   TEXT    NOT NULL,
    organization_name TEXT    NOT NULL,
    country           TEXT    NOT NULL,
    nca_name          TEXT    NOT NULL,
    nca_id            TEXT    NOT NULL,
    roles             TEXT    NOT NULL,
    serial            TEXT    NOT NULL,
    issuer            TEXT    NOT NULL,
    subject           TEXT    NOT NULL,
    not_before        BIGINT  NOT NULL,
    not_after         BIGINT  NOT NULL,
    der               BLOB    NOT NULL,
    active            BOOLEAN NOT NULL,
    registered_at     BIGINT  NOT NULL,
    ended_at          BIGINT
);
CREATE UNIQUE INDEX certificates_one_active ON certificates (application_id) WHERE active;
CREATE INDEX certificates_by_fingerprint ON certificates (fingerprint);
