//! The Swedish personal identity number (personnummer), also as
//! samordningsnummer (day + 60). Accepted as `YYMMDD-NNNC`, `YYMMDD+NNNC`
//! (`+` from the year the person turns 100), `YYMMDDNNNC`, `YYYYMMDDNNNC` or
//! `YYYYMMDD-NNNC`; kept and shown as 12 digits.

use std::fmt;

use time::{Date, Month};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Personnummer {
    birth: Date,
    /// Day of month as written (day + 60 for a samordningsnummer).
    written_day: u8,
    serial: u16,
    check: u8,
}

impl Personnummer {
    /// Parses `input`; `today` decides the century of the 10-digit forms.
    pub fn parse(input: &str, today: Date) -> Result<Self, String> {
        let s = input.trim();
        let (digits, separator) = if let Some(i) = s.find(['-', '+']) {
            let (a, b) = s.split_at(i);
            (format!("{a}{}", &b[1..]), b.chars().next())
        } else {
            (s.to_string(), None)
        };
        if !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err("A personnummer has only digits and an optional '-' or '+'.".into());
        }
        let n = |r: std::ops::Range<usize>| digits[r].parse::<u32>().unwrap_or(0);
        let (year, rest) = match (digits.len(), separator) {
            (12, None | Some('-')) => (n(0..4) as i32, &digits[2..]),
            (10, sep) => {
                let yy = n(0..2) as i32;
                let mut year = today.year() - (today.year() - yy).rem_euclid(100);
                let birthday_later = (n(2..4), n(4..6) % 60) > (today.month() as u32, today.day() as u32);
                if year == today.year() && birthday_later {
                    year -= 100;
                }
                if sep == Some('+') {
                    year -= 100;
                }
                (year, &digits[..])
            }
            _ => return Err("Write the personnummer as YYYYMMDDNNNC (12 digits) or YYMMDD-NNNC.".into()),
        };
        let ten = &rest[rest.len() - 10..];
        if luhn(&ten[..9]) != ten.as_bytes()[9] - b'0' {
            return Err("The check digit of this personnummer is wrong.".into());
        }
        let month = ten[2..4].parse::<u8>().ok().and_then(|m| Month::try_from(m).ok());
        let written_day = ten[4..6].parse::<u8>().unwrap_or(0);
        let day = if written_day > 60 {
            written_day - 60
        } else {
            written_day
        };
        let birth = month
            .and_then(|m| Date::from_calendar_date(year, m, day).ok())
            .ok_or("This personnummer has no valid date of birth.")?;
        if birth > today {
            return Err("This personnummer is of someone not born yet.".into());
        }
        Ok(Personnummer {
            birth,
            written_day,
            serial: ten[6..9].parse().unwrap_or(0),
            check: ten.as_bytes()[9] - b'0',
        })
    }

    pub fn birth_date(&self) -> Date {
        self.birth
    }

    /// Whole years of age on `today`.
    pub fn age_on(&self, today: Date) -> i32 {
        let mut age = today.year() - self.birth.year();
        if (today.month() as u8, today.day()) < (self.birth.month() as u8, self.birth.day()) {
            age -= 1;
        }
        age
    }
}

/// The 12-digit form, YYYYMMDDNNNC.
impl fmt::Display for Personnummer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}{:02}{:02}{:03}{}",
            self.birth.year(),
            self.birth.month() as u8,
            self.written_day,
            self.serial,
            self.check
        )
    }
}

/// The Luhn check digit of nine digits (weights 2, 1, 2, …).
fn luhn(nine: &str) -> u8 {
    let sum: u32 = nine
        .bytes()
        .enumerate()
        .map(|(i, b)| {
            let p = u32::from(b - b'0') * if i % 2 == 0 { 2 } else { 1 };
            p / 10 + p % 10
        })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 24);

    fn parse(s: &str) -> Result<String, String> {
        Personnummer::parse(s, TODAY).map(|p| p.to_string())
    }

    #[test]
    fn every_documented_test_user_is_valid() {
        for ssn in [
            "195505063676",
            "197301175209",
            "196311210063",
            "198904153866",
            "194112010014",
            "197002022692",
            "201011119789",
            "198312112678",
            "197209139240",
        ] {
            assert_eq!(parse(ssn).as_deref(), Ok(ssn));
        }
    }

    #[test]
    fn the_short_forms_answer_with_twelve_digits() {
        assert_eq!(parse("550506-3676").as_deref(), Ok("195505063676"));
        assert_eq!(parse("5505063676").as_deref(), Ok("195505063676"));
        assert_eq!(parse("19550506-3676").as_deref(), Ok("195505063676"));
        assert_eq!(parse("101111-9789").as_deref(), Ok("201011119789"));
        // '+': a hundred years or more.
        assert_eq!(parse("101111+9789").as_deref(), Ok("191011119789"));
    }

    #[test]
    fn a_samordningsnummer_keeps_its_day_plus_sixty() {
        assert_eq!(parse("701063-2391").as_deref(), Ok("197010632391"));
        assert_eq!(
            Personnummer::parse("701063-2391", TODAY).map(|p| p.birth_date()),
            Ok(date!(1970 - 10 - 03))
        );
    }

    #[test]
    fn wrong_check_digits_dates_and_shapes_are_refused() {
        for bad in [
            "195505063677",
            "19550506367",
            "abc",
            "",
            "195513013676",
            "20991231-1234",
            "5505063676x",
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn age_counts_whole_years() -> Result<(), String> {
        let p = Personnummer::parse("201011119789", TODAY)?;
        assert_eq!(p.age_on(TODAY), 16);
        assert_eq!(p.age_on(date!(2026 - 11 - 10)), 15);
        Ok(())
    }
}
