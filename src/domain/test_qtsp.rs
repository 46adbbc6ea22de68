//! The portal as a test QTSP (qualified trust service provider): the rules
//! of the test certificates it issues so that a TPP can rehearse mutual TLS
//! before it buys a QWAC. They look like a QWAC (eIDAS qcStatements,
//! organizationIdentifier) but name the competent authority `TEST`, so that
//! nobody mistakes one for a real one, and they work in the sandbox only.

use time::{Duration, OffsetDateTime};

/// The competent authority a test certificate names.
pub const NCA_NAME: &str = "TEST";
pub const NCA_ID: &str = "SE-TEST";
/// How long a test certificate is valid.
pub const VALIDITY: Duration = Duration::days(365);
/// Shortest passphrase for the PKCS#12 file.
pub const MIN_PASSPHRASE: usize = 8;

/// A test certificate as the portal keeps it (never with its key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestCertificate {
    pub id: String,
    pub application_id: String,
    pub organization_id: String,
    /// PSP_AI and/or PSP_PI.
    pub roles: Vec<String>,
    pub serial: String,
    pub subject: String,
    pub not_before: OffsetDateTime,
    pub not_after: OffsetDateTime,
    /// SHA-256 of the DER, `AB:CD:…`.
    pub fingerprint: String,
    pub created_at: OffsetDateTime,
}

/// The organization ID of a developer's test certificates: stable for the
/// account, in the PSD2 form with `TEST` as the authority.
pub fn organization_id(developer_id: i64) -> String {
    format!("PSDSE-TEST-{:06}", developer_id.rem_euclid(1_000_000))
}

/// The roles a developer may ask for: account information and payment
/// initiation, the two the sandbox APIs need.
pub const ROLES: [&str; 2] = ["PSP_AI", "PSP_PI"];

/// What is wrong with a request for a test certificate, in words for the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invalid {
    NoRole,
    UnknownRole(String),
    ShortPassphrase,
    PassphrasesDiffer,
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Invalid::NoRole => write!(f, "Choose at least one role: PSP_AI (Accounts) or PSP_PI (Payments)."),
            Invalid::UnknownRole(r) => write!(f, "{r} is not a role the sandbox uses: choose PSP_AI or PSP_PI."),
            Invalid::ShortPassphrase => write!(
                f,
                "The passphrase protects the private key in the PKCS#12 file: use at least {MIN_PASSPHRASE} characters."
            ),
            Invalid::PassphrasesDiffer => write!(f, "The two passphrases differ."),
        }
    }
}

/// Checks a request: the roles (in the order of [`ROLES`], each once) and
/// the passphrase, typed twice where a form asks for it twice.
pub fn check_request(
    roles: &[String],
    passphrase: &str,
    confirmation: Option<&str>,
) -> Result<Vec<&'static str>, Invalid> {
    if let Some(unknown) = roles.iter().find(|r| !ROLES.contains(&r.as_str())) {
        return Err(Invalid::UnknownRole(unknown.clone()));
    }
    let chosen: Vec<&'static str> = ROLES.into_iter().filter(|r| roles.iter().any(|x| x == r)).collect();
    if chosen.is_empty() {
        return Err(Invalid::NoRole);
    }
    if passphrase.chars().count() < MIN_PASSPHRASE {
        return Err(Invalid::ShortPassphrase);
    }
    if confirmation.is_some_and(|c| c != passphrase) {
        return Err(Invalid::PassphrasesDiffer);
    }
    Ok(chosen)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roles(r: &[&str]) -> Vec<String> {
        r.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_request_names_known_roles_and_a_passphrase_long_enough() {
        assert_eq!(
            check_request(
                &roles(&["PSP_PI", "PSP_AI", "PSP_AI"]),
                "long enough",
                Some("long enough")
            ),
            Ok(vec!["PSP_AI", "PSP_PI"])
        );
        assert_eq!(check_request(&[], "long enough", None), Err(Invalid::NoRole));
        assert_eq!(
            check_request(&roles(&["PSP_AS"]), "long enough", None),
            Err(Invalid::UnknownRole("PSP_AS".into()))
        );
        assert_eq!(
            check_request(&roles(&["PSP_AI"]), "short", None),
            Err(Invalid::ShortPassphrase)
        );
        assert_eq!(
            check_request(&roles(&["PSP_AI"]), "long enough", Some("long enougH")),
            Err(Invalid::PassphrasesDiffer)
        );
    }

    #[test]
    fn the_organization_id_is_stable_per_account_and_in_psd2_form() {
        assert_eq!(organization_id(42), "PSDSE-TEST-000042");
        assert_eq!(organization_id(42), organization_id(42));
        assert!(crate::domain::qwac::is_psd2_organization_id(&organization_id(
            1_234_567
        )));
    }
}
