//! Deleting rows past their retention, one statement per kind, so every
//! period the README states maps to exactly one line here and one in
//! `services::maintenance`.

use super::{Exec, Result, sql};

/// What is deleted once its time (unix seconds) is before the cut-off.
#[derive(Debug, Clone, Copy)]
pub enum Expired {
    /// Rate-limit windows, by their start.
    RateLimitWindows,
    /// Access tokens the token endpoint issued, by their expiry.
    AccessTokens,
    /// Verification and reset links, by their expiry.
    EmailTokens,
    /// E-mail change links, by their expiry.
    EmailChanges,
    /// Personal access tokens, by their expiry.
    PersonalTokens,
    /// Sent mails, by when they were sent.
    SentMails,
    /// The bodies of mails given up for good (kept for "send again"), by when.
    GivenUpMailBodies,
    /// Authorization requests, by when they ended (kept a while past that:
    /// a replayed code is recognised, and revokes, while its request is kept).
    Authorizations,
    /// Refresh tokens, by their expiry (used ones are kept until then: a
    /// reuse is recognised while they are).
    RefreshTokens,
    /// The simulated BankID's orders, by when they started.
    BankIdOrders,
}

impl Expired {
    fn statement(self) -> &'static str {
        match self {
            Expired::RateLimitWindows => "DELETE FROM throttle WHERE window_start < $1",
            Expired::AccessTokens => "DELETE FROM oauth_tokens WHERE expires_at < $1",
            Expired::EmailTokens => "DELETE FROM email_tokens WHERE expires_at < $1",
            Expired::EmailChanges => "DELETE FROM email_changes WHERE expires_at < $1",
            Expired::PersonalTokens => "DELETE FROM personal_access_tokens WHERE expires_at < $1",
            Expired::SentMails => "DELETE FROM outbox WHERE sent_at IS NOT NULL AND sent_at < $1",
            Expired::GivenUpMailBodies => {
                "UPDATE outbox SET body_text = '', body_html = '' WHERE failed_at IS NOT NULL AND failed_at < $1 \
                 AND body_text <> ''"
            }
            Expired::Authorizations => "DELETE FROM authorizations WHERE expires_at < $1",
            Expired::RefreshTokens => "DELETE FROM refresh_tokens WHERE expires_at < $1",
            Expired::BankIdOrders => "DELETE FROM bankid_orders WHERE started_at < $1",
        }
    }
}

/// Deletes the rows of `what` whose time is before `before`; how many went.
pub async fn delete(ex: Exec<'_>, what: Expired, before: i64) -> Result<u64> {
    sql(what.statement()).bind(before).execute(ex).await
}
