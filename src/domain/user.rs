//! A portal account.

use time::OffsetDateTime;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Developer,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Developer => "developer",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "developer" => Some(Role::Developer),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub organization: String,
    pub country: String,
    pub phone: Option<String>,
    pub role: Role,
    pub privacy_version: String,
    pub terms_version: String,
    pub legal_accepted_at: OffsetDateTime,
    pub email_verified_at: Option<OffsetDateTime>,
    /// Bumped to end every session of the account at once (password reset).
    pub session_epoch: i64,
    pub disabled_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
}

impl User {
    pub fn display_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }

    pub fn is_verified(&self) -> bool {
        self.email_verified_at.is_some()
    }
}

/// What sign-up stores for a new account.
#[derive(Debug)]
pub struct NewUser {
    pub email: super::email::EmailAddress,
    pub password_hash: String,
    pub first_name: String,
    pub last_name: String,
    pub organization: String,
    pub country: String,
    pub phone: Option<String>,
    pub privacy_version: String,
    pub terms_version: String,
}
