//! An application's keys (client credentials: client id and secret) per
//! environment. The secret is shown once; only its SHA-256 hash is stored.

use rand::RngCore;

use super::applications::Owned;
use super::{ServiceError, Services, audit, certificates};
use crate::domain::application::Keys;
use crate::domain::audit::{Actor, Entry, Event, Target};
use crate::domain::catalogue::Environment;
use crate::domain::secret::SecretToken;
use crate::storage::{self, access_tokens, keys};

/// Freshly issued keys: the only time the secret exists in clear.
#[derive(Debug)]
pub struct IssuedKeys {
    pub client_id: String,
    pub client_secret: SecretToken,
}

/// A public client id: 128 random bits in hex.
fn new_client_id() -> String {
    let mut b = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

pub async fn find(svc: &Services, app: &Owned, env: Environment) -> Result<Option<Keys>, ServiceError> {
    let mut conn = svc.db.conn().await?;
    Ok(keys::find(conn.exec(), &app.id, env).await?)
}

/// The audit row of a change to an application's keys.
fn key_event(event: Event, app: &Owned, client_address: &str, env: Environment, client_id: &str) -> Entry {
    let detail = format!("{} · {} · client id {client_id}", app.name, env.label());
    Entry::new(
        event,
        &Actor::of(app.owner(), client_address),
        Target::application(&app.id),
        detail,
    )
}

fn no_keys(app: &Owned, env: Environment) -> ServiceError {
    ServiceError::conflict(
        "no_keys",
        format!(
            "{} has no {} keys. Generate them first.",
            app.name,
            env.label().to_lowercase()
        ),
    )
}

pub async fn generate(
    svc: &Services,
    app: &Owned,
    client_address: &str,
    env: Environment,
) -> Result<IssuedKeys, ServiceError> {
    if env == Environment::Production && certificates::active(svc, app).await?.is_none() {
        return Err(ServiceError::conflict(
            "certificate_required",
            "Production keys can be generated once the application's eIDAS certificate (QWAC) is registered.",
        ));
    }
    let issued = IssuedKeys {
        client_id: new_client_id(),
        client_secret: SecretToken::generate(),
    };
    let mut tx = svc.db.begin().await?;
    let inserted = keys::insert(
        tx.exec(),
        &app.id,
        env,
        &issued.client_id,
        &issued.client_secret.hash(),
        svc.now(),
    )
    .await;
    match inserted {
        Ok(()) => {
            let entry = key_event(Event::KeysGenerated, app, client_address, env, &issued.client_id);
            audit::append(svc, tx.exec(), &entry).await?;
            tx.commit().await?;
            tracing::info!(user_id = app.owner().id, application_id = %app.id, env = env.as_str(), "keys generated");
            Ok(issued)
        }
        Err(storage::Error::Duplicate { .. }) => Err(ServiceError::conflict(
            "keys_exist",
            format!(
                "{} already has {} keys. Regenerate the secret or revoke the keys first.",
                app.name,
                env.label().to_lowercase()
            ),
        )),
        Err(e) => Err(e.into()),
    }
}

/// A new secret for the existing client id; the old secret stops working at
/// once. The keys are read, replaced and audited in one transaction, and the
/// replacement must change a row: with a revocation racing this, either the
/// new secret works or the developer is told there are no keys, never shown
/// a secret for keys that are gone.
#[tracing::instrument(name = "keys.regenerate_secret", skip_all, fields(application_id = %app.id))]
pub async fn regenerate_secret(
    svc: &Services,
    app: &Owned,
    client_address: &str,
    env: Environment,
) -> Result<IssuedKeys, ServiceError> {
    let secret = SecretToken::generate();
    let mut tx = svc.db.begin().await?;
    let existing = keys::find(tx.exec(), &app.id, env)
        .await?
        .ok_or_else(|| no_keys(app, env))?;
    if !keys::replace_secret(tx.exec(), &app.id, env, &secret.hash(), svc.now()).await? {
        return Err(no_keys(app, env));
    }
    // The new secret and the end of every access token issued under the old one, together.
    access_tokens::delete_for(tx.exec(), &app.id, env).await?;
    let entry = key_event(Event::SecretRegenerated, app, client_address, env, &existing.client_id);
    audit::append(svc, tx.exec(), &entry).await?;
    super::access::announce(tx.exec(), super::access::Change::Application(&app.id)).await?;
    tx.commit().await?;
    svc.access.evict_application(&app.id);
    tracing::info!(user_id = app.owner().id, application_id = %app.id, env = env.as_str(), "client secret regenerated");
    Ok(IssuedKeys {
        client_id: existing.client_id,
        client_secret: secret,
    })
}

#[tracing::instrument(name = "keys.revoke", skip_all, fields(application_id = %app.id))]
pub async fn revoke(svc: &Services, app: &Owned, client_address: &str, env: Environment) -> Result<(), ServiceError> {
    let mut tx = svc.db.begin().await?;
    let existing = keys::find(tx.exec(), &app.id, env)
        .await?
        .ok_or_else(|| no_keys(app, env))?;
    // A revocation that raced this one leaves nothing to delete, and no second audit row.
    if !keys::delete(tx.exec(), &app.id, env).await? {
        return Err(no_keys(app, env));
    }
    // The keys and every access token issued with them end together.
    access_tokens::delete_for(tx.exec(), &app.id, env).await?;
    let entry = key_event(Event::KeysRevoked, app, client_address, env, &existing.client_id);
    audit::append(svc, tx.exec(), &entry).await?;
    super::access::announce(tx.exec(), super::access::Change::Application(&app.id)).await?;
    tx.commit().await?;
    svc.access.evict_application(&app.id);
    tracing::info!(user_id = app.owner().id, application_id = %app.id, env = env.as_str(), "keys revoked");
    Ok(())
}
