//! Sign-in and password reset.

use anyhow::Context;

use super::rate_limits::{self, RetryAfter};
use super::{Services, audit, outbox};
use crate::domain::audit::{Actor, Entry, Event, Target, typed_email};
use crate::domain::email::EmailAddress;
use crate::domain::password::NewPassword;
use crate::domain::secret::{SecretToken, hash_secret};
use crate::domain::user::User;
use crate::mail::templates;
use crate::storage::email_tokens::Purpose;
use crate::storage::{email_tokens, personal_tokens, users};

#[derive(Debug)]
pub enum SignInError {
    /// Wrong e-mail or password; the message does not say which.
    Invalid,
    /// Right password, e-mail not verified yet.
    Unverified {
        email: String,
    },
    /// The bank disabled the account.
    Disabled,
    Throttled(RetryAfter),
    Internal(anyhow::Error),
}

impl From<anyhow::Error> for SignInError {
    fn from(e: anyhow::Error) -> Self {
        SignInError::Internal(e)
    }
}

/// Per client address, three times the per-account limit: an office behind
/// one address still signs in, a password sprayer does not get far.
const PER_ADDRESS: i64 = 3;
/// Failures on one account from all addresses together: high enough that a
/// stranger guessing from a few addresses cannot lock the owner out, and the
/// owner's known addresses are never held by it (OWASP's guidance).
const ACCOUNT_WIDE: i64 = 10;

/// Checks the credentials. Attempts are counted per (account, client
/// address) and per client address before anything else; failures also
/// count per account from every address, which holds back only addresses
/// the account has never signed in from. Typed addresses are throttled by
/// their hash, never stored as typed. An unknown e-mail is checked against a
/// dummy hash so that timing tells nothing.
pub async fn sign_in(svc: &Services, email: &str, password: &str, client_address: &str) -> Result<User, SignInError> {
    let limit = svc.config.signin_attempts_per_minute;
    let account = rate_limits::typed_key(email);
    let buckets = [
        (format!("signin-pair:{account}:{client_address}"), limit),
        (format!("signin-address:{client_address}"), limit * PER_ADDRESS),
    ];
    for (bucket, limit) in buckets {
        if let Err(retry) = rate_limits::hit(svc, &bucket, limit, 60).await? {
            tracing::warn!(%client_address, "sign-in throttled");
            return Err(SignInError::Throttled(retry));
        }
    }
    let account_wide = format!("signin-failures:{account}");
    let found = match EmailAddress::parse(email) {
        Ok(email) => {
            let mut conn = svc.db.conn().await.context("sign-in")?;
            users::find_with_hash(conn.exec(), email.as_str())
                .await
                .context("sign-in")?
        }
        Err(_) => None,
    };
    let (user, hash) = match found {
        Some((user, hash)) => (Some(user), Some(hash)),
        None => (None, None),
    };
    if let Err(retry) = rate_limits::over(svc, &account_wide, limit * ACCOUNT_WIDE, 60).await? {
        let known = match &user {
            Some(u) => audit::signed_in_from(svc, u, client_address).await.context("sign-in")?,
            None => false,
        };
        if !known {
            tracing::warn!(%client_address, "sign-in throttled: too many failures on the account");
            return Err(SignInError::Throttled(retry));
        }
    }
    let password_ok = svc.hasher.verify(password, hash).await;
    if !password_ok {
        rate_limits::hit(svc, &account_wide, i64::MAX, 60).await?.ok();
    }
    let user = match user {
        Some(user) if password_ok => user,
        Some(user) => {
            tracing::info!(%client_address, "sign-in failed");
            failed(svc, Some(&user), email, client_address, "wrong password").await?;
            return Err(SignInError::Invalid);
        }
        None => {
            tracing::info!(%client_address, "sign-in failed");
            failed(svc, None, email, client_address, "no account with this e-mail").await?;
            return Err(SignInError::Invalid);
        }
    };
    if user.disabled_at.is_some() {
        failed(svc, Some(&user), email, client_address, "account disabled").await?;
        return Err(SignInError::Disabled);
    }
    if !user.is_verified() {
        failed(svc, Some(&user), email, client_address, "e-mail not verified").await?;
        return Err(SignInError::Unverified { email: user.email });
    }
    let entry = Entry::new(
        Event::SignedIn,
        &Actor::of(&user, client_address),
        Target::user(user.id),
        "",
    );
    audit::record(svc, &entry).await.context("sign-in")?;
    tracing::info!(user_id = user.id, %client_address, "signed in");
    Ok(user)
}

/// Records a refused sign-in. A throttled attempt is not recorded (only
/// logged): under a password-guessing burst the throttle already holds the
/// count, and the audit log should not grow with the attacker's rate.
async fn failed(
    svc: &Services,
    user: Option<&User>,
    typed: &str,
    client_address: &str,
    why: &str,
) -> anyhow::Result<()> {
    let (actor, target) = match user {
        Some(u) => (Actor::of(u, client_address), Target::user(u.id)),
        None => (
            Actor::new(None, &typed_email(typed), client_address),
            Target::email(typed),
        ),
    };
    audit::record(svc, &Entry::new(Event::SignInFailed, &actor, target, why))
        .await
        .context("recording a failed sign-in")
}

/// [`request_reset`] after the answer has gone: the answer then takes the
/// same time whether the address has an account (a token and a mail are
/// written) or not (nothing is), so timing tells nobody either. A failure is
/// logged; the person asks again.
pub fn request_reset_after_answering(svc: &Services, email: String) {
    let svc = svc.clone();
    tokio::spawn(async move {
        if let Err(e) = request_reset(&svc, &email).await {
            tracing::error!(error = %format!("{e:#}"), "password reset request");
        }
    });
}

/// Sends a reset link if an account has this address. Always answers the
/// same, so the form tells nobody which addresses have accounts.
pub async fn request_reset(svc: &Services, email: &str) -> anyhow::Result<()> {
    let Ok(email) = EmailAddress::parse(email) else {
        return Ok(());
    };
    let user = {
        let mut conn = svc.db.conn().await?;
        users::find_by_email(conn.exec(), email.as_str()).await?
    };
    let Some(user) = user.filter(|u| u.disabled_at.is_none()) else {
        return Ok(());
    };
    if rate_limits::hit(svc, &format!("reset-mail:{}", user.id), 5, 3600)
        .await?
        .is_err()
    {
        tracing::warn!(user_id = user.id, "reset mail not sent: hourly limit reached");
        return Ok(());
    }
    let now = svc.now();
    let token = SecretToken::generate();
    let ttl = svc.config.reset_link_ttl;
    let mail = templates::reset_password(&svc.brand, &user, &svc.link("/password/reset", token.expose()), ttl)?;
    let mut tx = svc.db.begin().await?;
    email_tokens::insert(
        tx.exec(),
        user.id,
        Purpose::ResetPassword,
        &token.hash(),
        now,
        now + ttl,
    )
    .await?;
    outbox::enqueue(svc, tx.exec(), &mail, now).await?;
    tx.commit().await?;
    svc.mail.wake();
    Ok(())
}

/// True when a reset link can still be used (to show the form or not).
pub async fn reset_link_is_valid(svc: &Services, token: &str) -> anyhow::Result<bool> {
    let mut conn = svc.db.conn().await?;
    let found = email_tokens::find(conn.exec(), Purpose::ResetPassword, &hash_secret(token)).await?;
    Ok(found.is_some_and(|t| t.used_at.is_none() && t.expires_at > svc.now()))
}

#[derive(Debug)]
pub enum ResetError {
    /// The new password does not meet the policy.
    Password(String),
    /// Used, expired or unknown link.
    LinkInvalid,
    Internal(anyhow::Error),
}

impl From<anyhow::Error> for ResetError {
    fn from(e: anyhow::Error) -> Self {
        ResetError::Internal(e)
    }
}

impl From<crate::storage::Error> for ResetError {
    fn from(e: crate::storage::Error) -> Self {
        ResetError::Internal(e.into())
    }
}

/// Sets a new password through a reset link. Every session of the account
/// ends, every other reset link dies, and the address counts as verified (the
/// link proved the mailbox).
pub async fn reset_password(
    svc: &Services,
    client_address: &str,
    token: &str,
    password: &str,
    confirmation: &str,
) -> Result<(), ResetError> {
    let now = svc.now();
    let found = {
        let mut conn = svc.db.conn().await?;
        email_tokens::find(conn.exec(), Purpose::ResetPassword, &hash_secret(token)).await?
    };
    let Some(found) = found.filter(|t| t.used_at.is_none() && t.expires_at > now) else {
        return Err(ResetError::LinkInvalid);
    };
    let user = {
        let mut conn = svc.db.conn().await?;
        users::find(conn.exec(), found.user_id)
            .await?
            .ok_or(ResetError::LinkInvalid)?
    };
    let email = EmailAddress::parse(&user.email).ok();
    let password = NewPassword::parse(password, confirmation, email.as_ref()).map_err(ResetError::Password)?;
    let hash = svc.hasher.hash(password.expose()).await?;

    let mut tx = svc.db.begin().await?;
    let mut ex = tx.exec();
    if !email_tokens::consume(ex.reborrow(), found.id, now).await? {
        return Err(ResetError::LinkInvalid);
    }
    users::set_password(ex.reborrow(), user.id, &hash).await?;
    users::mark_verified(ex.reborrow(), user.id, now).await?;
    email_tokens::consume_all(ex.reborrow(), user.id, Purpose::ResetPassword, now).await?;
    // A reset means the password may have been known to someone else: the
    // tokens it could have made end with it, as the sessions do. (The
    // applications' access tokens come from their client secrets, not from
    // the password, and stay.)
    personal_tokens::delete_all(ex.reborrow(), user.id).await?;
    let mail = templates::password_changed(&svc.brand, &user).map_err(|e| ResetError::Internal(e.into()))?;
    outbox::enqueue(svc, ex.reborrow(), &mail, now).await?;
    let entry = Entry::new(
        Event::PasswordReset,
        &Actor::of(&user, client_address),
        Target::user(user.id),
        "",
    );
    audit::append(svc, ex, &entry).await?;
    tx.commit().await?;
    svc.mail.wake();
    tracing::info!(user_id = user.id, "password reset; all sessions ended");
    Ok(())
}

/// The account for a session, if it still exists.
pub async fn current_user(svc: &Services, id: i64) -> anyhow::Result<Option<User>> {
    let mut conn = svc.db.conn().await?;
    Ok(users::find(conn.exec(), id).await?)
}
