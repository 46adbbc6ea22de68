//! Outgoing mail: written to the outbox table in the same transaction as the
//! change that caused it, delivered by [`worker`] with lettre over SMTP, or
//! kept for the dev mailbox when no SMTP server is configured.

pub mod templates;
pub mod worker;

use std::sync::Arc;

use tokio::sync::Notify;

/// Wakes the delivery worker after a transaction that queued mail commits.
#[derive(Clone, Default)]
pub struct MailQueue(Arc<Notify>);

impl MailQueue {
    pub fn wake(&self) {
        self.0.notify_one();
    }

    pub async fn woken(&self) {
        self.0.notified().await;
    }
}
