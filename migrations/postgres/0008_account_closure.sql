-- Closing an account: its audit rows stay (with the account id) but its
-- name and e-mail address are replaced by a pseudonym. The log stays
-- append-only otherwise: an UPDATE may only write the pseudonym
-- `closed-account-<id>` into actor_email, target_id or detail.
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND NEW.id = OLD.id AND NEW.at = OLD.at AND NEW.event = OLD.event
       AND NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id
       AND NEW.client_addr = OLD.client_addr AND NEW.target_kind = OLD.target_kind
       AND (NEW.actor_email = OLD.actor_email OR NEW.actor_email LIKE 'closed-account-%')
       AND (NEW.target_id = OLD.target_id OR NEW.target_id LIKE 'closed-account-%')
       AND (NEW.detail = OLD.detail OR NEW.detail LIKE 'closed-account-%') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$;

-- "Close my account" is a category of request.
ALTER TABLE contact_requests DROP CONSTRAINT contact_requests_category_check;
ALTER TABLE contact_requests ADD CONSTRAINT contact_requests_category_check
    CHECK (category IN ('profile', 'certificate', 'close_account', 'other'));
