//! Client credentials of an application. The secret is shown once; only its
//! SHA-256 hash is stored.

use rand::RngCore;

use super::{ServiceError, Services, applications, audit, certificates};
use crate::domain::application::{Application, ClientKey};
use crate::domain::audit::{Actor, Entry, Event, Target};
use crate::domain::catalogue::Environment;
use crate::domain::secret::SecretToken;
use crate::domain::user::User;
use crate::storage::{client_keys, is_unique_violation, oauth_tokens};

/// Freshly issued credentials: the only time the secret exists in clear.
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

pub async fn find(
    svc: &Services,
    dev: &User,
    application_id: &str,
    env: Environment,
) -> Result<Option<ClientKey>, ServiceError> {
    let app = applications::get(svc, dev, application_id).await?;
    let mut conn = svc.db.conn().await?;
    Ok(client_keys::find(conn.exec(), &app.id, env).await?)
}

/// The audit row of a change to an application's keys.
fn key_event(event: Event, dev: &User, client: &str, app: &Application, env: Environment, client_id: &str) -> Entry {
    let detail = format!("{} · {} · client id {client_id}", app.name, env.label());
    Entry::new(event, &Actor::of(dev, client), Target::application(&app.id), detail)
}

pub async fn generate(
    svc: &Services,
    dev: &User,
    client: &str,
    application_id: &str,
    env: Environment,
) -> Result<IssuedKeys, ServiceError> {
    let app = applications::get(svc, dev, application_id).await?;
    if env == Environment::Production && certificates::active(svc, &app.id).await?.is_none() {
        return Err(ServiceError::conflict(
            "certificate_required",
            "Production keys can be generated once the application's eIDAS certificate (QWAC) is registered.",
        ));
    }
    let keys = IssuedKeys {
        client_id: new_client_id(),
        client_secret: SecretToken::generate(),
    };
    let mut tx = svc.db.begin().await?;
    let inserted = client_keys::insert(
        tx.exec(),
        &app.id,
        env,
        &keys.client_id,
        &keys.client_secret.hash(),
        svc.now(),
    )
    .await;
    match inserted {
        Ok(()) => {
            let entry = key_event(Event::KeysGenerated, dev, client, &app, env, &keys.client_id);
            audit::append(svc, tx.exec(), &entry).await?;
            tx.commit().await?;
            tracing::info!(user_id = dev.id, application_id = %app.id, env = env.as_str(), "client keys generated");
            Ok(keys)
        }
        Err(e) if is_unique_violation(&e) => Err(ServiceError::conflict(
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

/// A new secret for the existing client id; the old secret stops working at once.
pub async fn regenerate_secret(
    svc: &Services,
    dev: &User,
    client: &str,
    application_id: &str,
    env: Environment,
) -> Result<IssuedKeys, ServiceError> {
    let app = applications::get(svc, dev, application_id).await?;
    let secret = SecretToken::generate();
    let mut conn = svc.db.conn().await?;
    let Some(existing) = client_keys::find(conn.exec(), &app.id, env).await? else {
        return Err(ServiceError::conflict(
            "no_keys",
            format!(
                "{} has no {} keys yet. Generate them first.",
                app.name,
                env.label().to_lowercase()
            ),
        ));
    };
    // The new secret and the end of every token issued under the old one, together.
    drop(conn);
    let mut tx = svc.db.begin().await?;
    client_keys::replace_secret(tx.exec(), &app.id, env, &secret.hash(), svc.now()).await?;
    oauth_tokens::delete_for(tx.exec(), &app.id, env).await?;
    let entry = key_event(Event::SecretRegenerated, dev, client, &app, env, &existing.client_id);
    audit::append(svc, tx.exec(), &entry).await?;
    tx.commit().await?;
    svc.access.evict_application(&app.id);
    tracing::info!(user_id = dev.id, application_id = %app.id, env = env.as_str(), "client secret regenerated");
    Ok(IssuedKeys {
        client_id: existing.client_id,
        client_secret: secret,
    })
}

pub async fn revoke(
    svc: &Services,
    dev: &User,
    client: &str,
    application_id: &str,
    env: Environment,
) -> Result<(), ServiceError> {
    let app = applications::get(svc, dev, application_id).await?;
    let mut tx = svc.db.begin().await?;
    let no_keys = || {
        ServiceError::conflict(
            "no_keys",
            format!("{} has no {} keys.", app.name, env.label().to_lowercase()),
        )
    };
    let existing = client_keys::find(tx.exec(), &app.id, env).await?.ok_or_else(no_keys)?;
    // A revocation that raced this one leaves nothing to delete, and no second audit row.
    if !client_keys::delete(tx.exec(), &app.id, env).await? {
        return Err(no_keys());
    }
    // The keys and every token issued with them end together.
    oauth_tokens::delete_for(tx.exec(), &app.id, env).await?;
    let entry = key_event(Event::KeysRevoked, dev, client, &app, env, &existing.client_id);
    audit::append(svc, tx.exec(), &entry).await?;
    tx.commit().await?;
    svc.access.evict_application(&app.id);
    tracing::info!(user_id = dev.id, application_id = %app.id, env = env.as_str(), "client keys revoked");
    Ok(())
}
