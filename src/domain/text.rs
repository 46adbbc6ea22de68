//! One rule for every free-text field (names, organization, application
//! names and descriptions, messages, reasons, token names): text is kept as
//! it was meant, in Unicode's composed form (NFC: "é" is one character
//! however it was typed, so equal names compare equal), and nothing that
//! changes how text reads without being seen is accepted: no Unicode format
//! characters (bidirectional overrides and isolates, zero-width spaces and
//! joiners, the byte-order mark) and no control characters, but line breaks
//! and tabs where a field has several lines.

use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

/// Whether a field holds one line or several.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    One,
    Several,
}

/// `input` trimmed and NFC-normalised, or what to remove from it.
pub fn clean(input: &str, lines: Lines) -> Result<String, String> {
    let s: String = input.trim().nfc().collect();
    if s.chars().any(|c| c.general_category() == GeneralCategory::Format) {
        return Err(
            "Remove the invisible formatting characters (such as a right-to-left override or a zero-width space)."
                .into(),
        );
    }
    let allowed = |c: char| lines == Lines::Several && matches!(c, '\n' | '\r' | '\t');
    if s.chars().any(|c| c.is_control() && !allowed(c)) {
        return Err("Remove the control characters.".into());
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_composed_and_trimmed() -> Result<(), String> {
        assert_eq!(clean("  Jose\u{301}  ", Lines::One)?, "José");
        assert_eq!(clean("Jose\u{301}", Lines::One)?.chars().count(), 4);
        assert_eq!(clean("two\nlines", Lines::Several)?, "two\nlines");
        Ok(())
    }

    #[test]
    fn invisible_formatting_and_control_characters_are_refused() {
        for bad in [
            "Bank\u{202E}evil",
            "Pay\u{2066}ments\u{2069}",
            "zero\u{200B}width",
            "join\u{200D}er",
            "\u{FEFF}bom",
            "soft\u{00AD}hyphen",
        ] {
            assert!(clean(bad, Lines::Several).is_err(), "{bad:?}");
        }
        assert!(clean("one\nline", Lines::One).is_err());
        assert!(clean("nul\u{0}", Lines::Several).is_err());
    }
}
