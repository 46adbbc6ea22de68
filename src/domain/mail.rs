//! A mail as the use cases write it, and as the outbox keeps it until sent.

use time::OffsetDateTime;

#[derive(Debug, Clone)]
pub struct OutgoingMail {
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
}

/// A mail in the outbox, with its delivery state.
#[derive(Debug, Clone)]
pub struct StoredMail {
    pub id: i64,
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub created_at: OffsetDateTime,
    pub attempts: i64,
    pub sent_at: Option<OffsetDateTime>,
    pub last_error: Option<String>,
    /// Given up: the mail server refused it for good.
    pub failed_at: Option<OffsetDateTime>,
}
