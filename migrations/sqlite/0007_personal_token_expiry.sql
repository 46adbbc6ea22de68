-- Personal access tokens expire: chosen at creation (default 90 days, at
-- most a year). Tokens made before this get 90 days from their creation.
ALTER TABLE personal_access_tokens ADD COLUMN expires_at BIGINT NOT NULL DEFAULT 0;
UPDATE personal_access_tokens SET expires_at = created_at + 90 * 86400;
