-- Proof of possession: a QWAC is public, so an upload alone proves nothing.
-- A registration is confirmed once the developer signs the portal's
-- challenge with the certificate's private key; until then it blocks nobody.
ALTER TABLE certificates ADD COLUMN challenge TEXT NOT NULL DEFAULT '';
ALTER TABLE certificates ADD COLUMN confirmed_at BIGINT;
