//! A developer's personal access token for the JSON API, as listed (the
//! token itself is shown once and stored only as a hash).

use time::{Duration, OffsetDateTime};

#[derive(Debug, Clone)]
pub struct PersonalAccessToken {
    pub id: String,
    pub name: String,
    pub created_at: OffsetDateTime,
    pub last_used_at: Option<OffsetDateTime>,
    /// After this the token no longer works.
    pub expires_at: OffsetDateTime,
}

/// How long a new token works when nothing else is asked for.
pub const DEFAULT_DAYS: i64 = 90;
/// The longest a token may work: a forgotten token ends within a year.
pub const MAX_DAYS: i64 = 365;
/// The lifetimes the profile page offers.
pub const OFFERED_DAYS: [i64; 4] = [30, 90, 180, 365];

/// A token's lifetime from the days asked for (none: the default).
pub fn lifetime(days: Option<i64>) -> Result<Duration, String> {
    match days.unwrap_or(DEFAULT_DAYS) {
        d @ 1..=MAX_DAYS => Ok(Duration::days(d)),
        _ => Err(format!("Choose between 1 and {MAX_DAYS} days.")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_works_90_days_by_default_and_at_most_a_year() -> Result<(), String> {
        assert_eq!(lifetime(None)?, Duration::days(90));
        assert_eq!(lifetime(Some(365))?, Duration::days(365));
        assert!(lifetime(Some(366)).is_err());
        assert!(lifetime(Some(0)).is_err());
        Ok(())
    }
}
