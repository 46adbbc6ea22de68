//! Closing a developer's account, as a bank admin applies a "Close my
//! account" request: in one transaction the account and everything that
//! hangs on it go (applications, subscriptions, keys, access tokens,
//! sandbox data, certificates, personal access tokens, e-mail tokens,
//! requests), the developer gets a last mail, and the audit log keeps its
//! rows with the account id but a pseudonym instead of the e-mail address.

use super::{ServiceError, Services, audit, outbox};
use crate::domain::audit::{Actor, Entry, Event, Target};
use crate::domain::contact::Status;
use crate::domain::user::User;
use crate::mail::templates;
use crate::storage::{applications, contact_requests, users};

/// What the audit log says instead of a closed account's name and address.
pub fn pseudonym(user_id: i64) -> String {
    format!("closed-account-{user_id}")
}

pub async fn close(
    svc: &Services,
    admin: &User,
    client_address: &str,
    request_id: &str,
    dev: &User,
) -> Result<(), ServiceError> {
    let apps = {
        let mut conn = svc.db.conn().await?;
        applications::list(conn.exec(), dev.id).await?
    };
    let pseudonym = pseudonym(dev.id);
    let now = svc.now();
    let mut tx = svc.db.begin().await?;
    let mut ex = tx.exec();
    if !contact_requests::set_status(ex.reborrow(), request_id, Status::Done.as_str(), None, admin.id, now).await? {
        return Err(ServiceError::conflict(
            "request_closed",
            "This request is already done or rejected.",
        ));
    }
    let mail = templates::account_closed(&svc.brand, dev).map_err(|e| ServiceError::Internal(e.into()))?;
    outbox::enqueue(svc, ex.reborrow(), &mail, now).await?;
    audit::pseudonymise(ex.reborrow(), dev, &pseudonym).await?;
    let entry = Entry::new(
        Event::AccountClosed,
        &Actor::of(admin, client_address),
        Target::user(dev.id),
        &pseudonym,
    );
    audit::append(svc, ex.reborrow(), &entry).await?;
    for a in &apps {
        super::access::announce(ex.reborrow(), super::access::Change::Application(&a.id)).await?;
    }
    if !users::delete_developer(ex, dev.id).await? {
        return Err(ServiceError::NotFound);
    }
    tx.commit().await?;
    for a in &apps {
        svc.access.evict_application(&a.id);
        svc.sandbox_state.evict_application(&a.id);
    }
    svc.mail.wake();
    tracing::info!(admin_id = admin.id, user_id = dev.id, "account closed");
    Ok(())
}
