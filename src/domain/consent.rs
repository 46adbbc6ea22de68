//! A customer's consent to account information (Berlin Group NextGenPSD2):
//! what a TPP may ask for, and the states a consent goes through. Pure: the
//! caller brings today's date.

use time::{Date, Duration, OffsetDateTime};

use crate::domain::catalogue::Environment;
pub use crate::domain::sandbox::payments::Refused;
use crate::domain::sandbox::payments::refused;

/// At most this far ahead (EBA: 180 days between strong customer
/// authentications for account information).
pub const MAX_VALIDITY: Duration = Duration::days(180);
/// Unattended reads a day a recurring consent may allow (PSD2 RTS art. 36).
pub const MAX_FREQUENCY: u8 = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Created by the TPP; the customer has not authorised it.
    Received,
    Valid,
    Rejected,
    RevokedByPsu,
    Expired,
    TerminatedByTpp,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Received => "received",
            Status::Valid => "valid",
            Status::Rejected => "rejected",
            Status::RevokedByPsu => "revokedByPsu",
            Status::Expired => "expired",
            Status::TerminatedByTpp => "terminatedByTpp",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        [
            Status::Received,
            Status::Valid,
            Status::Rejected,
            Status::RevokedByPsu,
            Status::Expired,
            Status::TerminatedByTpp,
        ]
        .into_iter()
        .find(|st| st.as_str() == s)
    }

    /// The status as of `today`: a valid consent past its `validUntil` has expired.
    pub fn on(self, valid_until: Date, today: Date) -> Status {
        match self {
            Status::Valid | Status::Received if today > valid_until => Status::Expired,
            other => other,
        }
    }

    /// Whether nothing can change it any more.
    pub fn is_final(self) -> bool {
        !matches!(self, Status::Received | Status::Valid)
    }
}

/// What the TPP asks to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    /// Named accounts: those whose details, balances and transactions may be
    /// read (an account listed for balances or transactions may be read too).
    Accounts {
        accounts: Vec<String>,
        balances: Vec<String>,
        transactions: Vec<String>,
    },
    /// The list of the customer's accounts (`availableAccounts`), with their
    /// balances when `with_balances`; the customer picks nothing.
    AvailableAccounts { with_balances: bool },
    /// Every account with details, balances and transactions (`allPsd2`).
    AllPsd2,
}

/// A consent request as the TPP sent it, before checking.
#[derive(Debug, Clone, Default)]
pub struct Request {
    pub accounts: Vec<String>,
    pub balances: Vec<String>,
    pub transactions: Vec<String>,
    /// `allAccounts` or `allAccountsWithBalances`.
    pub available_accounts: Option<String>,
    /// `allAccounts`.
    pub all_psd2: Option<String>,
    pub recurring_indicator: Option<bool>,
    /// YYYY-MM-DD; `9999-12-31` means as long as allowed.
    pub valid_until: Option<String>,
    pub frequency_per_day: Option<i64>,
}

/// A request that can be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub access: Access,
    pub recurring: bool,
    pub valid_until: Date,
    pub frequency_per_day: u8,
}

/// A consent as the bank keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consent {
    pub id: String,
    pub application_id: String,
    pub environment: Environment,
    /// As stored; [`Consent::status_on`] is what it is today.
    pub status: Status,
    pub access: Access,
    pub recurring: bool,
    pub valid_until: Date,
    pub frequency_per_day: u8,
    /// The customer who authorised it.
    pub ssn: Option<String>,
    /// The accounts the customer picked when authorising; `None`: as the
    /// access names them.
    pub chosen_accounts: Option<Vec<String>>,
    /// When a token last read with it.
    pub last_used_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

impl Consent {
    pub fn status_on(&self, today: Date) -> Status {
        self.status.on(self.valid_until, today)
    }

    /// Whether a token with this consent may read `what` of `account`: the
    /// access allows it and the customer picked the account.
    pub fn may(&self, account: &str, what: &str) -> bool {
        self.access.allows(account, what)
            && self
                .chosen_accounts
                .as_ref()
                .is_none_or(|chosen| chosen.iter().any(|a| a == account))
    }

    /// The moment it stops working: the end of its `validUntil` day (UTC).
    pub fn ends_at(&self) -> OffsetDateTime {
        (self.valid_until + Duration::days(1)).midnight().assume_utc()
    }
}

pub fn check(r: Request, today: Date) -> Result<Checked, Refused> {
    let named = !(r.accounts.is_empty() && r.balances.is_empty() && r.transactions.is_empty());
    let access = match (named, r.available_accounts.as_deref(), r.all_psd2.as_deref()) {
        (true, None, None) => Access::Accounts {
            accounts: r.accounts,
            balances: r.balances,
            transactions: r.transactions,
        },
        (false, Some(a), None) if a == "allAccounts" || a == "allAccountsWithBalances" => Access::AvailableAccounts {
            with_balances: a == "allAccountsWithBalances",
        },
        (false, None, Some("allAccounts")) => Access::AllPsd2,
        (false, None, None) => {
            return Err(refused(
                "FORMAT_ERROR",
                "access names no account: list accounts, balances or transactions, or ask for availableAccounts or \
                 allPsd2.",
            ));
        }
        _ => {
            return Err(refused(
                "FORMAT_ERROR",
                "access takes one of: account lists (accounts, balances, transactions), availableAccounts \
                 (allAccounts or allAccountsWithBalances), or allPsd2 (allAccounts).",
            ));
        }
    };
    let Some(recurring) = r.recurring_indicator else {
        return Err(refused(
            "FORMAT_ERROR",
            "recurringIndicator (true or false) is required.",
        ));
    };
    let latest = today + MAX_VALIDITY;
    let valid_until = match r.valid_until.as_deref() {
        None => return Err(refused("FORMAT_ERROR", "validUntil (YYYY-MM-DD) is required.")),
        Some("9999-12-31") => latest,
        Some(s) => {
            let f = time::macros::format_description!("[year]-[month]-[day]");
            let d = Date::parse(s, &f).map_err(|_| {
                refused(
                    "FORMAT_ERROR",
                    format!("validUntil must be a date like 2026-12-31, not {s:?}."),
                )
            })?;
            if d < today || d > latest {
                return Err(refused(
                    "TIMESTAMP_INVALID",
                    format!("validUntil must be from today to {latest} (180 days), not {d}."),
                ));
            }
            d
        }
    };
    let frequency_per_day = match r.frequency_per_day {
        None => return Err(refused("FORMAT_ERROR", "frequencyPerDay (1 to 4) is required.")),
        Some(n) if !(1..=i64::from(MAX_FREQUENCY)).contains(&n) => {
            return Err(refused(
                "FORMAT_ERROR",
                format!("frequencyPerDay must be 1 to 4, not {n}."),
            ));
        }
        Some(n) if !recurring && n != 1 => {
            return Err(refused(
                "FORMAT_ERROR",
                "A one-off consent (recurringIndicator false) has frequencyPerDay 1.",
            ));
        }
        Some(n) => n as u8,
    };
    Ok(Checked {
        access,
        recurring,
        valid_until,
        frequency_per_day,
    })
}

impl Access {
    /// Whether the consent lets the TPP read this account's details,
    /// balances or transactions (`what`: "accounts", "balances",
    /// "transactions"). Available-accounts consents read only the list.
    pub fn allows(&self, account: &str, what: &str) -> bool {
        match self {
            Access::AllPsd2 => true,
            Access::AvailableAccounts { with_balances } => what == "list" || (what == "balances" && *with_balances),
            Access::Accounts {
                accounts,
                balances,
                transactions,
            } => {
                let listed = |list: &Vec<String>| list.iter().any(|a| a == account);
                match what {
                    "balances" => listed(balances),
                    "transactions" => listed(transactions),
                    _ => listed(accounts) || listed(balances) || listed(transactions),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 28);

    fn recurring(access: impl FnOnce(&mut Request)) -> Request {
        let mut r = Request {
            recurring_indicator: Some(true),
            valid_until: Some("2027-05-01".into()),
            frequency_per_day: Some(4),
            ..Request::default()
        };
        access(&mut r);
        r
    }

    #[test]
    fn a_request_names_its_access_once_and_stays_within_180_days_and_four_reads() {
        let ok = check(recurring(|r| r.balances = vec!["12345678910".into()]), TODAY);
        let ok = ok.map_err(|e| e.message);
        assert_eq!(ok.as_ref().map(|c| c.frequency_per_day), Ok(4));
        let far = check(recurring(|r| r.valid_until = Some("9999-12-31".into())), TODAY);
        assert!(far.is_err(), "no access named");
        let mut r = recurring(|r| r.all_psd2 = Some("allAccounts".into()));
        r.valid_until = Some("9999-12-31".into());
        assert_eq!(check(r, TODAY).map(|c| c.valid_until), Ok(TODAY + MAX_VALIDITY));
        let late = recurring(|r| {
            r.all_psd2 = Some("allAccounts".into());
            r.valid_until = Some("2027-06-01".into());
        });
        assert_eq!(check(late, TODAY).map_err(|e| e.code), Err("TIMESTAMP_INVALID"));
        let five = recurring(|r| {
            r.all_psd2 = Some("allAccounts".into());
            r.frequency_per_day = Some(5);
        });
        assert_eq!(check(five, TODAY).map_err(|e| e.code), Err("FORMAT_ERROR"));
        let both = recurring(|r| {
            r.accounts = vec!["1".into()];
            r.all_psd2 = Some("allAccounts".into());
        });
        assert!(check(both, TODAY).is_err(), "lists and allPsd2 together");
        let one_off = Request {
            recurring_indicator: Some(false),
            frequency_per_day: Some(2),
            ..recurring(|r| r.available_accounts = Some("allAccounts".into()))
        };
        assert!(check(one_off, TODAY).is_err());
    }

    #[test]
    fn named_accounts_allow_what_they_name_and_a_valid_consent_expires() {
        let access = Access::Accounts {
            accounts: vec![],
            balances: vec!["A".into()],
            transactions: vec!["B".into()],
        };
        assert!(access.allows("A", "balances") && access.allows("A", "accounts"));
        assert!(!access.allows("A", "transactions") && access.allows("B", "transactions"));
        assert!(!access.allows("C", "accounts"));
        assert!(!Access::AvailableAccounts { with_balances: false }.allows("A", "transactions"));
        assert_eq!(Status::Valid.on(TODAY, TODAY), Status::Valid);
        assert_eq!(Status::Valid.on(TODAY, TODAY + Duration::days(1)), Status::Expired);
        assert_eq!(
            Status::RevokedByPsu.on(TODAY, TODAY + Duration::days(1)),
            Status::RevokedByPsu
        );
        assert_eq!(Status::parse("terminatedByTpp"), Some(Status::TerminatedByTpp));
        assert!(Status::Rejected.is_final() && !Status::Received.is_final());
    }
}
