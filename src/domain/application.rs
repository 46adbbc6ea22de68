//! An application a developer registers to call the bank's APIs.

use url::Url;

use super::text::{Lines, clean};

/// 1–70 characters: letters, digits, space, `_`, `-`, `.` (the bank's guide
/// uses `psd2_sandbox`). Unique per developer regardless of case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationName(String);

impl ApplicationName {
    pub fn parse(input: &str) -> Result<Self, String> {
        let s = clean(input, Lines::One)?;
        if s.is_empty() {
            return Err("Give the application a name.".into());
        }
        if s.chars().count() > 70 {
            return Err("Use at most 70 characters.".into());
        }
        if let Some(bad) = s.chars().find(|c| !(c.is_alphanumeric() || " _-.".contains(*c))) {
            return Err(format!(
                "{bad:?} is not allowed: use letters, digits, spaces, '_', '-' and '.'."
            ));
        }
        Ok(ApplicationName(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form two names are compared in for uniqueness.
    pub fn key(&self) -> String {
        self.0.to_lowercase()
    }
}

pub fn parse_description(input: &str) -> Result<String, String> {
    let s = clean(input, Lines::Several)?;
    if s.chars().count() > 1000 {
        return Err("Use at most 1000 characters.".into());
    }
    Ok(s)
}

/// An optional OAuth callback URL; it must be https (http only for localhost,
/// so developers can test on their machine).
pub fn parse_callback_url(input: &str) -> Result<Option<String>, String> {
    let s = input.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let url = Url::parse(s).map_err(|_| "Enter a full URL like https://app.example.com/callback.".to_string())?;
    let local = matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    match url.scheme() {
        "https" => {}
        "http" if local => {}
        _ => return Err("The callback URL must use https.".into()),
    }
    if url.fragment().is_some() {
        return Err("A callback URL cannot have a #fragment.".into());
    }
    if s.len() > 500 {
        return Err("Use at most 500 characters.".into());
    }
    Ok(Some(url.to_string()))
}

/// The application's redirect URIs, one per line (or comma separated): each
/// as a callback URL, at most 10, no repeats. The authorization endpoint
/// takes exactly one of them.
pub fn parse_redirect_uris(input: &str) -> Result<Vec<String>, String> {
    let mut uris: Vec<String> = Vec::new();
    for line in input.split(['\n', ',']).map(str::trim).filter(|l| !l.is_empty()) {
        let uri = parse_callback_url(line)
            .map_err(|m| format!("{line}: {}", m.replace("callback URL", "redirect URI")))?
            .unwrap_or_default();
        if !uris.contains(&uri) {
            uris.push(uri);
        }
    }
    if uris.len() > 10 {
        return Err("Register at most 10 redirect URIs.".into());
    }
    Ok(uris)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_uris_are_a_list_of_callback_urls() {
        assert_eq!(
            parse_redirect_uris("https://a.example/cb\r\n\nhttp://localhost:3000/cb, https://a.example/cb"),
            Ok(vec!["https://a.example/cb".into(), "http://localhost:3000/cb".into()])
        );
        assert_eq!(parse_redirect_uris("  "), Ok(vec![]));
        assert!(parse_redirect_uris("https://a.example/cb\nhttp://a.example/cb").is_err());
    }

    #[test]
    fn the_banks_example_name_and_allowed_characters_pass() {
        for ok in ["psd2_sandbox", "My App 2.0", "a", "Åkes-app", &"x".repeat(70)] {
            assert!(ApplicationName::parse(ok).is_ok(), "{ok:?}");
        }
    }

    #[test]
    fn names_out_of_bounds_or_with_other_characters_are_refused() {
        for bad in ["", "   ", "a/b", "<script>", "semi;colon", &"x".repeat(71)] {
            assert!(ApplicationName::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn names_compare_without_case() -> Result<(), String> {
        let a = ApplicationName::parse("PSD2_Sandbox")?;
        assert_eq!(a.key(), "psd2_sandbox");
        assert_eq!(a.as_str(), "PSD2_Sandbox");
        Ok(())
    }

    #[test]
    fn callback_urls_must_be_https_except_on_localhost() {
        assert_eq!(parse_callback_url(""), Ok(None));
        assert!(matches!(parse_callback_url("https://app.example.com/cb"), Ok(Some(_))));
        assert!(matches!(parse_callback_url("http://localhost:3000/cb"), Ok(Some(_))));
        assert!(parse_callback_url("http://app.example.com/cb").is_err());
        assert!(parse_callback_url("javascript:alert(1)").is_err());
        assert!(parse_callback_url("not a url").is_err());
    }
}

/// A stored application.
#[derive(Debug, Clone)]
pub struct Application {
    pub id: String,
    pub developer_id: i64,
    pub name: String,
    pub description: String,
    pub callback_url: Option<String>,
    /// Where the authorization endpoint may send the customer back to, one per line.
    pub redirect_uris: String,
    pub created_at: time::OffsetDateTime,
    pub updated_at: time::OffsetDateTime,
}

impl Application {
    /// The registered redirect URIs.
    pub fn redirect_uri_list(&self) -> Vec<&str> {
        self.redirect_uris.lines().filter(|l| !l.is_empty()).collect()
    }
}

/// A subscription of an application to one API version, with what a page shows of both.
#[derive(Debug, Clone)]
pub struct Subscription {
    pub id: String,
    pub application_id: String,
    pub application_name: String,
    pub api_slug: String,
    pub api_name: String,
    pub api_version: String,
    pub environment: super::catalogue::Environment,
    pub status: String,
    pub created_at: time::OffsetDateTime,
}

impl Subscription {
    /// A bank admin blocked it: calls to its API are refused until unblocked.
    pub fn is_blocked(&self) -> bool {
        self.status == "blocked"
    }

    pub fn status_label(&self) -> &'static str {
        if self.is_blocked() {
            "Blocked by the bank"
        } else {
            "Active"
        }
    }
}

/// The public half of an application's client credentials.
#[derive(Debug, Clone)]
pub struct Keys {
    pub application_id: String,
    pub environment: super::catalogue::Environment,
    pub client_id: String,
    pub created_at: time::OffsetDateTime,
    pub secret_changed_at: time::OffsetDateTime,
}

/// What deleting an application takes with it, shown before it happens.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeletionPreview {
    pub subscriptions: i64,
    pub keys: i64,
    pub tokens: i64,
    pub payments: i64,
    /// Registered certificates, with their history.
    pub certificates: i64,
}
