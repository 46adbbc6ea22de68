//! Periodic clean-up of rows that have served their time. Each period is
//! stated in the README ("Security and privacy").

use super::Services;
use crate::storage;
use crate::storage::retention::{self, Expired};

const DAY: i64 = 86_400;
/// Rate-limit windows: the longest window is a day.
pub const THROTTLE_DAYS: i64 = 1;
/// Verification, reset and e-mail change links, after they expire: long
/// enough that a late click says "expired" rather than "invalid".
pub const EMAIL_TOKEN_DAYS: i64 = 7;
/// Personal access tokens, after they expire: the profile shows them as
/// expired for a while.
pub const PERSONAL_TOKEN_DAYS: i64 = 30;
/// Mails, after they were sent (their bodies are dropped at sending).
pub const SENT_MAIL_DAYS: i64 = 30;
/// A mail given up keeps its (sealed) body this long, for an admin to send it again.
pub const GIVEN_UP_MAIL_DAYS: i64 = 7;

/// Deletes what is past its retention: rate-limit windows, expired access
/// tokens, e-mail tokens and change links, personal access tokens, and sent
/// mails. (Expired sessions are deleted by the session store.)
pub async fn sweep(svc: &Services) -> Result<(), storage::Error> {
    let now = svc.now().unix_timestamp();
    svc.access.prune(now);
    let mut conn = svc.db.conn().await?;
    for (what, before) in [
        (Expired::RateLimitWindows, now - THROTTLE_DAYS * DAY),
        (Expired::AccessTokens, now),
        (Expired::EmailTokens, now - EMAIL_TOKEN_DAYS * DAY),
        (Expired::EmailChanges, now - EMAIL_TOKEN_DAYS * DAY),
        (Expired::PersonalTokens, now - PERSONAL_TOKEN_DAYS * DAY),
        (Expired::SentMails, now - SENT_MAIL_DAYS * DAY),
        (Expired::GivenUpMailBodies, now - GIVEN_UP_MAIL_DAYS * DAY),
        (Expired::Authorizations, now - DAY),
        (Expired::RefreshTokens, now),
        (Expired::BankIdOrders, now - DAY),
    ] {
        retention::delete(conn.exec(), what, before).await?;
    }
    Ok(())
}
