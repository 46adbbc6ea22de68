//! A developer's personal access token for the JSON API, as listed (the
//! token itself is shown once and stored only as a hash).

use time::OffsetDateTime;

#[derive(Debug, Clone)]
pub struct PersonalAccessToken {
    pub id: String,
    pub name: String,
    pub created_at: OffsetDateTime,
    pub last_used_at: Option<OffsetDateTime>,
}
