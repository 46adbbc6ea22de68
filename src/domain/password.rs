//! The password policy: 12 to 128 characters, not the e-mail address.

use std::fmt;

use super::email::EmailAddress;

pub const MIN_LEN: usize = 12;
pub const MAX_LEN: usize = 128;

/// A password that meets the policy. `Debug` never prints it.
pub struct NewPassword(String);

impl NewPassword {
    pub fn parse(password: &str, confirmation: &str, email: Option<&EmailAddress>) -> Result<Self, String> {
        let n = password.chars().count();
        if n < MIN_LEN {
            return Err(format!("Use at least {MIN_LEN} characters."));
        }
        if n > MAX_LEN {
            return Err(format!("Use at most {MAX_LEN} characters."));
        }
        if email.is_some_and(|e| password.trim().eq_ignore_ascii_case(e.as_str())) {
            return Err("Your password must not be your e-mail address.".into());
        }
        if password != confirmation {
            return Err("The two passwords are not the same.".into());
        }
        Ok(NewPassword(password.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPassword([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_limits_count_characters() {
        assert!(NewPassword::parse("short", "short", None).is_err());
        let twelve = "åäöåäöåäöåäö";
        assert!(NewPassword::parse(twelve, twelve, None).is_ok());
        let long = "x".repeat(129);
        assert!(NewPassword::parse(&long, &long, None).is_err());
    }

    #[test]
    fn the_email_address_is_not_a_password() -> Result<(), String> {
        let e = EmailAddress::parse("anna.svensson@example.se")?;
        let p = "Anna.Svensson@example.se";
        assert!(NewPassword::parse(p, p, Some(&e)).is_err());
        Ok(())
    }

    #[test]
    fn confirmation_must_match_and_debug_hides_it() -> Result<(), String> {
        assert!(NewPassword::parse("correct horse battery", "correct horse batterz", None).is_err());
        let p = NewPassword::parse("correct horse battery", "correct horse battery", None)?;
        assert!(!format!("{p:?}").contains("horse"));
        Ok(())
    }
}
