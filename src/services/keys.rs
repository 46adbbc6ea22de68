//! Client credentials of an application. The secret is shown once; only its
//! SHA-256 hash is stored.

use rand::RngCore;

use super::{ServiceError, Services, applications, certificates};
use crate::domain::application::ClientKey;
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

pub async fn generate(
    svc: &Services,
    dev: &User,
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
    let mut conn = svc.db.conn().await?;
    match client_keys::insert(
        conn.exec(),
        &app.id,
        env,
        &keys.client_id,
        &keys.client_secret.hash(),
        svc.now(),
    )
    .await
    {
        Ok(()) => {
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
    tx.commit().await?;
    svc.access.evict_application(&app.id);
    tracing::info!(user_id = dev.id, application_id = %app.id, env = env.as_str(), "client secret regenerated");
    Ok(IssuedKeys {
        client_id: existing.client_id,
        client_secret: secret,
    })
}

pub async fn revoke(svc: &Services, dev: &User, application_id: &str, env: Environment) -> Result<(), ServiceError> {
    let app = applications::get(svc, dev, application_id).await?;
    let mut tx = svc.db.begin().await?;
    if !client_keys::delete(tx.exec(), &app.id, env).await? {
        return Err(ServiceError::conflict(
            "no_keys",
            format!("{} has no {} keys.", app.name, env.label().to_lowercase()),
        ));
    }
    // The keys and every token issued with them end together.
    oauth_tokens::delete_for(tx.exec(), &app.id, env).await?;
    tx.commit().await?;
    svc.access.evict_application(&app.id);
    tracing::info!(user_id = dev.id, application_id = %app.id, env = env.as_str(), "client keys revoked");
    Ok(())
}
