//! A developer's message to the bank ("contact us"), and the profile values a
//! profile-change request asks for.

use std::collections::BTreeMap;

use super::email::EmailAddress;
use super::profile::{parse_country, parse_phone, parse_text};
use super::validation::FieldErrors;

/// A stored request, with its developer's name and e-mail for lists.
#[derive(Debug, Clone)]
pub struct ContactRequest {
    pub id: String,
    pub user_id: i64,
    pub category: String,
    pub message: String,
    /// JSON object of the profile values asked for.
    pub requested: String,
    pub status: String,
    pub reason: Option<String>,
    pub created_at: time::OffsetDateTime,
    pub updated_at: time::OffsetDateTime,
    pub developer: String,
    pub developer_email: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    Profile,
    Certificate,
    /// Close my account: everything goes, once a bank admin applies it.
    Closure,
    Other,
}

impl Category {
    pub fn parse(s: &str) -> Option<Category> {
        match s {
            "profile" => Some(Category::Profile),
            "certificate" => Some(Category::Certificate),
            "close_account" => Some(Category::Closure),
            "other" => Some(Category::Other),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Profile => "profile",
            Category::Certificate => "certificate",
            Category::Closure => "close_account",
            Category::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Category::Profile => "Profile change",
            Category::Certificate => "Certificate",
            Category::Closure => "Close my account",
            Category::Other => "Other",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Open,
    InProgress,
    Done,
    Rejected,
}

impl Status {
    pub const ALL: [Status; 4] = [Status::Open, Status::InProgress, Status::Done, Status::Rejected];

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|st| st.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::InProgress => "in_progress",
            Status::Done => "done",
            Status::Rejected => "rejected",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Open => "Open",
            Status::InProgress => "In progress",
            Status::Done => "Done",
            Status::Rejected => "Rejected",
        }
    }

    pub fn is_closed(self) -> bool {
        matches!(self, Status::Done | Status::Rejected)
    }
}

/// The profile fields a request may ask to change, in display order.
pub const PROFILE_FIELDS: &[(&str, &str)] = &[
    ("first_name", "First name"),
    ("last_name", "Last name"),
    ("organization", "Organization"),
    ("country", "Country"),
    ("phone", "Phone"),
    ("email", "E-mail"),
];

/// Checks the values asked for; empty fields are not asked for.
pub fn parse_requested(values: &BTreeMap<String, String>) -> Result<BTreeMap<String, String>, FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut out = BTreeMap::new();
    for (field, _) in PROFILE_FIELDS {
        let Some(v) = values.get(*field).map(|v| v.trim()).filter(|v| !v.is_empty()) else {
            continue;
        };
        let parsed = match *field {
            "first_name" => parse_text(v, "first name", 100),
            "last_name" => parse_text(v, "last name", 100),
            "organization" => parse_text(v, "organization", 200),
            "country" => parse_country(v),
            "phone" => parse_phone(v).map(|p| p.unwrap_or_default()),
            _ => EmailAddress::parse(v).map(|e| e.to_string()),
        };
        if let Some(ok) = errors.check(field, parsed) {
            out.insert(field.to_string(), ok);
        }
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}
