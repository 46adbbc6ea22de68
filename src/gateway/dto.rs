//! The JSON the sandbox APIs answer, typed so that the OpenAPI documents
//! describe exactly what is sent.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::sandbox::{Account, Money, Transaction, TransactionStatus};

#[derive(Debug, Serialize, Deserialize, ToSchema, Clone)]
pub struct AmountDto {
    #[schema(example = "SEK")]
    pub currency: String,
    /// A decimal string with two decimals.
    #[schema(example = "1234.50")]
    pub amount: String,
}

impl AmountDto {
    pub fn sek(m: Money) -> Self {
        AmountDto {
            currency: "SEK".into(),
            amount: m.to_string(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BalanceDto {
    /// `booked`, `reserved` or `available`.
    pub balance_type: &'static str,
    pub balance_amount: AmountDto,
    /// On `available`: whether the credit limit is included.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credit_limit_included: Option<bool>,
}

pub fn balances(a: &Account) -> Vec<BalanceDto> {
    if !a.has_balance {
        return vec![];
    }
    vec![
        BalanceDto {
            balance_type: "booked",
            balance_amount: AmountDto::sek(a.booked),
            credit_limit_included: None,
        },
        BalanceDto {
            balance_type: "reserved",
            balance_amount: AmountDto::sek(a.reserved),
            credit_limit_included: None,
        },
        BalanceDto {
            balance_type: "available",
            balance_amount: AmountDto::sek(a.available()),
            credit_limit_included: Some(a.credit_limit.is_some()),
        },
    ]
}

#[derive(Debug, Serialize, Deserialize, ToSchema, Clone)]
pub struct AccountRefDto {
    /// The account number.
    #[schema(example = "12345678910")]
    pub bban: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AccountDto {
    #[schema(example = "12345678910")]
    pub resource_id: String,
    pub bban: String,
    pub currency: String,
    #[schema(example = "ICA Konto")]
    pub name: String,
    pub product: String,
    pub cash_account_type: &'static str,
    pub status: &'static str,
    pub owner_name: String,
    /// With `withBalance=true`, for an account whose balance the bank gives.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub balances: Option<Vec<BalanceDto>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credit_limit: Option<AmountDto>,
}

impl AccountDto {
    pub fn new(a: &Account, owner: &str, with_balance: bool) -> Self {
        AccountDto {
            resource_id: a.id.clone(),
            bban: a.id.clone(),
            currency: a.currency.into(),
            name: a.name.clone(),
            product: a.product.into(),
            cash_account_type: "CACC",
            status: "enabled",
            owner_name: owner.into(),
            balances: (with_balance && a.has_balance).then(|| balances(a)),
            credit_limit: a.credit_limit.map(AmountDto::sek),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AccountListDto {
    pub accounts: Vec<AccountDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AccountDetailsDto {
    pub account: AccountDto,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BalancesDto {
    pub account: AccountRefDto,
    pub balances: Vec<BalanceDto>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TransactionDto {
    pub transaction_id: String,
    #[schema(example = "2026-11-20")]
    pub booking_date: String,
    pub value_date: String,
    pub transaction_amount: AmountDto,
    pub remittance_information_unstructured: String,
    /// Bankgiro, Plusgiro, Card, Swish, Internal transfer, Cross-border, Salary.
    pub proprietary_bank_transaction_code: String,
    /// `booked` or `pending`.
    pub status: &'static str,
}

impl From<&Transaction> for TransactionDto {
    fn from(t: &Transaction) -> Self {
        TransactionDto {
            transaction_id: t.id.clone(),
            booking_date: t.booking_date.to_string(),
            value_date: t.booking_date.to_string(),
            transaction_amount: AmountDto {
                currency: t.currency.into(),
                amount: t.amount.to_string(),
            },
            remittance_information_unstructured: t.description.clone(),
            proprietary_bank_transaction_code: t.kind.into(),
            status: match t.status {
                TransactionStatus::Booked => "booked",
                TransactionStatus::Pending => "pending",
            },
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TransactionListDto {
    pub booked: Vec<TransactionDto>,
    pub pending: Vec<TransactionDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TransactionsDto {
    pub account: AccountRefDto,
    pub transactions: TransactionListDto,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TransactionDetailsDto {
    pub transactions_details: TransactionDto,
}

/// A payment order, as `POST /Payments/{paymentProduct}` takes it.
#[derive(Debug, Serialize, Deserialize, ToSchema, Clone)]
#[serde(rename_all = "camelCase")]
pub struct PaymentRequestDto {
    pub instructed_amount: AmountDto,
    pub debtor_account: AccountRefDto,
    /// An account at the bank (an internal transfer when it is the customer's own) or elsewhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub creditor_account: Option<AccountRefDto>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, example = "Elbolaget AB")]
    pub creditor_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, example = "5050-1055")]
    pub creditor_bankgiro: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, example = "90 20 02-9")]
    pub creditor_plusgiro: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub ocr: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, example = "Invoice 117")]
    pub remittance_information_unstructured: Option<String>,
    /// YYYY-MM-DD, from today to a year ahead; today when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, format = Date)]
    pub requested_execution_date: Option<String>,
    /// Periodic payments only: first execution, YYYY-MM-DD.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, format = Date)]
    pub start_date: Option<String>,
    /// Periodic payments only: `Daily`, `Weekly`, `EveryTwoWeeks`, `Monthly`, `Quarterly` or `Annual`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, example = "Monthly")]
    pub frequency: Option<String>,
    /// Periodic payments only: last execution, YYYY-MM-DD (none: until cancelled).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, format = Date)]
    pub end_date: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PaymentInitiationDto {
    /// ISO 20022: RCVD, ACTC, ACSC, CANC or RJCT.
    #[schema(example = "RCVD")]
    pub transaction_status: String,
    pub payment_id: String,
    #[serde(rename = "_links")]
    pub links: LinksDto,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LinksDto {
    #[serde(rename = "self")]
    pub self_: HrefDto,
    pub status: HrefDto,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HrefDto {
    pub href: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PaymentDto {
    pub payment_id: String,
    pub payment_product: String,
    pub transaction_status: String,
    #[serde(flatten)]
    pub order: PaymentRequestDto,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StatusDto {
    #[schema(example = "ACSC")]
    pub transaction_status: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BasketRequestDto {
    pub payment_ids: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BasketDto {
    pub basket_id: String,
    pub payment_ids: Vec<String>,
    pub transaction_status: String,
}

/// The payment products the sandbox knows (a path segment).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub enum PaymentProduct {
    SepaCreditTransfers,
    CrossBorderCreditTransfers,
}
