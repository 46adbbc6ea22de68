//! The password policy (NIST SP 800-63B §5.1.1.2): 12 to 128 characters,
//! not the e-mail address, and not one of the commonly used passwords, as
//! such or with digits and symbols around it or repeated.

use std::collections::HashSet;
use std::fmt;
use std::sync::LazyLock;

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
        if let Some(why) = guessable(password) {
            return Err(why.into());
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

/// The 49,000 most common passwords (src/domain/common_passwords.txt).
static COMMON: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("common_passwords.txt")
        .lines()
        .filter(|l| !l.starts_with('#'))
        .collect()
});

/// Why a password of the right length is still easy to guess, if it is.
fn guessable(password: &str) -> Option<&'static str> {
    let lower = password.to_lowercase();
    if COMMON.contains(lower.as_str()) {
        return Some("This is one of the most common passwords. Choose another.");
    }
    let core = lower.trim_matches(|c: char| !c.is_alphabetic());
    if COMMON.contains(core) {
        return Some("This is a common password with digits or symbols added. Choose another.");
    }
    // A walk along the keyboard or the alphabet, either way.
    const WALKS: [&str; 4] = [
        "qwertyuiopasdfghjklzxcvbnm",
        "qwertzuiopasdfghjklyxcvbnm",
        "abcdefghijklmnopqrstuvwxyz",
        "12345678901234567890",
    ];
    let plain: String = lower.chars().filter(char::is_ascii_alphanumeric).collect();
    if plain.len() >= 8
        && WALKS
            .iter()
            .any(|w| w.contains(&plain) || w.chars().rev().collect::<String>().contains(&plain))
    {
        return Some("This password is a row of keys or letters. Choose another.");
    }
    // "dragondragon": a short common word said again.
    let chars: Vec<char> = lower.chars().collect();
    for period in 1..=chars.len() / 2 {
        if chars.len() % period == 0 && chars.chunks(period).all(|c| c == &chars[..period]) {
            return Some("This password repeats itself. Choose another.");
        }
    }
    let distinct: HashSet<char> = lower.chars().collect();
    if distinct.len() < 5 {
        return Some("This password uses too few different characters. Choose another.");
    }
    None
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
        let twelve = "snö på älven";
        assert!(NewPassword::parse(twelve, twelve, None).is_ok());
        let long = "x".repeat(129);
        assert!(NewPassword::parse(&long, &long, None).is_err());
    }

    #[test]
    fn common_and_easily_guessed_passwords_are_refused() {
        for weak in [
            "password1234",
            "Password1234!",
            "qwertyuiopasdfgh",
            "1234567890123",
            "iloveyou2026!!",
            "dragondragondragon",
            "aaaaaaaaaaaaaa",
            "abababababab12",
        ] {
            assert!(NewPassword::parse(weak, weak, None).is_err(), "{weak}");
        }
        for fine in [
            "correct horse battery staple",
            "Tr4vel-Kiruna-Umeå",
            "mY dog eats 7 socks",
        ] {
            assert!(NewPassword::parse(fine, fine, None).is_ok(), "{fine}");
        }
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
