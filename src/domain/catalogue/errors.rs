//! Every error code the sandbox and production APIs answer, for the error
//! catalogue of each API's documentation. A test reads the gateway's source
//! and fails when it answers a code that is not listed here.

pub struct ErrorCode {
    pub code: &'static str,
    pub status: u16,
    pub meaning: &'static str,
    /// `None`: every API; otherwise the one family that answers it.
    pub family: Option<&'static str>,
    /// Only in production (the bank's system behind the gateway).
    pub production_only: bool,
}

const fn any(code: &'static str, status: u16, meaning: &'static str) -> ErrorCode {
    ErrorCode {
        code,
        status,
        meaning,
        family: None,
        production_only: false,
    }
}

const fn of(family: &'static str, code: &'static str, status: u16, meaning: &'static str) -> ErrorCode {
    ErrorCode {
        family: Some(family),
        ..any(code, status, meaning)
    }
}

pub const ERRORS: &[ErrorCode] = &[
    any(
        "FORMAT_ERROR",
        400,
        "A header, parameter or body is malformed; X-Request-ID must be a UUID. The message names what.",
    ),
    of(
        "accounts",
        "PERIOD_INVALID",
        400,
        "dateFrom is after dateTo, or further back than 18 months.",
    ),
    of(
        "accounts",
        "TIMESTAMP_INVALID",
        400,
        "A consent's validUntil is in the past or further ahead than the bank allows.",
    ),
    of(
        "payments",
        "CURRENCY_INVALID",
        400,
        "The currency is not one the payment product takes (SEK for domestic payments).",
    ),
    of(
        "payments",
        "EXECUTION_DATE_INVALID",
        400,
        "The requested execution date is in the past or not a banking day.",
    ),
    of(
        "payments",
        "ACCOUNT_UNKNOWN",
        400,
        "The debtor account is not one of the customer's accounts.",
    ),
    any(
        "TOKEN_MISSING",
        401,
        "No access token: send Authorization: Bearer <token>.",
    ),
    any(
        "TOKEN_INVALID",
        401,
        "The token is unknown or revoked, or (production) not sent over mutual TLS with the certificate it is bound to.",
    ),
    any(
        "TOKEN_EXPIRED",
        401,
        "The access token has expired: get a new one (or refresh it).",
    ),
    of(
        "accounts",
        "CONSENT_INVALID",
        401,
        "The consent does not cover this account or data, or the customer revoked it.",
    ),
    of(
        "accounts",
        "CONSENT_EXPIRED",
        401,
        "The consent's validUntil has passed: ask the customer again.",
    ),
    any(
        "SCOPE_INVALID",
        403,
        "The token's scope is for another API or another payment.",
    ),
    any(
        "NOT_SUBSCRIBED",
        403,
        "The application is not subscribed to this API: subscribe it in the API store.",
    ),
    any(
        "SUBSCRIPTION_BLOCKED",
        403,
        "The bank has blocked the application's subscription; contact the bank.",
    ),
    of(
        "payments",
        "KYC_INVALID",
        403,
        "The bank refuses the customer (the test user with a KYC stop).",
    ),
    of(
        "payments",
        "PSU_UNDER_16",
        403,
        "The customer is under 16 and cannot initiate payments.",
    ),
    any(
        "RESOURCE_UNKNOWN",
        404,
        "No such account, transaction, consent, payment or basket for this customer.",
    ),
    of(
        "payments",
        "PRODUCT_UNKNOWN",
        404,
        "No such payment product in the path.",
    ),
    of(
        "payments",
        "CANCELLATION_INVALID",
        409,
        "The payment can no longer be cancelled (it is executed or already cancelled).",
    ),
    of(
        "accounts",
        "ACCESS_EXCEEDED",
        429,
        "More than frequencyPerDay unattended reads of an account today (without PSU-IP-Address).",
    ),
    any(
        "RATE_LIMITED",
        429,
        "Too many calls from the application: wait Retry-After seconds and spread calls over the day.",
    ),
    any(
        "INTERNAL_ERROR",
        500,
        "Something went wrong at the bank; nothing was changed. Quote the X-Request-ID to the bank.",
    ),
    ErrorCode {
        production_only: true,
        ..any(
            "BANK_UNAVAILABLE",
            502,
            "The bank's system cannot be reached; try again later.",
        )
    },
    ErrorCode {
        production_only: true,
        ..any(
            "BANK_TIMEOUT",
            504,
            "The bank's system did not answer in time; check the payment's status before you retry.",
        )
    },
];

/// The codes one API answers.
pub fn for_api(family: &str, production: bool) -> Vec<&'static ErrorCode> {
    ERRORS
        .iter()
        .filter(|e| e.family.is_none_or(|f| f == family) && (production || !e.production_only))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the gateway's source answers: every quoted UPPER_SNAKE code.
    fn answered() -> Vec<String> {
        let sources = [
            include_str!("../../gateway/accounts.rs"),
            include_str!("../../gateway/payments.rs"),
            include_str!("../../gateway/consents.rs"),
            include_str!("../../gateway/call.rs"),
            include_str!("../../gateway/error.rs"),
            include_str!("../../gateway/production.rs"),
            include_str!("../../gateway/mod.rs"),
            include_str!("../sandbox/payments.rs"),
            include_str!("../consent.rs"),
            include_str!("../../production_bank/simulated.rs"),
            include_str!("../../production_bank/upstream.rs"),
        ];
        let mut codes = Vec::new();
        for source in sources {
            for piece in source.split('"').skip(1).step_by(2) {
                let code_like = piece.contains('_')
                    && piece.len() > 4
                    && piece
                        .chars()
                        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
                if code_like && !codes.iter().any(|c| c == piece) {
                    codes.push(piece.to_string());
                }
            }
        }
        codes
    }

    #[test]
    fn every_code_the_gateway_answers_is_in_the_catalogue() {
        let answered = answered();
        assert!(
            answered.iter().any(|c| c == "NOT_SUBSCRIBED"),
            "the scan reads the gateway"
        );
        for code in &answered {
            assert!(
                ERRORS.iter().any(|e| e.code == code),
                "{code} is answered but not in the error catalogue"
            );
        }
    }

    #[test]
    fn production_codes_are_listed_for_production_only() {
        assert!(for_api("accounts", true).iter().any(|e| e.code == "BANK_TIMEOUT"));
        assert!(!for_api("accounts", false).iter().any(|e| e.code == "BANK_TIMEOUT"));
        assert!(!for_api("accounts", false).iter().any(|e| e.code == "PRODUCT_UNKNOWN"));
        assert!(for_api("payments", false).iter().any(|e| e.code == "PRODUCT_UNKNOWN"));
    }
}
