//! The mail outbox: what the dev mailbox shows, and the leases the mail
//! worker takes and settles. A mail is written to the outbox in the same
//! transaction as the change that caused it (see the use cases).

use super::{ServiceError, Services, must_be_admin};
use crate::domain::mail::{OutgoingMail, StoredMail};
use crate::domain::user::User;
use crate::storage::{Exec, outbox};

/// How long a claimed mail is held by one worker before another may retry it.
/// Longer than the SMTP timeout (20 s), short enough that a crashed
/// instance's mail goes out soon from another.
const LEASE: time::Duration = time::Duration::minutes(1);

/// Writes a mail to the outbox in the caller's transaction, its body sealed.
pub async fn enqueue(
    svc: &Services,
    ex: Exec<'_>,
    mail: &OutgoingMail,
    now: time::OffsetDateTime,
) -> anyhow::Result<i64> {
    let sealed = OutgoingMail {
        recipient: mail.recipient.clone(),
        subject: mail.subject.clone(),
        body_text: svc.sealer.seal(&mail.body_text)?,
        body_html: svc.sealer.seal(&mail.body_html)?,
    };
    Ok(outbox::enqueue(ex, &sealed, now).await?)
}

/// The mail with its body opened.
fn opened(svc: &Services, mut mail: StoredMail) -> anyhow::Result<StoredMail> {
    mail.body_text = svc.sealer.open(&mail.body_text)?;
    mail.body_html = svc.sealer.open(&mail.body_html)?;
    Ok(mail)
}

/// The newest mails, newest first (the dev mailbox).
pub async fn recent(svc: &Services) -> Result<Vec<StoredMail>, ServiceError> {
    let mut conn = svc.db.conn().await?;
    let mails = outbox::recent(conn.exec(), 100).await?;
    Ok(mails
        .into_iter()
        .map(|m| opened(svc, m))
        .collect::<anyhow::Result<_>>()?)
}

pub async fn find(svc: &Services, id: i64) -> Result<StoredMail, ServiceError> {
    let mut conn = svc.db.conn().await?;
    let mail = outbox::find(conn.exec(), id).await?.ok_or(ServiceError::NotFound)?;
    Ok(opened(svc, mail)?)
}

/// Leases the oldest due mail for delivery, its body opened; none when
/// nothing is due.
pub async fn claim_due(svc: &Services) -> Result<Option<StoredMail>, ServiceError> {
    let now = svc.now();
    let mut conn = svc.db.conn().await?;
    let mail = outbox::claim_due(conn.exec(), now, now + LEASE).await?;
    Ok(mail.map(|m| opened(svc, m)).transpose()?)
}

/// The mail went out (`via` names the transport). Its body is dropped,
/// unless the dev mailbox is where it is read.
pub async fn delivered(svc: &Services, id: i64, via: &str) -> Result<(), ServiceError> {
    let mut conn = svc.db.conn().await?;
    Ok(outbox::mark_sent(conn.exec(), id, via, svc.now(), !svc.dev_mailbox).await?)
}

/// The mail did not go out; it is tried again after `delay`.
pub async fn retry_later(svc: &Services, id: i64, error: &str, delay: std::time::Duration) -> Result<(), ServiceError> {
    let next = svc.now() + delay;
    let mut conn = svc.db.conn().await?;
    Ok(outbox::mark_failed(conn.exec(), id, error, next).await?)
}

/// After this many permanent refusals (5xx) a mail is given up.
pub const PERMANENT_TRIES: i64 = 3;

/// The mail server refused the mail for good `PERMANENT_TRIES` times: it is
/// not tried again, and admins see it (see [`undelivered`]).
pub async fn give_up(svc: &Services, id: i64, error: &str) -> Result<(), ServiceError> {
    let mut conn = svc.db.conn().await?;
    Ok(outbox::mark_given_up(conn.exec(), id, error, svc.now()).await?)
}

/// Mails given up or still failing, for an admin.
pub async fn undelivered(svc: &Services, admin: &User) -> Result<Vec<StoredMail>, ServiceError> {
    must_be_admin(admin)?;
    let mut conn = svc.db.conn().await?;
    Ok(outbox::undelivered(conn.exec(), 500).await?)
}

/// The outbox for an admin: the newest mails in every state (waiting,
/// retrying, sent, given up), so "the mail never arrived" can be answered.
pub async fn overview(svc: &Services, admin: &User) -> Result<Vec<StoredMail>, ServiceError> {
    must_be_admin(admin)?;
    let mut conn = svc.db.conn().await?;
    Ok(outbox::recent(conn.exec(), 200).await?)
}

/// An admin puts a mail that was given up back in the queue (the mail
/// server's problem is fixed); audited.
pub async fn send_again(svc: &Services, admin: &User, id: i64, client_address: &str) -> Result<(), ServiceError> {
    use crate::domain::audit::{Actor, Entry, Event, Target};
    must_be_admin(admin)?;
    let mut tx = svc.db.begin().await?;
    let mail = outbox::find(tx.exec(), id).await?.ok_or(ServiceError::NotFound)?;
    if !outbox::send_again(tx.exec(), id, svc.now()).await? {
        return Err(ServiceError::conflict(
            "not_given_up",
            "Only a mail that was given up can be sent again.",
        ));
    }
    let entry = Entry::new(
        Event::MailResent,
        &Actor::of(admin, client_address),
        Target::mail(id),
        &mail.recipient,
    );
    super::audit::append(svc, tx.exec(), &entry).await?;
    tx.commit().await?;
    svc.mail.wake();
    tracing::info!(admin_id = admin.id, mail_id = id, "mail sent again");
    Ok(())
}
