//! The bank's API catalogue, kept in the repository and loaded into the
//! database at start (upserted, so a new release updates it).

use std::fmt;

pub mod errors;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Environment {
    #[default]
    Sandbox,
    Production,
}

impl Environment {
    pub fn as_str(self) -> &'static str {
        match self {
            Environment::Sandbox => "sandbox",
            Environment::Production => "production",
        }
    }

    pub fn parse(s: &str) -> Option<Environment> {
        match s {
            "sandbox" => Some(Environment::Sandbox),
            "production" => Some(Environment::Production),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Environment::Sandbox => "Sandbox",
            Environment::Production => "Production",
        }
    }
}

impl fmt::Display for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiStatus {
    Live,
    /// Announced; cannot be subscribed to yet.
    ComingSoon,
}

impl ApiStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ApiStatus::Live => "live",
            ApiStatus::ComingSoon => "coming_soon",
        }
    }

    pub fn parse(s: &str) -> Option<ApiStatus> {
        match s {
            "live" => Some(ApiStatus::Live),
            "coming_soon" => Some(ApiStatus::ComingSoon),
            _ => None,
        }
    }
}

/// One API version in one environment, as defined in the repository.
#[derive(Debug, Clone)]
pub struct ApiDefinition {
    pub slug: String,
    pub family: &'static str,
    pub name: &'static str,
    pub version: &'static str,
    pub environment: Environment,
    pub base_path: String,
    pub summary: &'static str,
    pub tags: &'static [&'static str],
    pub documentation: &'static str,
    pub status: ApiStatus,
}

/// An API as stored (with its database id).
#[derive(Debug, Clone)]
pub struct Api {
    pub id: i64,
    pub slug: String,
    pub family: String,
    pub name: String,
    pub version: String,
    pub environment: Environment,
    pub base_path: String,
    pub summary: String,
    pub tags: Vec<String>,
    pub documentation: String,
    pub status: ApiStatus,
}

impl Api {
    pub fn is_subscribable(&self) -> bool {
        self.status == ApiStatus::Live
    }

    /// True when `query` (already lower-cased) is in the name, the family or a tag.
    pub fn matches(&self, query: &str) -> bool {
        query.is_empty()
            || self.name.to_lowercase().contains(query)
            || self.family.contains(query)
            || self.tags.iter().any(|t| t.to_lowercase().contains(query))
    }
}

struct Family {
    family: &'static str,
    name: &'static str,
    version: &'static str,
    path: &'static str,
    summary: &'static str,
    tags: &'static [&'static str],
    documentation: &'static str,
    status: ApiStatus,
}

const FAMILIES: &[Family] = &[
    Family {
        family: "accounts",
        name: "Accounts",
        version: "1.0.0",
        path: "accounts",
        summary: "Account Information (AIS): the customer's accounts, balances and transactions, with their consent.",
        tags: &["Account Information", "AIS", "PSD2", "balances", "transactions"],
        documentation: concat!(include_str!("accounts.md"), include_str!("production.md")),
        status: ApiStatus::Live,
    },
    Family {
        family: "payments",
        name: "Payments",
        version: "1.0.0",
        path: "payments",
        summary: "Payment Initiation (PIS): initiate, follow and cancel single and periodic payments and signing baskets.",
        tags: &["Payment Initiation", "PIS", "PSD2", "SEPA", "cross-border"],
        documentation: concat!(include_str!("payments.md"), include_str!("production.md")),
        status: ApiStatus::Live,
    },
    Family {
        family: "funds-confirmation",
        name: "Funds confirmation",
        version: "1.0.0",
        path: "funds-confirmation",
        summary: "Confirmation of Funds (CBPII): ask whether an amount is available on an account. Coming soon.",
        tags: &["Confirmation of Funds", "CBPII", "PIIS", "PSD2"],
        documentation: include_str!("funds_confirmation.md"),
        status: ApiStatus::ComingSoon,
    },
];

/// Every API of the catalogue, each in a Sandbox and a Production version.
pub fn definitions() -> Vec<ApiDefinition> {
    let mut all = Vec::new();
    for f in FAMILIES {
        for env in [Environment::Sandbox, Environment::Production] {
            let prefix = match env {
                Environment::Sandbox => "sandbox",
                Environment::Production => "production",
            };
            all.push(ApiDefinition {
                slug: format!("{}-{}", f.family, env.as_str()),
                family: f.family,
                name: f.name,
                version: f.version,
                environment: env,
                base_path: format!("/{prefix}/{}/{}", f.path, f.version),
                summary: f.summary,
                tags: f.tags,
                documentation: f.documentation,
                status: f.status,
            });
        }
    }
    all
}

/// One operation of an API, for the endpoint list and the console.
pub struct Endpoint {
    pub method: &'static str,
    pub path: &'static str,
    pub summary: &'static str,
    /// Query parameters: (name, hint).
    pub query: &'static [(&'static str, &'static str)],
    /// An example JSON body for POST and PUT.
    pub body: Option<&'static str>,
}

impl Endpoint {
    /// The `{name}` parameters of the path, in order.
    pub fn path_params(&self) -> Vec<&'static str> {
        self.path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .collect()
    }
}

const fn op(method: &'static str, path: &'static str, summary: &'static str) -> Endpoint {
    Endpoint {
        method,
        path,
        summary,
        query: &[],
        body: None,
    }
}

const WITH_BALANCE: &[(&str, &str)] = &[("withBalance", "true or false")];
const TX_QUERY: &[(&str, &str)] = &[
    ("status", "booked, pending or both"),
    ("dateFrom", "YYYY-MM-DD, at most 18 months back"),
    ("dateTo", "YYYY-MM-DD"),
];
const PAYMENT_BODY: &str = r#"{
  "instructedAmount": {"currency": "SEK", "amount": "450.00"},
  "debtorAccount": {"bban": "12345678910"},
  "creditorName": "Elbolaget AB",
  "creditorBankgiro": "5050-1055",
  "ocr": "4711002345"
}"#;
const PERIODIC_BODY: &str = r#"{
  "instructedAmount": {"currency": "SEK", "amount": "300.00"},
  "debtorAccount": {"bban": "12345678910"},
  "creditorPlusgiro": "90 20 00-1",
  "remittanceInformationUnstructured": "Hyra",
  "startDate": "2030-01-01",
  "frequency": "Monthly"
}"#;
const BASKET_BODY: &str = r#"{"paymentIds": ["PAYMENT-ID"]}"#;

const ACCOUNTS: &[Endpoint] = &[
    Endpoint {
        query: WITH_BALANCE,
        ..op("GET", "/Accounts", "The customer's accounts")
    },
    Endpoint {
        query: WITH_BALANCE,
        ..op("GET", "/Accounts/{accountId}", "One account in detail")
    },
    op(
        "GET",
        "/Accounts/{accountId}/balances",
        "Booked, reserved and available amount",
    ),
    Endpoint {
        query: TX_QUERY,
        ..op(
            "GET",
            "/Accounts/{accountId}/transactions",
            "Transactions, the last 30 days by default",
        )
    },
    op(
        "GET",
        "/Accounts/{accountId}/transactions/{transactionId}",
        "One transaction",
    ),
    Endpoint {
        body: Some(CONSENT_BODY),
        ..op("POST", "/consents", "Ask for the customer's consent")
    },
    op("GET", "/consents/{consentId}", "A consent"),
    op("GET", "/consents/{consentId}/status", "A consent's status"),
    op("DELETE", "/consents/{consentId}", "End a consent"),
];

/// Balances and transactions of the test user's account, for as long as allowed.
const CONSENT_BODY: &str = r#"{
  "access": {"balances": [{"bban": "12345678910"}], "transactions": [{"bban": "12345678910"}]},
  "recurringIndicator": true,
  "validUntil": "9999-12-31",
  "frequencyPerDay": 4
}"#;

const PAYMENTS: &[Endpoint] = &[
    Endpoint {
        body: Some(PAYMENT_BODY),
        ..op("POST", "/Payments/{paymentProduct}", "Initiate a payment")
    },
    op("GET", "/Payments/{paymentProduct}/{paymentId}", "A payment"),
    op("DELETE", "/Payments/{paymentProduct}/{paymentId}", "Cancel a payment"),
    op(
        "GET",
        "/Payments/{paymentProduct}/{paymentId}/status",
        "A payment's transaction status",
    ),
    Endpoint {
        body: Some(PERIODIC_BODY),
        ..op(
            "POST",
            "/PeriodicPayments/{paymentProduct}",
            "Initiate a periodic payment",
        )
    },
    op(
        "GET",
        "/PeriodicPayments/{paymentProduct}/{paymentId}",
        "A periodic payment",
    ),
    op(
        "DELETE",
        "/PeriodicPayments/{paymentProduct}/{paymentId}",
        "Cancel a periodic payment",
    ),
    op(
        "GET",
        "/PeriodicPayments/{paymentProduct}/{paymentId}/status",
        "A periodic payment's status",
    ),
    Endpoint {
        body: Some(BASKET_BODY),
        ..op("POST", "/SigningBasket", "Create a signing basket")
    },
    op("GET", "/SigningBasket/{basketId}", "A signing basket"),
    Endpoint {
        body: Some(BASKET_BODY),
        ..op("PUT", "/SigningBasket/{basketId}", "Update a signing basket")
    },
];

const FUNDS: &[Endpoint] = &[op(
    "POST",
    "/FundsConfirmation",
    "Confirm that an amount is available (not live yet)",
)];

/// What changed in each version of a family's API, newest first:
/// (version, date, what).
pub fn changelog(family: &str) -> &'static [(&'static str, &'static str, &'static str)] {
    match family {
        "accounts" => &[
            (
                "1.0.0",
                "2026-11-27",
                "Customers' consents with BankID: authorization code with PKCE, the decoupled flow, consent checks on every read.",
            ),
            (
                "1.0.0",
                "2026-11-20",
                "Production over mutual TLS with certificate-bound tokens.",
            ),
            (
                "1.0.0",
                "2026-11-01",
                "First version: accounts, balances, transactions; sandbox test users.",
            ),
        ],
        "payments" => &[
            (
                "1.0.0",
                "2026-11-27",
                "Payments authorised by the customer with BankID; PIS tokens for one payment.",
            ),
            (
                "1.0.0",
                "2026-11-20",
                "Production over mutual TLS with certificate-bound tokens.",
            ),
            (
                "1.0.0",
                "2026-11-01",
                "First version: single and periodic payments, signing baskets.",
            ),
        ],
        _ => &[("1.0.0", "2026-11-01", "Announced; not open for subscriptions yet.")],
    }
}

pub fn endpoints(family: &str) -> &'static [Endpoint] {
    match family {
        "accounts" => ACCOUNTS,
        "payments" => PAYMENTS,
        "funds-confirmation" => FUNDS,
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_api_comes_in_sandbox_and_production_with_unique_slugs() {
        let defs = definitions();
        assert_eq!(defs.len(), 6);
        let mut slugs: Vec<_> = defs.iter().map(|d| d.slug.clone()).collect();
        slugs.sort();
        slugs.dedup();
        assert_eq!(slugs.len(), 6);
        let accounts = defs.iter().find(|d| d.slug == "accounts-sandbox");
        assert_eq!(accounts.map(|a| a.base_path.as_str()), Some("/sandbox/accounts/1.0.0"));
        assert!(
            defs.iter()
                .filter(|d| d.family == "funds-confirmation")
                .all(|d| d.status == ApiStatus::ComingSoon)
        );
    }
}
