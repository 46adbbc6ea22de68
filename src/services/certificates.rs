//! Production onboarding: registering an application's eIDAS QWAC. Nothing
//! is stored unless the certificate is accepted; a refusal says why.

use super::applications::Owned;
use super::{ServiceError, Services, audit};
use crate::domain::audit::{Actor, Entry, Event, Target};
use crate::domain::catalogue::Environment;
use crate::domain::qwac;
use crate::domain::qwac::{Registered, possession};
use crate::domain::secret::SecretToken;
use crate::storage::{access_tokens, certificates};

/// The largest upload taken.
pub const MAX_BYTES: usize = 64 * 1024;

pub struct Registration {
    pub certificate: Registered,
    /// Certificates after the leaf in an uploaded chain, not used.
    pub ignored_in_chain: usize,
    pub replaced: bool,
}

pub async fn register(
    svc: &Services,
    app: &Owned,
    client_address: &str,
    upload: &[u8],
) -> Result<Registration, ServiceError> {
    let dev = app.owner();
    if upload.len() > MAX_BYTES {
        return Err(ServiceError::refused(
            "too_large",
            "The file is larger than 64 KiB; a certificate is a few KiB.",
        ));
    }
    if upload.iter().all(u8::is_ascii_whitespace) {
        return Err(ServiceError::refused(
            "empty",
            "Choose a certificate file or paste the PEM.",
        ));
    }
    let cert = qwac::from_pem_or_der(upload, svc.now()).map_err(|r| ServiceError::refused(r.code, r.message))?;
    if svc.test_ca.issued(&cert.der) {
        return Err(ServiceError::refused(
            "test_certificate",
            "This is a test certificate from the portal's test QTSP: it works in the sandbox only. \
             For production, register the QWAC a qualified trust service provider issued to your organization.",
        ));
    }
    let now = svc.now();
    let id = Services::new_id();
    let mut tx = svc.db.begin().await?;
    if certificates::held_by_another(tx.exec(), &cert.fingerprint, dev.id).await? {
        return Err(in_use());
    }
    let replaced = certificates::end_active(tx.exec(), &app.id, now).await?;
    let challenge = possession::challenge(&app.id, SecretToken::generate().expose());
    certificates::insert(tx.exec(), &id, &app.id, dev.id, &cert, now, &challenge).await?;
    let detail = format!(
        "{} · organization {} · SHA-256 {}{}",
        app.name,
        cert.organization_id,
        cert.fingerprint,
        if replaced { " · replaced the previous one" } else { "" }
    );
    let entry = Entry::new(
        Event::CertificateRegistered,
        &Actor::of(dev, client_address),
        Target::application(&app.id),
        detail,
    );
    audit::append(svc, tx.exec(), &entry).await?;
    // Production tokens are bound to the certificate they were issued for:
    // a new registration ends them (the client asks again with the new one).
    access_tokens::delete_for(tx.exec(), &app.id, Environment::Production).await?;
    super::access::announce(tx.exec(), super::access::Change::Application(&app.id)).await?;
    tx.commit().await?;
    svc.access.evict_application(&app.id);
    tracing::info!(user_id = dev.id, application_id = %app.id, organization_id = %cert.organization_id, replaced, "certificate registered");
    let certificate = active(svc, app).await?.ok_or(ServiceError::NotFound)?;
    Ok(Registration {
        certificate,
        ignored_in_chain: cert.ignored_in_chain,
        replaced,
    })
}

/// Confirms the active certificate with the developer's signature over its
/// challenge, made with the certificate's private key. Only then does the
/// registration keep other developers from registering the certificate.
pub async fn confirm(
    svc: &Services,
    app: &Owned,
    client_address: &str,
    signature: &str,
) -> Result<Registered, ServiceError> {
    let dev = app.owner();
    let Some(cert) = active(svc, app).await? else {
        return Err(ServiceError::conflict(
            "no_certificate",
            "Register the certificate first, then sign its challenge.",
        ));
    };
    if cert.confirmed_at.is_some() {
        return Err(ServiceError::conflict(
            "already_confirmed",
            "This certificate is confirmed already.",
        ));
    }
    match possession::verify(&cert.qwac.der, &cert.challenge, signature) {
        Ok(true) => {}
        Ok(false) => {
            return Err(ServiceError::refused(
                "signature_invalid",
                "The signature does not match: sign exactly the challenge shown, with the private key of this \
                 certificate.",
            ));
        }
        Err(why) => return Err(ServiceError::refused("signature_unreadable", why)),
    }
    let mut tx = svc.db.begin().await?;
    if certificates::held_by_another(tx.exec(), &cert.qwac.fingerprint, dev.id).await? {
        return Err(in_use());
    }
    if !certificates::confirm(tx.exec(), &cert.id, svc.now()).await? {
        return Err(ServiceError::conflict(
            "already_confirmed",
            "This certificate is confirmed already, or was replaced meanwhile.",
        ));
    }
    let entry = Entry::new(
        Event::CertificateConfirmed,
        &Actor::of(dev, client_address),
        Target::application(&app.id),
        format!(
            "organization {} · SHA-256 {}",
            cert.qwac.organization_id, cert.qwac.fingerprint
        ),
    );
    audit::append(svc, tx.exec(), &entry).await?;
    tx.commit().await?;
    tracing::info!(user_id = dev.id, application_id = %app.id, "certificate confirmed");
    active(svc, app).await?.ok_or(ServiceError::NotFound)
}

fn in_use() -> ServiceError {
    ServiceError::conflict(
        "certificate_in_use",
        "This certificate is already registered under another developer account. If your organization uses it, \
         register it from that account or contact the bank.",
    )
}

/// The application's certificates: the active one first, then the history.
pub async fn history(svc: &Services, app: &Owned) -> Result<Vec<Registered>, ServiceError> {
    let mut conn = svc.db.conn().await?;
    Ok(certificates::for_application(conn.exec(), &app.id).await?)
}

/// The active certificate of an application.
pub async fn active(svc: &Services, app: &Owned) -> Result<Option<Registered>, ServiceError> {
    let mut conn = svc.db.conn().await?;
    Ok(certificates::active(conn.exec(), &app.id).await?)
}

/// Ends the active certificate; it stays in the history.
#[tracing::instrument(name = "certificates.delete", skip_all, fields(application_id = %app.id))]
pub async fn delete(svc: &Services, app: &Owned, client_address: &str) -> Result<(), ServiceError> {
    let dev = app.owner();
    let mut tx = svc.db.begin().await?;
    if !certificates::end_active(tx.exec(), &app.id, svc.now()).await? {
        return Err(ServiceError::NotFound);
    }
    let entry = Entry::new(
        Event::CertificateDeleted,
        &Actor::of(dev, client_address),
        Target::application(&app.id),
        &app.name,
    );
    audit::append(svc, tx.exec(), &entry).await?;
    access_tokens::delete_for(tx.exec(), &app.id, Environment::Production).await?;
    super::access::announce(tx.exec(), super::access::Change::Application(&app.id)).await?;
    tx.commit().await?;
    svc.access.evict_application(&app.id);
    tracing::info!(user_id = dev.id, application_id = %app.id, "certificate deleted");
    Ok(())
}
