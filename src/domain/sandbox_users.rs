//! The bank's documented sandbox test users (SSN → behaviour).

pub struct TestUser {
    pub ssn: &'static str,
    pub behaviour: &'static str,
}

pub const TEST_USERS: &[TestUser] = &[
    TestUser {
        ssn: "195505063676",
        behaviour: "Accounts with balance and credit; account 12345678910. Payment: Bankgiro with OCR, status RCVD.",
    },
    TestUser {
        ssn: "197301175209",
        behaviour: "Accounts without balance (withBalance=false); account 98765432103. Payment: Plusgiro with message, RCVD.",
    },
    TestUser {
        ssn: "196311210063",
        behaviour: "Accounts with balance, no credit; account 19283764502; pending card transactions. Internal transfer settles at once (ACSC).",
    },
    TestUser {
        ssn: "198904153866",
        behaviour: "Accounts with balance; accounts 12345678919 and 10000000001; Swish transactions. External transfer without execution date, RCVD.",
    },
    TestUser {
        ssn: "194112010014",
        behaviour: "Cross-border payment in EUR (CrossBorderCreditTransfers), RCVD.",
    },
    TestUser {
        ssn: "197002022692",
        behaviour: "Cross-border payment transaction.",
    },
    TestUser {
        ssn: "201011119789",
        behaviour: "Under 16: every call is refused (must be 16 or older). Payments: wrong requested execution date.",
    },
    TestUser {
        ssn: "198312112678",
        behaviour: "Invalid KYC: every call is refused.",
    },
    TestUser {
        ssn: "197209139240",
        behaviour: "A payment with a wrong currency code is refused.",
    },
];
