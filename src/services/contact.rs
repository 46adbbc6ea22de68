//! "Contact us": a developer's message to the bank, and how an admin handles
//! it. Profile values change only when an admin applies a request; a new
//! e-mail address replaces the old one only once its owner follows the link
//! sent to it. The developer is told by mail each time.

use std::collections::BTreeMap;

use super::{ServiceError, Services, account_closure, audit, must_be_admin, outbox};
use crate::domain::audit::{Actor, Entry, Event, Target};
use crate::domain::contact::{Category, Status, parse_requested};
use crate::domain::secret::{SecretToken, hash_secret};
use crate::domain::text::{Lines, clean};
use crate::domain::user::User;
use crate::domain::validation::FieldErrors;
use crate::mail::templates;
use crate::storage::contact_requests::{self, ContactRequest, NewRequest};
use crate::storage::{self, users};

/// What the contact form sends: `category`, `message`, and for a profile
/// change the new values (`first_name`, …, `email`).
pub type ContactInput = BTreeMap<String, String>;

pub async fn send(svc: &Services, dev: &User, input: &ContactInput) -> Result<ContactRequest, ServiceError> {
    let mut errors = FieldErrors::new();
    let category = Category::parse(input.get("category").map(String::as_str).unwrap_or(""));
    if category.is_none() {
        errors.add("category", "Choose what the message is about.");
    }
    let message = match clean(input.get("message").map(String::as_str).unwrap_or(""), Lines::Several) {
        Ok(m) => m,
        Err(m) => {
            errors.add("message", &m);
            String::new()
        }
    };
    if message.chars().count() > 4000 {
        errors.add("message", "Use at most 4000 characters.");
    }
    let requested = match parse_requested(input) {
        Ok(r) => r,
        Err(e) => {
            for (f, m) in e.iter() {
                errors.add(f, m);
            }
            BTreeMap::new()
        }
    };
    if category == Some(Category::Profile) && requested.is_empty() && errors.is_empty() {
        errors.add("first_name", "Fill in at least one value you want changed.");
    }
    if message.is_empty() && !matches!(category, Some(Category::Profile | Category::Closure)) {
        errors.add("message", "Write your message.");
    }
    let (Some(category), true) = (category, errors.is_empty()) else {
        return Err(ServiceError::Invalid(errors));
    };
    let requested = if category == Category::Profile {
        requested
    } else {
        BTreeMap::new()
    };
    let id = Services::new_id();
    let json = serde_json::to_string(&requested).map_err(|e| ServiceError::Internal(e.into()))?;
    let mut conn = svc.db.conn().await?;
    let new = NewRequest {
        id: &id,
        user_id: dev.id,
        category: category.as_str(),
        message: &message,
        requested: &json,
    };
    contact_requests::insert(conn.exec(), &new, svc.now()).await?;
    tracing::info!(user_id = dev.id, request_id = %id, category = category.as_str(), "contact request sent");
    contact_requests::find(conn.exec(), &id)
        .await?
        .ok_or(ServiceError::NotFound)
}

pub async fn for_developer(svc: &Services, dev: &User) -> Result<Vec<ContactRequest>, ServiceError> {
    let mut conn = svc.db.conn().await?;
    Ok(contact_requests::for_user(conn.exec(), dev.id).await?)
}

pub async fn inbox(
    svc: &Services,
    admin: &User,
    status: Option<Status>,
    q: &str,
) -> Result<Vec<ContactRequest>, ServiceError> {
    must_be_admin(admin)?;
    let mut conn = svc.db.conn().await?;
    Ok(contact_requests::search(conn.exec(), status.map(Status::as_str).unwrap_or(""), q.trim()).await?)
}

/// The request and its developer's current account.
pub async fn get(svc: &Services, admin: &User, id: &str) -> Result<(ContactRequest, User), ServiceError> {
    must_be_admin(admin)?;
    let mut conn = svc.db.conn().await?;
    let r = contact_requests::find(conn.exec(), id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let dev = users::find(conn.exec(), r.user_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    Ok((r, dev))
}

pub fn requested_values(r: &ContactRequest) -> BTreeMap<String, String> {
    serde_json::from_str(&r.requested).unwrap_or_default()
}

fn closed() -> ServiceError {
    ServiceError::conflict("request_closed", "This request is already done or rejected.")
}

/// The audit row of an admin's decision on a request.
fn decision(event: Event, admin: &User, client_address: &str, id: &str, dev: &User, note: &str) -> Entry {
    let detail = if note.is_empty() {
        dev.email.clone()
    } else {
        format!("{}: {note}", dev.email)
    };
    Entry::new(event, &Actor::of(admin, client_address), Target::request(id), detail)
}

pub async fn start(svc: &Services, admin: &User, client_address: &str, id: &str) -> Result<(), ServiceError> {
    let (_, dev) = get(svc, admin, id).await?;
    let mut tx = svc.db.begin().await?;
    if !contact_requests::set_status(tx.exec(), id, Status::InProgress.as_str(), None, admin.id, svc.now()).await? {
        return Err(closed());
    }
    let entry = decision(Event::RequestStarted, admin, client_address, id, &dev, "");
    audit::append(svc, tx.exec(), &entry).await?;
    tx.commit().await?;
    Ok(())
}

/// What applying a request did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// The profile values were written.
    Changes,
    /// The account is closed; the request went with it.
    AccountClosed,
}

/// Writes the requested values, sends the verification link to a new e-mail
/// address, closes the request and tells the developer, all in one
/// transaction; or closes the account, when that is what was asked.
pub async fn apply(svc: &Services, admin: &User, client_address: &str, id: &str) -> Result<Applied, ServiceError> {
    let (request, dev) = get(svc, admin, id).await?;
    if Category::parse(&request.category) == Some(Category::Closure) {
        account_closure::close(svc, admin, client_address, id, &dev).await?;
        return Ok(Applied::AccountClosed);
    }
    let values = requested_values(&request);
    let v = |k: &str, current: &str| values.get(k).cloned().unwrap_or_else(|| current.to_string());
    let phone = match values.get("phone") {
        Some(p) if p.is_empty() => None,
        Some(p) => Some(p.clone()),
        None => dev.phone.clone(),
    };
    let now = svc.now();
    let mut tx = svc.db.begin().await?;
    if !contact_requests::set_status(tx.exec(), id, Status::Done.as_str(), None, admin.id, now).await? {
        return Err(closed());
    }
    users::update_profile(
        tx.exec(),
        dev.id,
        &v("first_name", &dev.first_name),
        &v("last_name", &dev.last_name),
        &v("organization", &dev.organization),
        &v("country", &dev.country),
        phone.as_deref(),
    )
    .await?;
    let new_email = values.get("email").filter(|e| **e != dev.email);
    if let Some(new_email) = new_email {
        let token = SecretToken::generate();
        let ttl = svc.config.verify_link_ttl;
        contact_requests::insert_email_change(tx.exec(), &token.hash(), dev.id, new_email, now, now + ttl).await?;
        let link = svc.link("/verify-email-change", token.expose());
        let mail = templates::confirm_new_email(&svc.brand, &dev, new_email, &link, ttl)
            .map_err(|e| ServiceError::Internal(e.into()))?;
        outbox::enqueue(svc, tx.exec(), &mail, now).await?;
    }
    let mail = templates::request_applied(&svc.brand, &dev, new_email.map(String::as_str))
        .map_err(|e| ServiceError::Internal(e.into()))?;
    outbox::enqueue(svc, tx.exec(), &mail, now).await?;
    let fields = values.keys().map(String::as_str).collect::<Vec<_>>().join(", ");
    let entry = decision(Event::RequestApplied, admin, client_address, id, &dev, &fields);
    audit::append(svc, tx.exec(), &entry).await?;
    tx.commit().await?;
    svc.mail.wake();
    tracing::info!(admin_id = admin.id, request_id = %id, user_id = dev.id, "contact request applied");
    Ok(Applied::Changes)
}

pub async fn reject(
    svc: &Services,
    admin: &User,
    client_address: &str,
    id: &str,
    reason: &str,
) -> Result<(), ServiceError> {
    let (_, dev) = get(svc, admin, id).await?;
    let reason = clean(reason, Lines::Several).map_err(|m| ServiceError::invalid("reason", m))?;
    let reason = reason.as_str();
    if reason.is_empty() {
        return Err(ServiceError::invalid("reason", "Give the developer a reason."));
    }
    let now = svc.now();
    let mut tx = svc.db.begin().await?;
    if !contact_requests::set_status(tx.exec(), id, Status::Rejected.as_str(), Some(reason), admin.id, now).await? {
        return Err(closed());
    }
    let mail = templates::request_rejected(&svc.brand, &dev, reason).map_err(|e| ServiceError::Internal(e.into()))?;
    outbox::enqueue(svc, tx.exec(), &mail, now).await?;
    let entry = decision(Event::RequestRejected, admin, client_address, id, &dev, reason);
    audit::append(svc, tx.exec(), &entry).await?;
    tx.commit().await?;
    svc.mail.wake();
    tracing::info!(admin_id = admin.id, request_id = %id, user_id = dev.id, "contact request rejected");
    Ok(())
}

#[derive(Debug, PartialEq, Eq)]
pub enum EmailChange {
    Changed(String),
    /// Used, expired or unknown link.
    Invalid,
    /// Another account has the address now.
    Taken,
}

/// Follows the link sent to a new address: the address replaces the old one.
pub async fn confirm_email_change(
    svc: &Services,
    client_address: &str,
    token: &str,
) -> Result<EmailChange, ServiceError> {
    let mut tx = svc.db.begin().await?;
    let Some((user_id, new_email)) =
        contact_requests::take_email_change(tx.exec(), &hash_secret(token), svc.now()).await?
    else {
        return Ok(EmailChange::Invalid);
    };
    let Some(user) = users::find(tx.exec(), user_id).await? else {
        return Ok(EmailChange::Invalid);
    };
    match users::set_email(tx.exec(), user_id, &new_email).await {
        Ok(()) => {}
        Err(storage::Error::Duplicate { .. }) => return Ok(EmailChange::Taken),
        Err(e) => return Err(e.into()),
    }
    let entry = Entry::new(
        Event::EmailChanged,
        &Actor::of(&user, client_address),
        Target::user(user_id),
        format!("{} → {new_email}", user.email),
    );
    audit::append(svc, tx.exec(), &entry).await?;
    tx.commit().await?;
    tracing::info!(user_id, "e-mail address changed");
    Ok(EmailChange::Changed(new_email))
}
