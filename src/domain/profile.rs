//! The personal information a developer gives at sign-up.

use super::text::{Lines, clean};

/// Countries of the EEA (where PSD2 licences are granted) plus the UK and
/// Switzerland, as ISO 3166-1 alpha-2 codes with English names.
pub const COUNTRIES: &[(&str, &str)] = &[
    ("AT", "Austria"),
    ("BE", "Belgium"),
    ("BG", "Bulgaria"),
    ("HR", "Croatia"),
    ("CY", "Cyprus"),
    ("CZ", "Czechia"),
    ("DK", "Denmark"),
    ("EE", "Estonia"),
    ("FI", "Finland"),
    ("FR", "France"),
    ("DE", "Germany"),
    ("GR", "Greece"),
    ("HU", "Hungary"),
    ("IS", "Iceland"),
    ("IE", "Ireland"),
    ("IT", "Italy"),
    ("LV", "Latvia"),
    ("LI", "Liechtenstein"),
    ("LT", "Lithuania"),
    ("LU", "Luxembourg"),
    ("MT", "Malta"),
    ("NL", "Netherlands"),
    ("NO", "Norway"),
    ("PL", "Poland"),
    ("PT", "Portugal"),
    ("RO", "Romania"),
    ("SK", "Slovakia"),
    ("SI", "Slovenia"),
    ("ES", "Spain"),
    ("SE", "Sweden"),
    ("CH", "Switzerland"),
    ("GB", "United Kingdom"),
];

pub fn country_name(code: &str) -> Option<&'static str> {
    COUNTRIES.iter().find(|(c, _)| *c == code).map(|(_, n)| *n)
}

/// Trims `input` and checks it is 1..=max characters without control characters.
pub fn parse_text(input: &str, what: &str, max: usize) -> Result<String, String> {
    let s = clean(input, Lines::One)?;
    if s.is_empty() {
        return Err(format!("Enter your {what}."));
    }
    if s.chars().count() > max {
        return Err(format!("Use at most {max} characters."));
    }
    Ok(s)
}

pub fn parse_country(input: &str) -> Result<String, String> {
    let code = input.trim().to_uppercase();
    if code.is_empty() {
        return Err("Choose your country.".into());
    }
    country_name(&code)
        .map(|_| code.clone())
        .ok_or_else(|| "Choose a country from the list.".into())
}

/// An optional phone number: empty is none; otherwise `+`, digits, spaces,
/// dashes and brackets, with 6 to 15 digits (E.164's maximum).
pub fn parse_phone(input: &str) -> Result<Option<String>, String> {
    let s = input.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let allowed = s
        .chars()
        .enumerate()
        .all(|(i, c)| c.is_ascii_digit() || " -()".contains(c) || (c == '+' && i == 0));
    let digits = s.chars().filter(char::is_ascii_digit).count();
    if allowed && (6..=15).contains(&digits) {
        Ok(Some(s.to_string()))
    } else {
        Err("Enter a phone number like +46 8 123 456 78.".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countries_are_codes_from_the_list() {
        assert_eq!(parse_country("se").as_deref(), Ok("SE"));
        assert!(parse_country("XX").is_err());
        assert!(parse_country("").is_err());
    }

    #[test]
    fn phone_is_optional_but_checked() {
        assert_eq!(parse_phone("  "), Ok(None));
        assert_eq!(
            parse_phone("+46 8 123 456 78"),
            Ok(Some("+46 8 123 456 78".to_string()))
        );
        assert!(parse_phone("call me").is_err());
        assert!(parse_phone("12+34567").is_err());
        assert!(parse_phone("123").is_err());
    }

    #[test]
    fn text_is_trimmed_and_bounded() {
        assert_eq!(parse_text("  Anna ", "first name", 100).as_deref(), Ok("Anna"));
        assert!(parse_text("", "first name", 100).is_err());
        assert!(parse_text(&"a".repeat(101), "first name", 100).is_err());
        assert!(parse_text("a\u{0}b", "first name", 100).is_err());
    }
}
