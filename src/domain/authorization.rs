//! The rules of an authorization request (RFC 6749 §4.1 with PKCE, RFC
//! 7636; pushed requests, RFC 9126; the decoupled flow, OpenID CIBA): what
//! the scope may name, how long each piece lives, how a code verifier is
//! checked, which redirect URIs an environment accepts. Pure.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use time::Duration;

use super::catalogue::Environment;

/// A code is exchanged within this long (FAPI 2.0: at most 60 s).
pub const CODE_LIFETIME: Duration = Duration::seconds(60);
/// A pushed request's `request_uri` is used within this long.
pub const REQUEST_URI_LIFETIME: Duration = Duration::seconds(90);
/// The customer has this long to identify and decide (the bank's "intent").
pub const REQUEST_LIFETIME: Duration = Duration::minutes(15);
/// A decoupled request lives as long as its BankID order.
pub const DECOUPLED_LIFETIME: Duration = super::bankid::ORDER_LIFETIME;
/// CIBA: the client polls at most this often (seconds).
pub const POLL_INTERVAL: i64 = 2;
/// Payment tokens: short, and never refreshed.
pub const PAYMENT_TOKEN_LIFETIME: Duration = Duration::minutes(15);

/// What the customer is asked to authorize: a consent or a payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// `AIS:<consentId>`
    Ais(String),
    /// `PIS:<paymentId>`
    Pis(String),
}

impl Scope {
    /// `AIS:<id>` or `PIS:<id>`, the prefix in any case.
    pub fn parse(s: &str) -> Result<Scope, String> {
        let s = s.trim();
        let (kind, id) = s
            .split_once(':')
            .ok_or_else(|| format!("scope must be AIS:<consentId> or PIS:<paymentId>, not {s:?}."))?;
        let id = id.trim();
        if id.is_empty() || id.len() > 100 || id.contains(char::is_whitespace) {
            return Err(format!("scope {s:?} names no consent or payment id."));
        }
        match kind.to_ascii_uppercase().as_str() {
            "AIS" => Ok(Scope::Ais(id.to_string())),
            "PIS" => Ok(Scope::Pis(id.to_string())),
            _ => Err(format!("scope must be AIS:<consentId> or PIS:<paymentId>, not {s:?}.")),
        }
    }

    /// As stored and as the token response says it.
    pub fn as_string(&self) -> String {
        match self {
            Scope::Ais(id) => format!("AIS:{id}"),
            Scope::Pis(id) => format!("PIS:{id}"),
        }
    }

    /// The API family a token with this scope calls.
    pub fn family(&self) -> &'static str {
        match self {
            Scope::Ais(_) => "accounts",
            Scope::Pis(_) => "payments",
        }
    }
}

/// Where an authorization request is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Pushed (PAR), not yet opened by the customer's browser.
    Pushed,
    /// The customer is identifying with BankID.
    Identifying,
    /// Identified; the consent page is waiting for a decision.
    Deciding,
    /// Approved: a code is out (redirect) or tokens may be collected (decoupled).
    Approved,
    /// Refused, cancelled or timed out; `error` says which.
    Denied,
    /// The code or the decoupled approval has been exchanged for tokens.
    Exchanged,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pushed => "pushed",
            Status::Identifying => "identifying",
            Status::Deciding => "deciding",
            Status::Approved => "approved",
            Status::Denied => "denied",
            Status::Exchanged => "exchanged",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        [
            Status::Pushed,
            Status::Identifying,
            Status::Deciding,
            Status::Approved,
            Status::Denied,
            Status::Exchanged,
        ]
        .into_iter()
        .find(|st| st.as_str() == s)
    }
}

/// RFC 7636 §4.6 with S256: BASE64URL(SHA256(verifier)) == challenge; the
/// verifier is 43–128 characters of `[A-Za-z0-9-._~]` (§4.1).
pub fn verifier_matches(verifier: &str, challenge: &str) -> Result<(), String> {
    let ok_chars = verifier
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
    if !(43..=128).contains(&verifier.len()) || !ok_chars {
        return Err("code_verifier must be 43 to 128 characters of A-Z, a-z, 0-9, '-', '.', '_', '~'.".into());
    }
    let computed = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    if subtle::ConstantTimeEq::ct_eq(computed.as_bytes(), challenge.as_bytes()).into() {
        Ok(())
    } else {
        Err("code_verifier does not match the code_challenge of the authorization request.".into())
    }
}

/// A `code_challenge` as RFC 7636 §4.2 makes it with S256: 43 characters of base64url.
pub fn challenge_is_well_formed(challenge: &str) -> bool {
    challenge.len() == 43
        && challenge
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Whether the environment accepts this registered redirect URI: https, or
/// `http://localhost` in the sandbox (a developer's machine), never in
/// production.
pub fn redirect_allowed(uri: &str, env: Environment) -> bool {
    let Ok(url) = url::Url::parse(uri) else {
        return false;
    };
    let local = matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    match (url.scheme(), env) {
        ("https", Environment::Production) => !local,
        ("https", Environment::Sandbox) => true,
        ("http", Environment::Sandbox) => local,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_name_a_consent_or_a_payment_whatever_the_case_of_the_prefix() {
        assert_eq!(Scope::parse("AIS:abc"), Ok(Scope::Ais("abc".into())));
        assert_eq!(Scope::parse("pis:123"), Ok(Scope::Pis("123".into())));
        assert_eq!(Scope::parse("Ais:x").map(|s| s.as_string()), Ok("AIS:x".into()));
        for bad in ["AIS", "AIS:", "accounts", "XYZ:1", "AIS:a b"] {
            assert!(Scope::parse(bad).is_err(), "{bad:?}");
        }
    }

    /// RFC 7636 Appendix B: this verifier gives this challenge.
    #[test]
    fn the_verifier_is_checked_as_rfc_7636_appendix_b_computes_it() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        assert!(challenge_is_well_formed(challenge));
        assert_eq!(verifier_matches(verifier, challenge), Ok(()));
        assert!(verifier_matches(&verifier.replace('d', "e"), challenge).is_err());
        assert!(verifier_matches("short", challenge).is_err());
        assert!(verifier_matches(&format!("{verifier}!"), challenge).is_err());
        assert!(!challenge_is_well_formed("abc"), "too short for SHA-256");
        assert!(
            !challenge_is_well_formed(&format!("{}.", &challenge[..42])),
            "not base64url"
        );
    }

    #[test]
    fn production_redirects_are_https_and_not_local() {
        assert!(redirect_allowed("https://tpp.example/cb", Environment::Production));
        assert!(!redirect_allowed("https://localhost/cb", Environment::Production));
        assert!(!redirect_allowed("http://localhost:8080/cb", Environment::Production));
        assert!(redirect_allowed("http://localhost:8080/cb", Environment::Sandbox));
        assert!(!redirect_allowed("http://tpp.example/cb", Environment::Sandbox));
        assert_eq!(Status::parse("deciding"), Some(Status::Deciding));
    }
}
