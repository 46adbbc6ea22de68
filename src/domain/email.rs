//! E-mail addresses, kept lower-cased so that one mailbox is one account.

use std::fmt;

#[derive(Clone, PartialEq, Eq, Hash)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(input: &str) -> Result<Self, String> {
        let s = input.trim().to_lowercase();
        if s.is_empty() {
            return Err("Enter your e-mail address.".into());
        }
        if s.len() > 254 {
            return Err("An e-mail address has at most 254 characters.".into());
        }
        let invalid = || "Enter an e-mail address like name@example.com.".to_string();
        let (local, domain) = s.rsplit_once('@').ok_or_else(invalid)?;
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local
                .chars()
                .all(|c| c.is_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c));
        let domain_ok = domain.contains('.')
            && domain.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_alphanumeric() || c == '-')
            });
        if local_ok && domain_ok {
            Ok(EmailAddress(s))
        } else {
            Err(invalid())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EmailAddress({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_trimmed_and_lower_cased() -> Result<(), String> {
        let e = EmailAddress::parse("  Anna.Svensson@Example.SE ")?;
        assert_eq!(e.as_str(), "anna.svensson@example.se");
        Ok(())
    }

    #[test]
    fn malformed_addresses_are_refused() {
        for bad in [
            "",
            "anna",
            "anna@",
            "@example.se",
            "anna@example",
            "a b@example.se",
            "anna@@example.se",
            ".anna@example.se",
            "anna@-example.se",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }
}
