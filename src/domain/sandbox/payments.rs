//! What the sandbox does with a payment: which products and currencies it
//! takes, and the ISO 20022 status a new payment gets.

use std::fmt;

use time::{Date, Duration};

use super::{Customer, Money, Refusal};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Product {
    SepaCreditTransfers,
    CrossBorderCreditTransfers,
}

impl Product {
    pub fn parse(s: &str) -> Option<Product> {
        match s {
            "SepaCreditTransfers" => Some(Product::SepaCreditTransfers),
            "CrossBorderCreditTransfers" => Some(Product::CrossBorderCreditTransfers),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Product::SepaCreditTransfers => "SepaCreditTransfers",
            Product::CrossBorderCreditTransfers => "CrossBorderCreditTransfers",
        }
    }
}

/// The two payment services of the Payments API, stored per payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentService {
    Payments,
    /// Standing orders.
    Periodic,
}

impl PaymentService {
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentService::Payments => "payments",
            PaymentService::Periodic => "periodic-payments",
        }
    }
}

/// Frequencies a periodic payment may have.
pub const FREQUENCIES: &[&str] = &["Daily", "Weekly", "EveryTwoWeeks", "Monthly", "Quarterly", "Annual"];

/// ISO 20022 transaction status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Rcvd,
    Actc,
    Acsc,
    Canc,
    Rjct,
}

impl Status {
    pub fn code(self) -> &'static str {
        match self {
            Status::Rcvd => "RCVD",
            Status::Actc => "ACTC",
            Status::Acsc => "ACSC",
            Status::Canc => "CANC",
            Status::Rjct => "RJCT",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        match s {
            "RCVD" => Some(Status::Rcvd),
            "ACTC" => Some(Status::Actc),
            "ACSC" => Some(Status::Acsc),
            "CANC" => Some(Status::Canc),
            "RJCT" => Some(Status::Rjct),
            _ => None,
        }
    }

    /// Settled, cancelled and rejected payments can no longer be cancelled.
    pub fn is_final(self) -> bool {
        matches!(self, Status::Acsc | Status::Canc | Status::Rjct)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

pub const CURRENCIES: &[&str] = &["SEK", "EUR", "USD", "GBP", "NOK", "DKK", "CHF"];

/// A payment as the TPP asked for it, already read from JSON.
#[derive(Debug, Clone)]
pub struct PaymentOrder {
    pub amount: Money,
    pub currency: String,
    pub debtor_account: String,
    /// The creditor's account number when it is an account at the bank.
    pub creditor_account: Option<String>,
    pub requested_execution_date: Option<Date>,
}

/// A refusal with a stable code, as the gateway answers it (Berlin Group's
/// codes; consents use it too).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub code: &'static str,
    pub message: String,
}

pub(crate) fn refused(code: &'static str, message: impl Into<String>) -> Refused {
    Refused {
        code,
        message: message.into(),
    }
}

/// The outcome of a new payment: its status, and whether it is an internal
/// transfer between the customer's own accounts that settles at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Accepted {
    pub status: Status,
    pub internal: bool,
}

pub fn initiate(customer: &Customer, product: Product, order: &PaymentOrder, today: Date) -> Result<Accepted, Refused> {
    match customer.refusal {
        // The bank's documented case for this user: the execution date is refused.
        Some(Refusal::Under16) => {
            return Err(refused(
                "EXECUTION_DATE_INVALID",
                "The requested execution date is wrong: the customer must be 16 or older to make payments.",
            ));
        }
        Some(Refusal::InvalidKyc) => return Err(kyc()),
        None => {}
    }
    if !CURRENCIES.contains(&order.currency.as_str()) {
        return Err(refused(
            "CURRENCY_INVALID",
            format!(
                "{:?} is not a currency the bank pays in ({}).",
                order.currency,
                CURRENCIES.join(", ")
            ),
        ));
    }
    if product == Product::SepaCreditTransfers && !["SEK", "EUR"].contains(&order.currency.as_str()) {
        return Err(refused(
            "CURRENCY_INVALID",
            format!(
                "SepaCreditTransfers are in SEK or EUR; use CrossBorderCreditTransfers for {}.",
                order.currency
            ),
        ));
    }
    let Some(debtor) = customer.account(&order.debtor_account) else {
        return Err(refused(
            "ACCOUNT_UNKNOWN",
            format!("The customer has no account {:?}.", order.debtor_account),
        ));
    };
    if let Some(date) = order.requested_execution_date {
        if date < today || date > today + Duration::days(365) {
            return Err(refused(
                "EXECUTION_DATE_INVALID",
                format!("The requested execution date {date} must be from today and within a year."),
            ));
        }
    }
    let internal = order
        .creditor_account
        .as_deref()
        .is_some_and(|c| c != debtor.id && customer.account(c).is_some());
    let immediate = order.requested_execution_date.is_none_or(|d| d == today);
    let status = if internal && immediate {
        if order.amount > debtor.available() {
            Status::Rjct
        } else {
            Status::Acsc
        }
    } else {
        Status::Rcvd
    };
    Ok(Accepted {
        status,
        internal: internal && status == Status::Acsc,
    })
}

/// The refusal every call but a payment initiation answers for this customer
/// (an initiation checks the same among the payment's own rules).
pub fn serviceable(c: &Customer) -> Result<(), Refused> {
    match c.refusal {
        Some(Refusal::InvalidKyc) => Err(kyc()),
        Some(Refusal::Under16) => Err(under_16()),
        None => Ok(()),
    }
}

pub fn kyc() -> Refused {
    refused(
        "KYC_INVALID",
        "The customer's know-your-customer (KYC) information is not valid, so the bank refuses every call.",
    )
}

pub fn under_16() -> Refused {
    refused("PSU_UNDER_16", "The customer must be 16 or older to use this service.")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::sandbox::customers::customer_for_ssn;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 24);

    fn c(ssn: &str) -> Result<Customer, String> {
        customer_for_ssn(ssn, TODAY)
    }

    fn order(debtor: &str, creditor: Option<&str>, currency: &str) -> PaymentOrder {
        PaymentOrder {
            amount: Money(10_000),
            currency: currency.into(),
            debtor_account: debtor.into(),
            creditor_account: creditor.map(str::to_string),
            requested_execution_date: None,
        }
    }

    #[test]
    fn an_internal_transfer_settles_at_once_and_others_are_received() -> Result<(), String> {
        let eva = c("196311210063")?;
        let internal = initiate(
            &eva,
            Product::SepaCreditTransfers,
            &order("19283764502", Some("19283764510"), "SEK"),
            TODAY,
        );
        assert_eq!(
            internal,
            Ok(Accepted {
                status: Status::Acsc,
                internal: true
            })
        );
        let bankgiro = initiate(
            &c("195505063676")?,
            Product::SepaCreditTransfers,
            &order("12345678910", None, "SEK"),
            TODAY,
        );
        assert_eq!(bankgiro.map(|a| a.status), Ok(Status::Rcvd));
        Ok(())
    }

    #[test]
    fn wrong_currencies_dates_and_refused_customers_get_their_codes() -> Result<(), String> {
        let u = c("197209139240")?;
        let debtor = u.accounts[0].id.clone();
        assert_eq!(
            initiate(&u, Product::SepaCreditTransfers, &order(&debtor, None, "SEKK"), TODAY)
                .unwrap_err()
                .code,
            "CURRENCY_INVALID"
        );
        assert_eq!(
            initiate(&u, Product::SepaCreditTransfers, &order(&debtor, None, "USD"), TODAY)
                .unwrap_err()
                .code,
            "CURRENCY_INVALID"
        );
        assert!(
            initiate(
                &u,
                Product::CrossBorderCreditTransfers,
                &order(&debtor, None, "USD"),
                TODAY
            )
            .is_ok()
        );
        let mut late = order(&debtor, None, "SEK");
        late.requested_execution_date = Some(TODAY - Duration::days(1));
        assert_eq!(
            initiate(&u, Product::SepaCreditTransfers, &late, TODAY)
                .unwrap_err()
                .code,
            "EXECUTION_DATE_INVALID"
        );
        assert_eq!(
            initiate(&c("201011119789")?, Product::SepaCreditTransfers, &late, TODAY)
                .unwrap_err()
                .code,
            "EXECUTION_DATE_INVALID"
        );
        assert_eq!(
            initiate(&c("198312112678")?, Product::SepaCreditTransfers, &late, TODAY)
                .unwrap_err()
                .code,
            "KYC_INVALID"
        );
        assert_eq!(
            initiate(&u, Product::SepaCreditTransfers, &order("000", None, "SEK"), TODAY)
                .unwrap_err()
                .code,
            "ACCOUNT_UNKNOWN"
        );
        Ok(())
    }

    #[test]
    fn an_internal_transfer_beyond_the_available_amount_is_rejected() -> Result<(), String> {
        let eva = c("196311210063")?;
        let mut big = order("19283764502", Some("19283764510"), "SEK");
        big.amount = Money(eva.accounts[0].available().0 + 1);
        assert_eq!(
            initiate(&eva, Product::SepaCreditTransfers, &big, TODAY).map(|a| a.status),
            Ok(Status::Rjct)
        );
        Ok(())
    }
}
