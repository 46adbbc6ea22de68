//! Amounts in minor units (öre, cent), written as "1234.50" in JSON.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Money(pub i64);

impl Money {
    /// Parses "1234.5", "1234.50" or "1234"; positive, at most two decimals.
    pub fn parse_positive(s: &str) -> Result<Money, String> {
        let s = s.trim();
        let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
        let ok = !whole.is_empty()
            && whole.len() <= 12
            && whole.chars().all(|c| c.is_ascii_digit())
            && frac.len() <= 2
            && frac.chars().all(|c| c.is_ascii_digit());
        if !ok {
            return Err(format!("{s:?} is not an amount like \"123.45\"."));
        }
        let minor = whole.parse::<i64>().unwrap_or(0) * 100 + format!("{frac:0<2}").parse::<i64>().unwrap_or(0);
        if minor == 0 {
            return Err("The amount must be more than zero.".into());
        }
        Ok(Money(minor))
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        write!(f, "{sign}{}.{:02}", self.0.abs() / 100, self.0.abs() % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_round_trip_as_strings() {
        assert_eq!(Money::parse_positive("1234.5"), Ok(Money(123_450)));
        assert_eq!(Money(-5).to_string(), "-0.05");
        assert_eq!(Money(123_450).to_string(), "1234.50");
        for bad in ["", "-1", "1.234", "abc", "0", "0.00", "1,50"] {
            assert!(Money::parse_positive(bad).is_err(), "{bad:?}");
        }
    }
}
