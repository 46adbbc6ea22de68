//! The audit log's vocabulary: which events are recorded, and who did them
//! from where. The log is append-only; see `storage::audit`.

use super::email::EmailAddress;
use super::user::User;

/// Something the bank must be able to trace afterwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    SignedUp,
    EmailVerified,
    SignedIn,
    SignInFailed,
    PasswordReset,
    KeysGenerated,
    SecretRegenerated,
    KeysRevoked,
    CertificateRegistered,
    CertificateConfirmed,
    CertificateDeleted,
    TestCertificateIssued,
    ApplicationDeleted,
    PersonalTokenCreated,
    PersonalTokenRevoked,
    EmailChanged,
    RequestStarted,
    RequestApplied,
    RequestRejected,
    AccountDisabled,
    AccountEnabled,
    AccountClosed,
    SubscriptionBlocked,
    SubscriptionUnblocked,
    AdminCreated,
    AdminPromoted,
    AuditExported,
    MailResent,
    LegalApproved,
}

impl Event {
    pub const ALL: [Event; 29] = [
        Event::SignedUp,
        Event::EmailVerified,
        Event::SignedIn,
        Event::SignInFailed,
        Event::PasswordReset,
        Event::KeysGenerated,
        Event::SecretRegenerated,
        Event::KeysRevoked,
        Event::CertificateRegistered,
        Event::CertificateConfirmed,
        Event::CertificateDeleted,
        Event::TestCertificateIssued,
        Event::ApplicationDeleted,
        Event::PersonalTokenCreated,
        Event::PersonalTokenRevoked,
        Event::EmailChanged,
        Event::RequestStarted,
        Event::RequestApplied,
        Event::RequestRejected,
        Event::AccountDisabled,
        Event::AccountEnabled,
        Event::AccountClosed,
        Event::SubscriptionBlocked,
        Event::SubscriptionUnblocked,
        Event::AdminCreated,
        Event::AdminPromoted,
        Event::AuditExported,
        Event::MailResent,
        Event::LegalApproved,
    ];

    pub fn parse(s: &str) -> Option<Event> {
        Event::ALL.into_iter().find(|e| e.as_str() == s)
    }

    /// The stored name: stable, so exports and queries outlive relabelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Event::SignedUp => "account.signed_up",
            Event::EmailVerified => "account.email_verified",
            Event::SignedIn => "sign_in.succeeded",
            Event::SignInFailed => "sign_in.failed",
            Event::PasswordReset => "account.password_reset",
            Event::KeysGenerated => "keys.generated",
            Event::SecretRegenerated => "keys.secret_regenerated",
            Event::KeysRevoked => "keys.revoked",
            Event::CertificateRegistered => "certificate.registered",
            Event::CertificateConfirmed => "certificate.confirmed",
            Event::CertificateDeleted => "certificate.deleted",
            Event::TestCertificateIssued => "test_certificate.issued",
            Event::ApplicationDeleted => "application.deleted",
            Event::PersonalTokenCreated => "personal_token.created",
            Event::PersonalTokenRevoked => "personal_token.revoked",
            Event::EmailChanged => "account.email_changed",
            Event::RequestStarted => "admin.request_started",
            Event::RequestApplied => "admin.request_applied",
            Event::RequestRejected => "admin.request_rejected",
            Event::AccountDisabled => "admin.account_disabled",
            Event::AccountEnabled => "admin.account_enabled",
            Event::AccountClosed => "admin.account_closed",
            Event::SubscriptionBlocked => "admin.subscription_blocked",
            Event::SubscriptionUnblocked => "admin.subscription_unblocked",
            Event::AdminCreated => "admin.created",
            Event::AdminPromoted => "admin.promoted",
            Event::AuditExported => "admin.audit_exported",
            Event::MailResent => "admin.mail_resent",
            Event::LegalApproved => "account.legal_approved",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Event::SignedUp => "Signed up",
            Event::EmailVerified => "E-mail verified",
            Event::SignedIn => "Signed in",
            Event::SignInFailed => "Sign-in failed",
            Event::PasswordReset => "Password reset",
            Event::KeysGenerated => "Keys generated",
            Event::SecretRegenerated => "Secret regenerated",
            Event::KeysRevoked => "Keys revoked",
            Event::CertificateRegistered => "Certificate registered",
            Event::CertificateConfirmed => "Certificate confirmed (key held)",
            Event::CertificateDeleted => "Certificate deleted",
            Event::TestCertificateIssued => "Test certificate issued",
            Event::ApplicationDeleted => "Application deleted",
            Event::PersonalTokenCreated => "Personal access token created",
            Event::PersonalTokenRevoked => "Personal access token revoked",
            Event::EmailChanged => "E-mail address changed",
            Event::RequestStarted => "Request marked in progress",
            Event::RequestApplied => "Request applied",
            Event::RequestRejected => "Request rejected",
            Event::AccountDisabled => "Account disabled",
            Event::AccountEnabled => "Account enabled",
            Event::AccountClosed => "Account closed",
            Event::SubscriptionBlocked => "Subscription blocked",
            Event::SubscriptionUnblocked => "Subscription unblocked",
            Event::AdminCreated => "Admin created",
            Event::AdminPromoted => "Account promoted to admin",
            Event::AuditExported => "Audit log exported",
            Event::MailResent => "Mail sent again",
            Event::LegalApproved => "New legal texts approved",
        }
    }
}

/// Who acted and from which address. `user_id` is empty when nobody is
/// known (a failed sign-in with an unknown e-mail, the command line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: Option<i64>,
    pub email: String,
    pub client_address: String,
}

impl Actor {
    pub fn new(user_id: Option<i64>, email: &str, client_address: &str) -> Actor {
        Actor {
            user_id,
            email: clip(email.trim(), 254).to_lowercase(),
            client_address: clip(client_address, 100).to_string(),
        }
    }

    /// A signed-in user acting from `client_address`.
    pub fn of(user: &User, client_address: &str) -> Actor {
        Actor::new(Some(user.id), &user.email, client_address)
    }

    /// An operator at the server's command line.
    pub fn command_line() -> Actor {
        Actor::new(None, "", "command line")
    }
}

/// What an event was about: a kind (`user`, `application`, `request`…) and an id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub kind: &'static str,
    pub id: String,
}

impl Target {
    pub fn user(id: i64) -> Target {
        Target {
            kind: "user",
            id: id.to_string(),
        }
    }

    pub fn application(id: &str) -> Target {
        Target {
            kind: "application",
            id: id.to_string(),
        }
    }

    pub fn request(id: &str) -> Target {
        Target {
            kind: "request",
            id: id.to_string(),
        }
    }

    pub fn subscription(id: &str) -> Target {
        Target {
            kind: "subscription",
            id: id.to_string(),
        }
    }

    pub fn mail(id: i64) -> Target {
        Target {
            kind: "mail",
            id: id.to_string(),
        }
    }

    pub fn personal_token(id: &str) -> Target {
        Target {
            kind: "personal_token",
            id: id.to_string(),
        }
    }

    /// An e-mail address typed by someone (a sign-in that named no known account).
    pub fn email(typed: &str) -> Target {
        Target {
            kind: "email",
            id: typed_email(typed),
        }
    }
}

/// What a visitor typed as an e-mail address, fit for the log: the address
/// when it is one, otherwise a placeholder. People type their password into
/// the e-mail field by mistake; that must not end up in a log admins export.
pub fn typed_email(typed: &str) -> String {
    match EmailAddress::parse(typed) {
        Ok(email) => email.as_str().to_string(),
        Err(_) => NOT_AN_EMAIL.to_string(),
    }
}

pub const NOT_AN_EMAIL: &str = "(not an e-mail address)";

/// A row of the log, as the admin page and the export show it.
#[derive(Debug, Clone)]
pub struct Record {
    pub id: i64,
    pub at: time::OffsetDateTime,
    pub event: String,
    pub actor_id: Option<i64>,
    pub actor_email: String,
    pub client_addr: String,
    pub target_kind: String,
    pub target_id: String,
    pub detail: String,
}

/// One row to append.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub event: Event,
    pub actor: Actor,
    pub target: Target,
    /// A short human note (the application's name, the reason given…).
    pub detail: String,
}

impl Entry {
    pub fn new(event: Event, actor: &Actor, target: Target, detail: impl Into<String>) -> Entry {
        let detail = detail.into();
        Entry {
            event,
            actor: actor.clone(),
            target,
            detail: clip(&detail, 1000).to_string(),
        }
    }
}

/// What an admin looks for in the log. Empty text matches anything; the
/// times bound `at` (from inclusive, until exclusive).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub event: Option<Event>,
    /// One account's trail: rows it acted in or that were about it.
    pub account: Option<i64>,
    /// Part of the actor's e-mail address.
    pub actor: String,
    /// Part of the target's id (an application id, a user id, a typed e-mail).
    pub target: String,
    /// The start of the client address (`10.1.` matches a subnet).
    pub client: String,
    pub from: Option<time::OffsetDateTime>,
    pub until: Option<time::OffsetDateTime>,
}

/// At most `max` bytes, cut on a character boundary: what a visitor types
/// must not grow the log without bound.
fn clip(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// A value made safe for a CSV cell opened in a spreadsheet: quoted, and a
/// leading `= + - @` (a formula) neutralised with an apostrophe, since the
/// log holds text that visitors typed.
pub fn csv_field(value: &str) -> String {
    let guarded = match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{value}"),
        _ => value.to_string(),
    };
    format!("\"{}\"", guarded.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_name_parses_back_and_is_unique() {
        let mut seen = std::collections::HashSet::new();
        for e in Event::ALL {
            assert_eq!(Event::parse(e.as_str()), Some(e));
            assert!(seen.insert(e.as_str()), "{} twice", e.as_str());
        }
        assert_eq!(Event::parse("nonsense"), None);
    }

    #[test]
    fn typed_values_are_clipped_on_a_character_boundary() {
        let long = "å".repeat(300);
        let actor = Actor::new(None, &long, "10.0.0.1");
        assert!(actor.email.len() <= 254);
        assert!(actor.email.chars().all(|c| c == 'å'));
        assert_eq!(
            Actor::new(Some(1), "  Ada@Example.COM ", "::1").email,
            "ada@example.com"
        );
    }

    #[test]
    fn only_an_e_mail_address_typed_at_sign_in_is_kept() {
        assert_eq!(typed_email(" Nobody@Example.SE "), "nobody@example.se");
        assert_eq!(typed_email("correct horse battery staple"), NOT_AN_EMAIL);
        assert_eq!(Target::email("hunter2hunter2").id, NOT_AN_EMAIL);
    }

    #[test]
    fn csv_cells_are_quoted_and_formulas_neutralised() {
        assert_eq!(csv_field("plain"), "\"plain\"");
        assert_eq!(csv_field("say \"hi\", ok"), "\"say \"\"hi\"\", ok\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("@SUM(A1)"), "\"'@SUM(A1)\"");
        assert_eq!(csv_field("-1+2"), "\"'-1+2\"");
        assert_eq!(csv_field(""), "\"\"");
    }
}
