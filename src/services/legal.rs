//! The legal texts a developer approves: which of today's versions an
//! account has not approved yet, and recording an approval.

use super::{ServiceError, Services, audit};
use crate::domain::audit::{Actor, Entry, Event, Target};
use crate::domain::user::{Role, User};
use crate::storage::users;

/// The documents whose current version the account has not approved:
/// ("privacy", version) and ("terms", version). Admins are the bank's staff
/// and approve nothing here.
pub fn pending(svc: &Services, user: &User) -> Vec<(&'static str, String)> {
    if user.role == Role::Admin {
        return Vec::new();
    }
    let mut out = Vec::new();
    if user.privacy_version != svc.brand.privacy.version {
        out.push(("privacy", svc.brand.privacy.version.clone()));
    }
    if user.terms_version != svc.brand.terms.version {
        out.push(("terms", svc.brand.terms.version.clone()));
    }
    out
}

/// Records that the account approved today's versions (and the audit entry
/// saying which), in one transaction.
pub async fn approve(svc: &Services, user: &User, client_address: &str) -> Result<(), ServiceError> {
    let (privacy, terms) = (&svc.brand.privacy.version, &svc.brand.terms.version);
    let mut tx = svc.db.begin().await?;
    users::approve_legal(tx.exec(), user.id, privacy, terms, svc.now()).await?;
    let entry = Entry::new(
        Event::LegalApproved,
        &Actor::of(user, client_address),
        Target::user(user.id),
        format!(
            "privacy policy {privacy} (was {}), terms of use {terms} (was {})",
            user.privacy_version, user.terms_version
        ),
    );
    audit::append(svc, tx.exec(), &entry).await?;
    tx.commit().await?;
    Ok(())
}
