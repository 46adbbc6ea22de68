//! Personal access tokens: how scripts and CI pipelines use the JSON API.
//! Shown once; only the SHA-256 hash is stored.

use super::{ServiceError, Services, audit, sign_in};
use crate::domain::audit::{Actor, Entry, Event, Target};
use crate::domain::personal_token::lifetime;
use crate::domain::profile::parse_text;
use crate::domain::secret::{SecretToken, hash_secret};
use crate::domain::user::User;
use crate::storage::personal_tokens::{self, PersonalAccessToken};

/// Tokens start with this, so secret scanners and people recognise them.
pub const PREFIX: &str = "dpat_";

pub async fn create(
    svc: &Services,
    user: &User,
    client_address: &str,
    name: &str,
    days: Option<i64>,
) -> Result<(PersonalAccessToken, String), ServiceError> {
    let name = parse_text(name, "token name", 100).map_err(|m| ServiceError::invalid("name", m))?;
    let lifetime = lifetime(days).map_err(|m| ServiceError::invalid("expires_in_days", m))?;
    let token = format!("{PREFIX}{}", SecretToken::generate().expose());
    let id = Services::new_id();
    let now = svc.now();
    let expires_at = now + lifetime;
    let mut tx = svc.db.begin().await?;
    personal_tokens::insert(tx.exec(), &id, user.id, &name, &hash_secret(&token), now, expires_at).await?;
    let entry = Entry::new(
        Event::PersonalTokenCreated,
        &Actor::of(user, client_address),
        Target::personal_token(&id),
        &name,
    );
    audit::append(svc, tx.exec(), &entry).await?;
    tx.commit().await?;
    tracing::info!(user_id = user.id, token_id = %id, "personal access token created");
    Ok((
        PersonalAccessToken {
            id,
            name,
            created_at: now,
            last_used_at: None,
            expires_at,
        },
        token,
    ))
}

pub async fn list(svc: &Services, user: &User) -> Result<Vec<PersonalAccessToken>, ServiceError> {
    let mut conn = svc.db.conn().await?;
    Ok(personal_tokens::list(conn.exec(), user.id).await?)
}

pub async fn revoke(svc: &Services, user: &User, client_address: &str, id: &str) -> Result<(), ServiceError> {
    let mut tx = svc.db.begin().await?;
    if !personal_tokens::delete(tx.exec(), user.id, id).await? {
        return Err(ServiceError::NotFound);
    }
    let entry = Entry::new(
        Event::PersonalTokenRevoked,
        &Actor::of(user, client_address),
        Target::personal_token(id),
        "",
    );
    audit::append(svc, tx.exec(), &entry).await?;
    tx.commit().await?;
    tracing::info!(user_id = user.id, token_id = %id, "personal access token revoked");
    Ok(())
}

/// The account a presented token belongs to, if the token and the account are good.
pub async fn authenticate(svc: &Services, presented: &str) -> Result<Option<User>, ServiceError> {
    if !presented.starts_with(PREFIX) {
        return Ok(None);
    }
    let user_id = {
        let mut conn = svc.db.conn().await?;
        personal_tokens::use_token(conn.exec(), &hash_secret(presented), svc.now()).await?
    };
    let Some(user_id) = user_id else {
        return Ok(None);
    };
    let user = sign_in::current_user(svc, user_id).await?;
    Ok(user.filter(|u| u.is_verified() && u.disabled_at.is_none()))
}
