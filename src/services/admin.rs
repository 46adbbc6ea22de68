//! Bank admins: created or promoted from the command line.

use anyhow::Context;

use super::{Services, audit};
use crate::domain::audit::{Actor, Entry, Event, Target};
use crate::domain::email::EmailAddress;
use crate::domain::password::NewPassword;
use crate::domain::profile::parse_text;
use crate::domain::user::NewUser;
use crate::storage::{self, users};

/// Creates a verified admin account. `name` is "First Last".
pub async fn create(svc: &Services, email: &str, name: &str, password: &str) -> anyhow::Result<()> {
    let email = EmailAddress::parse(email).map_err(anyhow::Error::msg)?;
    let password = NewPassword::parse(password, password, Some(&email)).map_err(anyhow::Error::msg)?;
    let name = parse_text(name, "name", 200).map_err(anyhow::Error::msg)?;
    let (first, last) = name.split_once(' ').unwrap_or((&name, ""));
    let new = NewUser {
        email: email.clone(),
        password_hash: svc.hasher.hash(password.expose()).await?,
        first_name: first.trim().to_string(),
        last_name: last.trim().to_string(),
        organization: "The bank".into(),
        country: "SE".into(),
        phone: None,
        privacy_version: svc.brand.privacy.version.clone(),
        terms_version: svc.brand.terms.version.clone(),
    };
    let mut tx = svc.db.begin().await?;
    let user = match users::insert(tx.exec(), &new, svc.now()).await {
        Ok(user) => user,
        Err(storage::Error::Duplicate { .. }) => {
            anyhow::bail!("{email} already has an account: use `devportal admin promote --email {email}`")
        }
        Err(e) => return Err(e).context("creating the admin"),
    };
    users::promote(tx.exec(), email.as_str(), svc.now()).await?;
    let entry = Entry::new(
        Event::AdminCreated,
        &Actor::command_line(),
        Target::user(user.id),
        email.as_str(),
    );
    audit::append(svc, tx.exec(), &entry).await?;
    tx.commit().await?;
    tracing::info!(%email, "admin created");
    Ok(())
}

/// Makes an existing account an admin.
pub async fn promote(svc: &Services, email: &str) -> anyhow::Result<()> {
    let email = EmailAddress::parse(email).map_err(anyhow::Error::msg)?;
    let mut tx = svc.db.begin().await?;
    let Some(user) = users::find_by_email(tx.exec(), email.as_str()).await? else {
        anyhow::bail!("no account has the e-mail address {email}");
    };
    users::promote(tx.exec(), email.as_str(), svc.now()).await?;
    let entry = Entry::new(
        Event::AdminPromoted,
        &Actor::command_line(),
        Target::user(user.id),
        email.as_str(),
    );
    audit::append(svc, tx.exec(), &entry).await?;
    tx.commit().await?;
    tracing::info!(%email, "account promoted to admin");
    Ok(())
}
