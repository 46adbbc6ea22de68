//! Examples that work against the sandbox on the day the document is served,
//! so that a tool which imports the document (Postman, a mock server, a
//! generated client's tests) sends requests the sandbox accepts as they are.
//! Dates are relative to `today`; accounts are the documented test users'.

use serde_json::{Value, json};
use time::{Date, Duration};
use utoipa::openapi::OpenApi;
use utoipa::openapi::path::{Operation, ParameterBuilder, ParameterIn};

/// A payment the test user 195505063676 can make from account 12345678910 to
/// a bankgiro (left `RCVD` until authorised; the execution date is left out,
/// so the server takes today).
pub fn payment() -> Value {
    json!({
        "instructedAmount": {"currency": "SEK", "amount": "100.00"},
        "debtorAccount": {"bban": "12345678910"},
        "creditorName": "Elbolaget AB",
        "creditorBankgiro": "5050-1055",
        "remittanceInformationUnstructured": "Invoice 117"
    })
}

/// A monthly standing order starting tomorrow.
pub fn standing_order(today: Date) -> Value {
    let mut order = payment();
    if let Value::Object(fields) = &mut order {
        fields.insert("startDate".into(), json!(day(today + Duration::days(1))));
        fields.insert("frequency".into(), json!("Monthly"));
    }
    order
}

/// Balances and transactions of account 12345678910, for as long as allowed
/// (`9999-12-31`), four unattended reads a day.
pub fn consent() -> Value {
    json!({
        "access": {"balances": [{"bban": "12345678910"}], "transactions": [{"bban": "12345678910"}]},
        "recurringIndicator": true,
        "validUntil": "9999-12-31",
        "frequencyPerDay": 4
    })
}

/// A basket over one payment (an id `POST /Payments/…` answered; this one
/// is only its shape, so the sandbox answers that it does not know it).
pub fn basket() -> Value {
    json!({"paymentIds": ["3f0c2a9e-5d7b-4c1e-9a61-2b8f4d6e7c10"]})
}

/// Sets the examples on the document's operations.
pub fn fill(doc: &mut OpenApi, today: Date) {
    for (path, item) in doc.paths.paths.iter_mut() {
        if let Some(op) = item.get.as_mut() {
            date_parameters(op, today);
        }
        let body = match path.as_str() {
            "/Payments/{paymentProduct}" => Some(payment()),
            "/PeriodicPayments/{paymentProduct}" => Some(standing_order(today)),
            "/consents" => Some(consent()),
            _ => None,
        };
        if let (Some(body), Some(op)) = (body, item.post.as_mut()) {
            body_example(op, body);
        }
        if path.starts_with("/SigningBasket") {
            for op in [item.post.as_mut(), item.put.as_mut()].into_iter().flatten() {
                body_example(op, basket());
            }
        }
    }
}

fn day(d: Date) -> String {
    let f = time::macros::format_description!("[year]-[month]-[day]");
    d.format(&f).unwrap_or_default()
}

/// The transaction list's period: the last 30 days (the default).
fn date_parameters(op: &mut Operation, today: Date) {
    for p in op.parameters.iter_mut().flatten() {
        if p.parameter_in != ParameterIn::Query {
            continue;
        }
        let example = match p.name.as_str() {
            "dateFrom" => today - Duration::days(30),
            "dateTo" => today,
            _ => continue,
        };
        *p = ParameterBuilder::from(p.clone())
            .example(Some(json!(day(example))))
            .build();
    }
}

fn body_example(op: &mut Operation, example: Value) {
    if let Some(content) = op
        .request_body
        .as_mut()
        .and_then(|b| b.content.get_mut("application/json"))
    {
        content.example = Some(example);
    }
}
