//! Bank admins' view of developer accounts: search, one developer's
//! applications and what hangs on them, disable and enable, block a
//! subscription.

use super::{ServiceError, Services, audit, must_be_admin, outbox};
use crate::domain::application::{Application, Keys, Subscription};
use crate::domain::audit::{Actor, Entry, Event, Target};
use crate::domain::catalogue::Environment;
use crate::domain::qwac::Registered;
use crate::domain::user::{Role, User};
use crate::mail::templates;
use crate::storage::certificates;
use crate::storage::{access_tokens, applications, keys, subscriptions, users};

pub async fn search(svc: &Services, admin: &User, q: &str) -> Result<Vec<User>, ServiceError> {
    must_be_admin(admin)?;
    let mut conn = svc.db.conn().await?;
    Ok(users::search_developers(conn.exec(), q.trim()).await?)
}

/// One application as an admin sees it: never a secret.
pub struct AppOverview {
    pub application: Application,
    pub subscriptions: Vec<Subscription>,
    pub keys: Vec<Keys>,
    pub certificates: Vec<Registered>,
}

pub async fn detail(svc: &Services, admin: &User, id: i64) -> Result<(User, Vec<AppOverview>), ServiceError> {
    must_be_admin(admin)?;
    let mut conn = svc.db.conn().await?;
    let dev = users::find(conn.exec(), id)
        .await?
        .filter(|u| u.role == Role::Developer)
        .ok_or(ServiceError::NotFound)?;
    let mut apps = Vec::new();
    for application in applications::list(conn.exec(), dev.id).await? {
        let subscriptions = subscriptions::for_application(conn.exec(), dev.id, &application.id).await?;
        let mut keys = Vec::new();
        for env in [Environment::Sandbox, Environment::Production] {
            keys.extend(keys::find(conn.exec(), &application.id, env).await?);
        }
        let certificates = certificates::for_application(conn.exec(), &application.id).await?;
        apps.push(AppOverview {
            application,
            subscriptions,
            keys,
            certificates,
        });
    }
    Ok((dev, apps))
}

/// Disables an account: its sessions, personal access tokens and sandbox
/// access tokens stop working at once (on this instance; others within the
/// access cache's lifetime), and sign-in is refused.
pub async fn disable(svc: &Services, admin: &User, client_address: &str, id: i64) -> Result<User, ServiceError> {
    let (dev, apps) = detail(svc, admin, id).await?;
    let mut tx = svc.db.begin().await?;
    if !users::set_disabled(tx.exec(), dev.id, Some(svc.now())).await? {
        return Err(ServiceError::NotFound);
    }
    access_tokens::delete_for_developer(tx.exec(), dev.id).await?;
    let entry = Entry::new(
        Event::AccountDisabled,
        &Actor::of(admin, client_address),
        Target::user(dev.id),
        &dev.email,
    );
    audit::append(svc, tx.exec(), &entry).await?;
    for a in &apps {
        super::access::announce(tx.exec(), super::access::Change::Application(&a.application.id)).await?;
    }
    tx.commit().await?;
    for a in &apps {
        svc.access.evict_application(&a.application.id);
    }
    tracing::info!(admin_id = admin.id, user_id = dev.id, "account disabled");
    Ok(dev)
}

pub async fn enable(svc: &Services, admin: &User, client_address: &str, id: i64) -> Result<User, ServiceError> {
    let (dev, _) = detail(svc, admin, id).await?;
    let mut tx = svc.db.begin().await?;
    users::set_disabled(tx.exec(), dev.id, None).await?;
    let entry = Entry::new(
        Event::AccountEnabled,
        &Actor::of(admin, client_address),
        Target::user(dev.id),
        &dev.email,
    );
    audit::append(svc, tx.exec(), &entry).await?;
    tx.commit().await?;
    tracing::info!(admin_id = admin.id, user_id = dev.id, "account enabled");
    Ok(dev)
}

/// Blocks (or unblocks) one subscription of the developer's: calls to its API
/// are refused with `SUBSCRIPTION_BLOCKED` (on this instance at once, others
/// within the access cache's lifetime); the developer is told by e-mail.
pub async fn set_subscription_blocked(
    svc: &Services,
    admin: &User,
    client_address: &str,
    developer_id: i64,
    subscription_id: &str,
    blocked: bool,
) -> Result<Subscription, ServiceError> {
    let (dev, apps) = detail(svc, admin, developer_id).await?;
    let sub = apps
        .into_iter()
        .flat_map(|a| a.subscriptions)
        .find(|s| s.id == subscription_id)
        .ok_or(ServiceError::NotFound)?;
    let api = format!("{} {} ({})", sub.api_name, sub.api_version, sub.environment.label());
    let now = svc.now();
    let mut tx = svc.db.begin().await?;
    if !subscriptions::set_blocked(tx.exec(), &sub.id, blocked).await? {
        let state = if blocked { "blocked" } else { "active" };
        return Err(ServiceError::conflict(
            "unchanged",
            format!("This subscription is {state} already."),
        ));
    }
    let mail = templates::subscription_blocked(&svc.brand, &dev, &sub.application_name, &api, blocked)
        .map_err(|e| ServiceError::Internal(e.into()))?;
    outbox::enqueue(svc, tx.exec(), &mail, now).await?;
    let event = if blocked {
        Event::SubscriptionBlocked
    } else {
        Event::SubscriptionUnblocked
    };
    let detail = format!("{} · {} · {}", dev.email, sub.application_name, api);
    let entry = Entry::new(
        event,
        &Actor::of(admin, client_address),
        Target::subscription(&sub.id),
        detail,
    );
    audit::append(svc, tx.exec(), &entry).await?;
    super::access::announce(tx.exec(), super::access::Change::Application(&sub.application_id)).await?;
    tx.commit().await?;
    svc.mail.wake();
    svc.access.evict_application(&sub.application_id);
    tracing::info!(admin_id = admin.id, subscription_id = %sub.id, blocked, "subscription status changed");
    Ok(sub)
}
