//! Subscriptions of applications to API versions.

use super::applications::Owned;
use super::{ServiceError, Services, catalogue, certificates};
use crate::domain::application::Subscription;
use crate::domain::catalogue::Environment;
use crate::domain::user::User;
use crate::storage::{self, subscriptions};

/// Subscribes one of the developer's applications to an API version.
#[tracing::instrument(name = "subscriptions.subscribe", skip_all, fields(application_id = %app.id, api = api_slug))]
pub async fn subscribe(svc: &Services, app: &Owned, api_slug: &str) -> Result<Subscription, ServiceError> {
    let dev = app.owner();
    let api = match catalogue::get(svc, api_slug).await {
        Ok(api) => api,
        Err(ServiceError::NotFound) => {
            return Err(ServiceError::invalid(
                "api_id",
                format!("There is no API {api_slug:?}."),
            ));
        }
        Err(e) => return Err(e),
    };
    if !api.is_subscribable() {
        return Err(ServiceError::conflict(
            "api_not_available",
            format!("{} is coming soon and cannot be subscribed to yet.", api.name),
        ));
    }
    if api.environment == Environment::Production {
        let Some(cert) = certificates::active(svc, app).await? else {
            return Err(ServiceError::conflict(
                "certificate_required",
                format!(
                    "Production APIs need the application's eIDAS certificate (QWAC) registered first: register it on \
                     the Production tab of {}, then subscribe to {} {} (Production).",
                    app.name, api.name, api.version
                ),
            ));
        };
        if cert.qwac.not_after < svc.now() {
            return Err(ServiceError::conflict(
                "certificate_expired",
                "The application's registered certificate has expired. Register the current QWAC first.",
            ));
        }
        let needed = match api.family.as_str() {
            "accounts" => "PSP_AI",
            "payments" => "PSP_PI",
            _ => "PSP_IC",
        };
        if !cert.qwac.has_role(needed) {
            return Err(ServiceError::conflict(
                "missing_role",
                format!(
                    "The registered certificate ({}) does not carry the role {needed}, which {} {} (Production) needs.",
                    cert.qwac.organization_id, api.name, api.version
                ),
            ));
        }
    }
    let id = Services::new_id();
    {
        let mut conn = svc.db.conn().await?;
        match subscriptions::insert(conn.exec(), &id, &app.id, api.id, svc.now()).await {
            Ok(()) => {}
            Err(storage::Error::Duplicate { .. }) => {
                return Err(ServiceError::conflict(
                    "already_subscribed",
                    format!(
                        "{} is already subscribed to {} {} ({}).",
                        app.name, api.name, api.version, api.environment
                    ),
                ));
            }
            Err(e) => return Err(e.into()),
        }
        super::access::announce(conn.exec(), super::access::Change::Application(&app.id)).await?;
    }
    svc.access.evict_application(&app.id);
    tracing::info!(user_id = dev.id, application_id = %app.id, api = %api.slug, "subscribed");
    get(svc, dev, &id).await
}

pub async fn get(svc: &Services, dev: &User, id: &str) -> Result<Subscription, ServiceError> {
    let mut conn = svc.db.conn().await?;
    subscriptions::find(conn.exec(), dev.id, id)
        .await?
        .ok_or(ServiceError::NotFound)
}

pub async fn for_developer(svc: &Services, dev: &User) -> Result<Vec<Subscription>, ServiceError> {
    let mut conn = svc.db.conn().await?;
    Ok(subscriptions::for_developer(conn.exec(), dev.id).await?)
}

pub async fn for_application(svc: &Services, app: &Owned) -> Result<Vec<Subscription>, ServiceError> {
    let mut conn = svc.db.conn().await?;
    Ok(subscriptions::for_application(conn.exec(), app.owner().id, &app.id).await?)
}

/// A subscription of this application: one of another application (even the
/// same developer's) is "not found", so a URL cannot mix them up.
pub async fn get_of(svc: &Services, app: &Owned, id: &str) -> Result<Subscription, ServiceError> {
    let sub = get(svc, app.owner(), id).await?;
    if sub.application_id != app.id {
        return Err(ServiceError::NotFound);
    }
    Ok(sub)
}

/// Ends a subscription of this application (see [`unsubscribe`]).
pub async fn unsubscribe_of(svc: &Services, app: &Owned, id: &str) -> Result<Subscription, ServiceError> {
    let sub = get_of(svc, app, id).await?;
    remove(svc, app.owner(), sub).await
}

/// Ends a subscription. Access tokens are bound to the application, not the
/// subscription: they keep working for its other APIs, and a call to this one
/// is refused from now on (on this instance at once).
pub async fn unsubscribe(svc: &Services, dev: &User, id: &str) -> Result<Subscription, ServiceError> {
    let sub = get(svc, dev, id).await?;
    remove(svc, dev, sub).await
}

async fn remove(svc: &Services, dev: &User, sub: Subscription) -> Result<Subscription, ServiceError> {
    let id = sub.id.as_str();
    if sub.is_blocked() {
        // Removing it would also remove the block: a new subscription would start clean.
        return Err(ServiceError::conflict(
            "subscription_blocked",
            "The bank has blocked this subscription, so it cannot be removed. Write to the bank through Contact us.",
        ));
    }
    let mut tx = svc.db.begin().await?;
    if !subscriptions::delete(tx.exec(), dev.id, id).await? {
        return Err(ServiceError::NotFound);
    }
    super::access::announce(tx.exec(), super::access::Change::Application(&sub.application_id)).await?;
    tx.commit().await?;
    svc.access.evict_application(&sub.application_id);
    tracing::info!(user_id = dev.id, subscription_id = %id, "unsubscribed");
    Ok(sub)
}
