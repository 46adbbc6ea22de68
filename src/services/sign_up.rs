//! Sign-up and e-mail verification.

use anyhow::Context;
use serde::Deserialize;

use super::{Services, audit, outbox, rate_limits};
use crate::domain::audit::{Actor, Entry, Event, Target};
use crate::domain::email::EmailAddress;
use crate::domain::password::NewPassword;
use crate::domain::profile::{parse_country, parse_phone, parse_text};
use crate::domain::secret::{SecretToken, hash_secret};
use crate::domain::user::{NewUser, User};
use crate::domain::validation::FieldErrors;
use crate::mail::templates;
use crate::storage::email_tokens::Purpose;
use crate::storage::{self, Exec, email_tokens, users};

/// What the sign-up form (or an automated sign-up test) sends.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct SignUpInput {
    #[serde(default)]
    pub first_name: String,
    #[serde(default)]
    pub last_name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub organization: String,
    #[serde(default)]
    pub country: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub password_confirmation: String,
    /// A checkbox: present (any value) when ticked.
    #[serde(default)]
    pub accept_privacy: Option<String>,
    #[serde(default)]
    pub accept_terms: Option<String>,
}

#[derive(Debug)]
pub enum SignUpError {
    Invalid(FieldErrors),
    Internal(anyhow::Error),
}

impl From<anyhow::Error> for SignUpError {
    fn from(e: anyhow::Error) -> Self {
        SignUpError::Internal(e)
    }
}

fn validate(input: &SignUpInput) -> Result<(NewUser, NewPassword), FieldErrors> {
    let mut errors = FieldErrors::new();
    let first_name = errors.check("first_name", parse_text(&input.first_name, "first name", 100));
    let last_name = errors.check("last_name", parse_text(&input.last_name, "last name", 100));
    let email = errors.check("email", EmailAddress::parse(&input.email));
    let organization = errors.check("organization", parse_text(&input.organization, "organization", 200));
    let country = errors.check("country", parse_country(&input.country));
    let phone = errors.check("phone", parse_phone(&input.phone));
    // A weak password is the first field's error; a mismatch is the second's.
    let password = match NewPassword::parse(&input.password, &input.password, email.as_ref()) {
        Err(message) => {
            errors.add("password", message);
            None
        }
        Ok(_) if input.password != input.password_confirmation => {
            errors.add("password_confirmation", "The two passwords are not the same.");
            None
        }
        Ok(password) => Some(password),
    };
    if input.accept_privacy.is_none() {
        errors.add(
            "accept_privacy",
            "Read and approve the privacy policy to create an account.",
        );
    }
    if input.accept_terms.is_none() {
        errors.add(
            "accept_terms",
            "Read and approve the terms of use to create an account.",
        );
    }
    match (first_name, last_name, email, organization, country, phone, password) {
        (
            Some(first_name),
            Some(last_name),
            Some(email),
            Some(organization),
            Some(country),
            Some(phone),
            Some(password),
        ) if errors.is_empty() => {
            let user = NewUser {
                email,
                password_hash: String::new(),
                first_name,
                last_name,
                organization,
                country,
                phone,
                // The versions shown today: `sign_up` sets them from the brand.
                privacy_version: String::new(),
                terms_version: String::new(),
            };
            Ok((user, password))
        }
        _ => Err(errors),
    }
}

/// Creates an unverified account and queues its verification mail in the
/// same transaction. An e-mail that already has an account gets the same
/// answer (no enumeration); its owner is told by mail that someone tried.
pub async fn sign_up(svc: &Services, input: &SignUpInput, client_address: &str) -> Result<(), SignUpError> {
    let (mut new_user, password) = validate(input).map_err(SignUpError::Invalid)?;
    new_user.password_hash = svc.hasher.hash(password.expose()).await?;
    new_user.privacy_version = svc.brand.privacy.version.clone();
    new_user.terms_version = svc.brand.terms.version.clone();
    let now = svc.now();

    let mut tx = svc.db.begin().await.context("starting sign-up")?;
    match users::insert(tx.exec(), &new_user, now).await {
        Ok(user) => {
            send_verification(svc, tx.exec(), &user).await?;
            let entry = Entry::new(
                Event::SignedUp,
                &Actor::of(&user, client_address),
                Target::user(user.id),
                "",
            );
            audit::append(svc, tx.exec(), &entry)
                .await
                .context("recording sign-up")?;
            tx.commit().await.context("committing sign-up")?;
            tracing::info!(user_id = user.id, "account created");
        }
        Err(storage::Error::Duplicate { .. }) => {
            drop(tx);
            tell_owner_someone_tried(svc, &new_user.email).await?;
        }
        Err(e) => {
            return Err(anyhow::Error::from(e).context("inserting the account").into());
        }
    }
    svc.mail.wake();
    Ok(())
}

async fn tell_owner_someone_tried(svc: &Services, email: &EmailAddress) -> anyhow::Result<()> {
    // Connections are taken one at a time: holding one while the throttle
    // asks for another can starve the pool under a burst of sign-ups.
    let owner = {
        let mut conn = svc.db.conn().await?;
        users::find_by_email(conn.exec(), email.as_str()).await?
    };
    let Some(owner) = owner else {
        return Ok(());
    };
    // At most a few such mails an hour, so the form cannot be used to flood a mailbox.
    if rate_limits::hit(svc, &format!("signup-exists:{}", owner.id), 3, 3600)
        .await?
        .is_err()
    {
        return Ok(());
    }
    let mail = templates::account_exists(&svc.brand, &owner, &svc.url("/signin"), &svc.url("/password/forgot"))?;
    let mut conn = svc.db.conn().await?;
    outbox::enqueue(svc, conn.exec(), &mail, svc.now()).await?;
    Ok(())
}

/// Issues a new verification token for `user` and queues the mail.
async fn send_verification(svc: &Services, ex: Exec<'_>, user: &User) -> anyhow::Result<()> {
    let now = svc.now();
    let token = SecretToken::generate();
    let mut ex = ex;
    email_tokens::insert(
        ex.reborrow(),
        user.id,
        Purpose::VerifyEmail,
        &token.hash(),
        now,
        now + svc.config.verify_link_ttl,
    )
    .await?;
    let link = svc.link("/verify-email", token.expose());
    let mail = templates::verify_email(&svc.brand, user, &link, svc.config.verify_link_ttl)?;
    outbox::enqueue(svc, ex, &mail, now).await?;
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerifyOutcome {
    Verified,
    AlreadyVerified,
    /// The link is too old; the page offers a new one.
    Expired,
    Invalid,
}

/// Consumes a verification link.
pub async fn verify_email(svc: &Services, token: &str, client_address: &str) -> anyhow::Result<VerifyOutcome> {
    let now = svc.now();
    let mut tx = svc.db.begin().await?;
    let Some(found) = email_tokens::find(tx.exec(), Purpose::VerifyEmail, &hash_secret(token)).await? else {
        return Ok(VerifyOutcome::Invalid);
    };
    let user = users::find(tx.exec(), found.user_id).await?;
    if user.as_ref().is_some_and(User::is_verified) {
        return Ok(VerifyOutcome::AlreadyVerified);
    }
    let Some(user) = user.filter(|_| found.used_at.is_none()) else {
        return Ok(VerifyOutcome::Invalid);
    };
    if found.expires_at <= now {
        return Ok(VerifyOutcome::Expired);
    }
    if !email_tokens::consume(tx.exec(), found.id, now).await? {
        return Ok(VerifyOutcome::AlreadyVerified);
    }
    users::mark_verified(tx.exec(), found.user_id, now).await?;
    let entry = Entry::new(
        Event::EmailVerified,
        &Actor::of(&user, client_address),
        Target::user(user.id),
        "",
    );
    audit::append(svc, tx.exec(), &entry).await?;
    tx.commit().await?;
    tracing::info!(user_id = found.user_id, "e-mail verified");
    Ok(VerifyOutcome::Verified)
}

/// Sends a fresh verification mail, identified by an old (expired) link or by
/// an e-mail address. Always answers the same; sends only to an unverified
/// account, at most five times an hour.
pub async fn resend_verification(svc: &Services, old_token: Option<&str>, email: Option<&str>) -> anyhow::Result<()> {
    let user = {
        let mut conn = svc.db.conn().await?;
        if let Some(token) = old_token.filter(|t| !t.is_empty()) {
            match email_tokens::find(conn.exec(), Purpose::VerifyEmail, &hash_secret(token)).await? {
                Some(t) => users::find(conn.exec(), t.user_id).await?,
                None => None,
            }
        } else if let Some(Ok(email)) = email.map(EmailAddress::parse) {
            users::find_by_email(conn.exec(), email.as_str()).await?
        } else {
            None
        }
    };
    let Some(user) = user.filter(|u| !u.is_verified() && u.disabled_at.is_none()) else {
        return Ok(());
    };
    // Counted outside the transaction: on SQLite a second writer would wait for it.
    if rate_limits::hit(svc, &format!("verify-mail:{}", user.id), 5, 3600)
        .await?
        .is_err()
    {
        tracing::warn!(user_id = user.id, "verification mail not resent: hourly limit reached");
        return Ok(());
    }
    let mut tx = svc.db.begin().await?;
    send_verification(svc, tx.exec(), &user).await?;
    tx.commit().await?;
    svc.mail.wake();
    Ok(())
}
