//! Who the sandbox customers are and what their accounts hold.

use sha2::{Digest, Sha256};
use time::{Date, Duration};

use super::Money;
use crate::domain::personnummer::Personnummer;

/// Why every call for a customer is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Under16,
    InvalidKyc,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransactionStatus {
    Booked,
    Pending,
}

#[derive(Debug, Clone)]
pub struct Transaction {
    pub id: String,
    pub booking_date: Date,
    pub amount: Money,
    pub currency: &'static str,
    pub status: TransactionStatus,
    /// Bankgiro, Plusgiro, Card, Swish, Internal transfer, Cross-border…
    pub kind: &'static str,
    pub description: String,
}

#[derive(Debug, Clone)]
pub struct Account {
    pub id: String,
    pub name: String,
    pub product: &'static str,
    pub currency: &'static str,
    /// False for an account whose balance the bank does not give (197301175209).
    pub has_balance: bool,
    pub booked: Money,
    pub reserved: Money,
    pub credit_limit: Option<Money>,
    pub transactions: Vec<Transaction>,
}

impl Account {
    /// Booked minus reserved plus any credit limit.
    pub fn available(&self) -> Money {
        Money(self.booked.0 - self.reserved.0 + self.credit_limit.map_or(0, |c| c.0))
    }
}

#[derive(Debug, Clone)]
pub struct Customer {
    pub ssn: String,
    pub name: String,
    pub refusal: Option<Refusal>,
    pub accounts: Vec<Account>,
}

impl Customer {
    pub fn account(&self, id: &str) -> Option<&Account> {
        self.accounts.iter().find(|a| a.id == id)
    }

    pub fn account_mut(&mut self, id: &str) -> Option<&mut Account> {
        self.accounts.iter_mut().find(|a| a.id == id)
    }
}

/// Kinds of transactions a customer's history is made of.
#[derive(Clone, Copy)]
enum Kind {
    Bankgiro,
    Plusgiro,
    CardAbroad,
    CardPending,
    Swish,
    Internal,
    CrossBorder,
    Salary,
}

/// The customer behind a personnummer on `today`.
pub fn customer(pnr: &Personnummer, today: Date) -> Customer {
    let ssn = pnr.to_string();
    let seed = Seed::new(&ssn);
    let sek = |kr: i64| Money(kr * 100);
    let mut c = match ssn.as_str() {
        "195505063676" => Customer {
            name: "Karin Lindqvist".into(),
            refusal: None,
            accounts: vec![account(
                "12345678910",
                sek(25_340),
                sek(1_200),
                Some(sek(10_000)),
                &seed,
                today,
                &[
                    Kind::Salary,
                    Kind::Bankgiro,
                    Kind::Plusgiro,
                    Kind::CardAbroad,
                    Kind::Internal,
                ],
            )],
            ssn,
        },
        "197301175209" => {
            let mut a = account(
                "98765432103",
                Money(0),
                Money(0),
                None,
                &seed,
                today,
                &[Kind::Plusgiro, Kind::Salary],
            );
            a.has_balance = false;
            Customer {
                name: "Per Holm".into(),
                refusal: None,
                accounts: vec![a],
                ssn,
            }
        }
        "196311210063" => Customer {
            name: "Eva Berg".into(),
            refusal: None,
            accounts: vec![
                account(
                    "19283764502",
                    sek(8_450),
                    sek(640),
                    None,
                    &seed,
                    today,
                    &[Kind::Salary, Kind::CardPending, Kind::CardAbroad],
                ),
                savings("19283764510", sek(52_000)),
            ],
            ssn,
        },
        "198904153866" => Customer {
            name: "Ali Hassan".into(),
            refusal: None,
            accounts: vec![
                account(
                    "12345678919",
                    sek(14_200),
                    sek(0),
                    None,
                    &seed,
                    today,
                    &[Kind::Salary, Kind::Swish, Kind::Swish],
                ),
                account(
                    "10000000001",
                    sek(3_050),
                    sek(150),
                    None,
                    &seed.next(),
                    today,
                    &[Kind::Swish, Kind::Bankgiro],
                ),
            ],
            ssn,
        },
        "197002022692" => Customer {
            name: "Lena Ek".into(),
            refusal: None,
            accounts: vec![account(
                &seed.account_id(),
                sek(31_700),
                sek(0),
                None,
                &seed,
                today,
                &[Kind::CrossBorder, Kind::Salary],
            )],
            ssn,
        },
        "201011119789" => Customer {
            name: "Olle Nyström".into(),
            refusal: Some(Refusal::Under16),
            accounts: vec![],
            ssn,
        },
        "198312112678" => Customer {
            name: "Nils Dahl".into(),
            refusal: Some(Refusal::InvalidKyc),
            accounts: vec![],
            ssn,
        },
        _ => generated(&ssn, &seed, today),
    };
    // Anyone else under 16 is refused like the documented test user.
    if c.refusal.is_none() && pnr.age_on(today) < 16 {
        c.refusal = Some(Refusal::Under16);
        c.accounts.clear();
    }
    c
}

/// The customer behind a personnummer in any accepted form.
pub fn customer_for_ssn(ssn: &str, today: Date) -> Result<Customer, String> {
    Ok(customer(&Personnummer::parse(ssn, today)?, today))
}

const FIRST: &[&str] = &[
    "Anna", "Erik", "Maria", "Lars", "Sara", "Johan", "Emma", "Karl", "Ida", "Oskar",
];
const LAST: &[&str] = &[
    "Andersson",
    "Johansson",
    "Karlsson",
    "Nilsson",
    "Eriksson",
    "Larsson",
    "Olsson",
    "Persson",
];

fn generated(ssn: &str, seed: &Seed, today: Date) -> Customer {
    let name = format!(
        "{} {}",
        FIRST[seed.pick(0, FIRST.len())],
        LAST[seed.pick(1, LAST.len())]
    );
    let kinds = [
        Kind::Salary,
        Kind::Bankgiro,
        Kind::Swish,
        Kind::CardAbroad,
        Kind::Plusgiro,
    ];
    let mut accounts = vec![account(
        &seed.account_id(),
        Money(seed.number(2, 5_000_000) + 100_000),
        Money(seed.number(3, 50_000)),
        None,
        seed,
        today,
        &kinds,
    )];
    if seed.pick(4, 2) == 1 {
        let s = seed.next();
        accounts.push(savings(&s.account_id(), Money(s.number(2, 20_000_000))));
    }
    Customer {
        ssn: ssn.to_string(),
        name,
        refusal: None,
        accounts,
    }
}

fn savings(id: &str, booked: Money) -> Account {
    Account {
        id: id.into(),
        name: "ICA Sparkonto".into(),
        product: "ICA Sparkonto",
        currency: "SEK",
        has_balance: true,
        booked,
        reserved: Money(0),
        credit_limit: None,
        transactions: vec![],
    }
}

fn account(
    id: &str,
    booked: Money,
    reserved: Money,
    credit_limit: Option<Money>,
    seed: &Seed,
    today: Date,
    kinds: &[Kind],
) -> Account {
    // A history over ~20 months: some in the default 30 days, some older, one
    // beyond the 18 months a request may reach back.
    const DAYS_AGO: &[i64] = &[1, 3, 6, 10, 15, 22, 28, 45, 70, 120, 200, 330, 420, 600];
    let mut transactions = Vec::new();
    for (i, days) in DAYS_AGO.iter().enumerate() {
        let kind = kinds[i % kinds.len()];
        let amount = seed.number(10 + i, 150_000) + 1_000;
        let (amount, description, currency) = match kind {
            Kind::Salary => (Money(amount * 10), "Lön".to_string(), "SEK"),
            Kind::Bankgiro => (
                Money(-amount),
                format!(
                    "Bankgiro 5050-{:04} OCR {}",
                    seed.number(30 + i, 9999),
                    seed.number(40 + i, 99_999_999)
                ),
                "SEK",
            ),
            Kind::Plusgiro => (
                Money(-amount),
                format!("Plusgiro 90 20 00-{} Hyra", seed.number(30 + i, 9)),
                "SEK",
            ),
            Kind::CardAbroad | Kind::CardPending => {
                (Money(-amount / 10), "Kortköp Restaurant Lisboa PT".to_string(), "SEK")
            }
            Kind::Swish => (
                Money(-amount / 5),
                format!("Swish till 07{:08}", seed.number(50 + i, 99_999_999)),
                "SEK",
            ),
            Kind::Internal => (Money(-amount), "Överföring till sparkonto".to_string(), "SEK"),
            Kind::CrossBorder => (Money(-amount), "Utlandsbetalning EUR Berlin DE".to_string(), "SEK"),
        };
        let status = if matches!(kind, Kind::CardPending) && *days < 7 {
            TransactionStatus::Pending
        } else {
            TransactionStatus::Booked
        };
        let label = match kind {
            Kind::Salary => "Salary",
            Kind::Bankgiro => "Bankgiro",
            Kind::Plusgiro => "Plusgiro",
            Kind::CardAbroad | Kind::CardPending => "Card",
            Kind::Swish => "Swish",
            Kind::Internal => "Internal transfer",
            Kind::CrossBorder => "Cross-border",
        };
        transactions.push(Transaction {
            id: format!("{id}-{:04}", i + 1),
            booking_date: today - Duration::days(*days),
            amount,
            currency,
            status,
            kind: label,
            description,
        });
    }
    // Pending card purchases are always in the last days for 196311210063.
    Account {
        id: id.into(),
        name: "ICA Konto".into(),
        product: "ICA Konto",
        currency: "SEK",
        has_balance: true,
        booked,
        reserved,
        credit_limit,
        transactions,
    }
}

/// Deterministic numbers from a personnummer, so a made-up customer is the
/// same on every call and every instance.
struct Seed([u8; 32]);

impl Seed {
    fn new(ssn: &str) -> Seed {
        Seed(Sha256::digest(ssn.as_bytes()).into())
    }

    fn next(&self) -> Seed {
        Seed(Sha256::digest(self.0).into())
    }

    fn number(&self, i: usize, below: i64) -> i64 {
        let b = &self.0;
        let v = u32::from_be_bytes([b[i % 32], b[(i + 1) % 32], b[(i + 2) % 32], b[(i + 3) % 32]]);
        i64::from(v) % below.max(1)
    }

    fn pick(&self, i: usize, n: usize) -> usize {
        self.number(i, n as i64) as usize
    }

    /// An 11-digit account number.
    fn account_id(&self) -> String {
        format!("{:011}", self.number(20, 90_000_000_000) + 10_000_000_000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 24);

    fn c(ssn: &str) -> Result<Customer, String> {
        customer_for_ssn(ssn, TODAY)
    }

    #[test]
    fn documented_users_have_their_documented_accounts() -> Result<(), String> {
        let k = c("195505063676")?;
        assert_eq!(k.accounts[0].id, "12345678910");
        assert!(k.accounts[0].credit_limit.is_some());
        assert_eq!(c("197301175209")?.accounts[0].id, "98765432103");
        assert!(!c("197301175209")?.accounts[0].has_balance);
        let eva = c("196311210063")?;
        assert_eq!(eva.accounts[0].id, "19283764502");
        assert!(eva.accounts[0].credit_limit.is_none());
        assert!(
            eva.accounts[0]
                .transactions
                .iter()
                .any(|t| t.status == TransactionStatus::Pending && t.kind == "Card")
        );
        let ali: Vec<_> = c("198904153866")?.accounts.iter().map(|a| a.id.clone()).collect();
        assert_eq!(ali, ["12345678919", "10000000001"]);
        assert!(
            c("198904153866")?.accounts[0]
                .transactions
                .iter()
                .any(|t| t.kind == "Swish")
        );
        assert!(
            c("197002022692")?.accounts[0]
                .transactions
                .iter()
                .any(|t| t.kind == "Cross-border")
        );
        assert_eq!(c("201011119789")?.refusal, Some(Refusal::Under16));
        assert_eq!(c("198312112678")?.refusal, Some(Refusal::InvalidKyc));
        Ok(())
    }

    #[test]
    fn any_other_personnummer_gets_the_same_made_up_customer_every_time() -> Result<(), String> {
        let a = c("199001011239")?;
        let b = c("199001011239")?;
        assert_eq!(a.name, b.name);
        assert_eq!(a.accounts[0].id, b.accounts[0].id);
        assert_eq!(a.accounts[0].booked, b.accounts[0].booked);
        assert_eq!(a.accounts[0].id.len(), 11);
        assert_ne!(c("198501011236")?.accounts[0].id, a.accounts[0].id);
        Ok(())
    }

    #[test]
    fn available_includes_credit() -> Result<(), String> {
        let k = c("195505063676")?;
        let a = &k.accounts[0];
        assert_eq!(a.available(), Money(a.booked.0 - a.reserved.0 + 1_000_000));
        Ok(())
    }
}
