use reqwest::Method;
use serde_json::{Value, json};

use crate::support::spawn_app;
use crate::support::tpp::{ACCOUNTS, PAYMENTS, Tpp};

fn order(debtor: &str, amount: &str, currency: &str) -> Value {
    json!({
        "instructedAmount": {"currency": currency, "amount": amount},
        "debtorAccount": {"bban": debtor},
        "creditorName": "Elbolaget AB",
        "creditorBankgiro": "5050-1055",
        "ocr": "4711002345"
    })
}

async fn available(tpp: &Tpp, token: &str, account: &str) -> String {
    let b = tpp.get(&format!("{ACCOUNTS}/Accounts/{account}/balances"), token).await;
    b.body["balances"][0]["balanceAmount"]["amount"]
        .as_str()
        .unwrap()
        .to_string()
}

/// The available balance of `account` as the account list shows it.
async fn listed_available(tpp: &Tpp, token: &str, account: &str) -> String {
    let list = tpp.get(&format!("{ACCOUNTS}/Accounts?withBalance=true"), token).await;
    let a = list.body["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["resourceId"] == account)
        .unwrap_or_else(|| panic!("{account} listed: {}", list.body));
    let available = a["balances"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["balanceType"] == "available")
        .unwrap();
    available["balanceAmount"]["amount"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn payments_get_the_documented_status_per_test_user_and_product() {
    let app = spawn_app().await;
    let tpp = app
        .tpp("anna@example.se", &["payments-sandbox", "accounts-sandbox"])
        .await;
    let sepa = format!("{PAYMENTS}/Payments/SepaCreditTransfers");

    // Bankgiro with OCR: RCVD.
    let t = tpp.token("195505063676").await;
    let r = tpp.post(&sepa, &t, order("12345678910", "450.00", "SEK")).await;
    assert_eq!(
        (r.status, r.body["transactionStatus"].as_str()),
        (201, Some("RCVD")),
        "{}",
        r.body
    );
    assert!(
        r.body["_links"]["status"]["href"]
            .as_str()
            .unwrap()
            .ends_with("/status")
    );

    // Plusgiro with a message: RCVD.
    let t = tpp.token("197301175209").await;
    let plusgiro = json!({"instructedAmount": {"currency": "SEK", "amount": "99.5"}, "debtorAccount": {"bban": "98765432103"},
                          "creditorPlusgiro": "90 20 00-1", "remittanceInformationUnstructured": "Hyra november"});
    assert_eq!(tpp.post(&sepa, &t, plusgiro).await.body["transactionStatus"], "RCVD");

    // External transfer without execution date: RCVD.
    let t = tpp.token("198904153866").await;
    let external = json!({"instructedAmount": {"currency": "SEK", "amount": "1200"}, "debtorAccount": {"bban": "12345678919"},
                          "creditorAccount": {"bban": "55550000001"}, "creditorName": "Someone Else"});
    assert_eq!(tpp.post(&sepa, &t, external).await.body["transactionStatus"], "RCVD");

    // Cross-border in EUR: RCVD.
    let t = tpp.token("194112010014").await;
    let debtor = tpp.get(&format!("{ACCOUNTS}/Accounts"), &t).await.body["accounts"][0]["resourceId"]
        .as_str()
        .unwrap()
        .to_string();
    let cross = tpp
        .post(
            &format!("{PAYMENTS}/Payments/CrossBorderCreditTransfers"),
            &t,
            order(&debtor, "75.00", "EUR"),
        )
        .await;
    assert_eq!(
        (cross.status, cross.body["transactionStatus"].as_str()),
        (201, Some("RCVD"))
    );

    // A wrong currency code is refused.
    let t = tpp.token("197209139240").await;
    let debtor = tpp.get(&format!("{ACCOUNTS}/Accounts"), &t).await.body["accounts"][0]["resourceId"]
        .as_str()
        .unwrap()
        .to_string();
    let wrong = tpp.post(&sepa, &t, order(&debtor, "10.00", "SEKK")).await;
    assert_eq!((wrong.status, wrong.code()), (400, "CURRENCY_INVALID"));

    // Under 16: the execution date is refused. Invalid KYC: refused.
    let t = tpp.token("201011119789").await;
    assert_eq!(
        tpp.post(&sepa, &t, order("1", "10.00", "SEK")).await.code(),
        "EXECUTION_DATE_INVALID"
    );
    let t = tpp.token("198312112678").await;
    assert_eq!(
        tpp.post(&sepa, &t, order("1", "10.00", "SEK")).await.code(),
        "KYC_INVALID"
    );

    assert_eq!(
        tpp.post(&format!("{PAYMENTS}/Payments/Bitcoin"), &t, order("1", "1", "SEK"))
            .await
            .status,
        404
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM sandbox_payments").await,
        4,
        "refused payments are not stored"
    );
}

#[tokio::test]
async fn an_internal_transfer_settles_at_once_and_moves_money_for_that_application_only() {
    let app = spawn_app().await;
    let tpp = app
        .tpp("anna@example.se", &["payments-sandbox", "accounts-sandbox"])
        .await;
    let other = app.tpp("bo@example.se", &["accounts-sandbox"]).await;
    let t = tpp.token("196311210063").await;
    let before_from = available(&tpp, &t, "19283764502").await;
    let before_to = available(&tpp, &t, "19283764510").await;
    // The list too (rendered once per build of the customer, and kept).
    let listed_before = listed_available(&tpp, &t, "19283764502").await;

    let transfer = json!({"instructedAmount": {"currency": "SEK", "amount": "500.00"}, "debtorAccount": {"bban": "19283764502"},
                          "creditorAccount": {"bban": "19283764510"}});
    let r = tpp
        .post(&format!("{PAYMENTS}/Payments/SepaCreditTransfers"), &t, transfer)
        .await;
    assert_eq!(r.body["transactionStatus"], "ACSC");
    let id = r.body["paymentId"].as_str().unwrap();
    let status = tpp
        .get(&format!("{PAYMENTS}/Payments/SepaCreditTransfers/{id}/status"), &t)
        .await;
    assert_eq!(status.body["transactionStatus"], "ACSC");

    let from: f64 = available(&tpp, &t, "19283764502").await.parse().unwrap();
    let to: f64 = available(&tpp, &t, "19283764510").await.parse().unwrap();
    assert_eq!(from, before_from.parse::<f64>().unwrap() - 500.0);
    assert_eq!(to, before_to.parse::<f64>().unwrap() + 500.0);
    let listed: f64 = listed_available(&tpp, &t, "19283764502").await.parse().unwrap();
    assert_eq!(
        listed,
        listed_before.parse::<f64>().unwrap() - 500.0,
        "the list shows the transfer at once"
    );
    let tx = tpp
        .get(&format!("{ACCOUNTS}/Accounts/19283764510/transactions"), &t)
        .await;
    assert!(
        tx.body["transactions"]["booked"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["transactionAmount"]["amount"] == "500.00")
    );

    let cancel = tpp
        .call(
            Method::DELETE,
            &format!("{PAYMENTS}/Payments/SepaCreditTransfers/{id}"),
            &t,
            None,
        )
        .await;
    assert_eq!(
        (cancel.status, cancel.code()),
        (409, "CANCELLATION_INVALID"),
        "a settled payment stays"
    );

    let ot = other.token("196311210063").await;
    assert_eq!(
        available(&other, &ot, "19283764502").await,
        before_from,
        "another application sees the documented state"
    );
}

#[tokio::test]
async fn a_payment_is_read_cancelled_and_kept_per_application_and_customer() {
    let app = spawn_app().await;
    let tpp = app.tpp("anna@example.se", &["payments-sandbox"]).await;
    let t = tpp.token("195505063676").await;
    let r = tpp
        .post(
            &format!("{PAYMENTS}/Payments/SepaCreditTransfers"),
            &t,
            order("12345678910", "450.00", "SEK"),
        )
        .await;
    let id = r.body["paymentId"].as_str().unwrap().to_string();
    let path = format!("{PAYMENTS}/Payments/SepaCreditTransfers/{id}");

    let got = tpp.get(&path, &t).await;
    assert_eq!(got.body["instructedAmount"]["amount"], "450.00");
    assert_eq!(got.body["ocr"], "4711002345");
    assert_eq!(got.body["transactionStatus"], "RCVD");

    let cancelled = tpp.call(Method::DELETE, &path, &t, None).await;
    assert_eq!(cancelled.body["transactionStatus"], "CANC");
    assert_eq!(
        tpp.get(&format!("{path}/status"), &t).await.body["transactionStatus"],
        "CANC"
    );

    let someone_else = tpp.token("197301175209").await;
    assert_eq!(tpp.get(&path, &someone_else).await.status, 404, "another customer");
    let bo = app.tpp("bo@example.se", &["payments-sandbox"]).await;
    let bo_token = bo.token("195505063676").await;
    assert_eq!(bo.get(&path, &bo_token).await.status, 404, "another application");
    assert_eq!(
        tpp.get(&format!("{PAYMENTS}/Payments/CrossBorderCreditTransfers/{id}"), &t)
            .await
            .status,
        404,
        "another product"
    );
}

#[tokio::test]
async fn periodic_payments_and_signing_baskets() {
    let app = spawn_app().await;
    let tpp = app.tpp("anna@example.se", &["payments-sandbox"]).await;
    let t = tpp.token("195505063676").await;
    let mut standing = order("12345678910", "300.00", "SEK");
    let periodic = format!("{PAYMENTS}/PeriodicPayments/SepaCreditTransfers");
    assert_eq!(
        tpp.post(&periodic, &t, standing.clone()).await.code(),
        "FORMAT_ERROR",
        "startDate and frequency"
    );
    standing["startDate"] = json!(app.clock_date_minus(-3));
    standing["frequency"] = json!("Monthly");
    let r = tpp.post(&periodic, &t, standing).await;
    assert_eq!((r.status, r.body["transactionStatus"].as_str()), (201, Some("RCVD")));
    let pid = r.body["paymentId"].as_str().unwrap().to_string();
    assert_eq!(
        tpp.get(&format!("{periodic}/{pid}"), &t).await.body["frequency"],
        "Monthly"
    );

    let single = tpp
        .post(
            &format!("{PAYMENTS}/Payments/SepaCreditTransfers"),
            &t,
            order("12345678910", "1", "SEK"),
        )
        .await;
    let sid = single.body["paymentId"].as_str().unwrap().to_string();
    let basket = tpp
        .post(&format!("{PAYMENTS}/SigningBasket"), &t, json!({"paymentIds": [pid]}))
        .await;
    assert_eq!(basket.status, 201);
    let bid = basket.body["basketId"].as_str().unwrap().to_string();
    let put = tpp
        .call(
            Method::PUT,
            &format!("{PAYMENTS}/SigningBasket/{bid}"),
            &t,
            Some(json!({"paymentIds": [pid, sid]})),
        )
        .await;
    assert_eq!(put.body["paymentIds"].as_array().unwrap().len(), 2);
    assert_eq!(
        tpp.get(&format!("{PAYMENTS}/SigningBasket/{bid}"), &t).await.body["transactionStatus"],
        "RCVD"
    );
    let unknown = tpp
        .post(
            &format!("{PAYMENTS}/SigningBasket"),
            &t,
            json!({"paymentIds": ["nope"]}),
        )
        .await;
    assert_eq!(unknown.status, 400);
}

#[tokio::test]
async fn resetting_the_sandbox_returns_to_the_documented_state() {
    let app = spawn_app().await;
    let tpp = app
        .tpp("anna@example.se", &["payments-sandbox", "accounts-sandbox"])
        .await;
    let t = tpp.token("196311210063").await;
    let documented = available(&tpp, &t, "19283764502").await;
    let transfer = json!({"instructedAmount": {"currency": "SEK", "amount": "100"}, "debtorAccount": {"bban": "19283764502"},
                          "creditorAccount": {"bban": "19283764510"}});
    tpp.post(&format!("{PAYMENTS}/Payments/SepaCreditTransfers"), &t, transfer)
        .await;
    assert_ne!(available(&tpp, &t, "19283764502").await, documented);

    let res = tpp
        .browser
        .post_form(&format!("/applications/{}/sandbox/reset", tpp.application_id), &[])
        .await;
    assert_eq!(res.status(), 303);
    assert!(
        tpp.browser
            .get_html(&crate::support::location(&res))
            .await
            .contains("back to the documented state")
    );
    assert_eq!(available(&tpp, &t, "19283764502").await, documented);
    assert_eq!(app.count("SELECT COUNT(*) FROM sandbox_payments").await, 0);

    let api = app.api_for("anna@example.se").await;
    tpp.post(
        &format!("{PAYMENTS}/Payments/SepaCreditTransfers"),
        &t,
        json!({"instructedAmount": {"currency": "SEK", "amount": "100"},
        "debtorAccount": {"bban": "19283764502"}, "creditorAccount": {"bban": "19283764510"}}),
    )
    .await;
    let (status, body) = api
        .post(
            &format!("/api/v1/applications/{}/sandbox/reset", tpp.application_id),
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["removed"], 1);
    assert_eq!(available(&tpp, &t, "19283764502").await, documented);
}

#[tokio::test]
async fn deleting_an_application_also_removes_its_tokens_payments_baskets_and_usage() {
    let app = spawn_app().await;
    let tpp = app
        .tpp("anna@example.se", &["payments-sandbox", "accounts-sandbox"])
        .await;
    let t = tpp.token("195505063676").await;
    let r = tpp
        .post(
            &format!("{PAYMENTS}/Payments/SepaCreditTransfers"),
            &t,
            order("12345678910", "1", "SEK"),
        )
        .await;
    let id = r.body["paymentId"].as_str().unwrap();
    tpp.post(&format!("{PAYMENTS}/SigningBasket"), &t, json!({"paymentIds": [id]}))
        .await;
    tpp.get(&format!("{ACCOUNTS}/Accounts"), &t).await;
    devportal::services::usage::flush(&app.svc).await.unwrap();

    let preview = tpp
        .browser
        .get_html(&format!("/applications/{}/delete", tpp.application_id))
        .await;
    assert!(preview.contains("<li>1 access token issued to it</li>"), "{preview}");
    assert!(preview.contains("<li>1 sandbox payment made with it</li>"));

    let before = app.table_counts().await;
    tpp.browser
        .post_form(
            &format!("/applications/{}/delete", tpp.application_id),
            &[("confirm_name", "psd2_sandbox")],
        )
        .await;
    let after = app.table_counts().await;
    let mut expected = before.clone();
    for (table, gone) in [
        ("applications", 1),
        ("subscriptions", 2),
        ("client_keys", 1),
        ("oauth_tokens", 1),
        ("sandbox_payments", 1),
        ("sandbox_baskets", 1),
        ("api_usage", 1),
        ("audit_log", -1),
    ] {
        *expected.get_mut(table).unwrap() -= gone;
    }
    assert_eq!(
        after, expected,
        "exactly what hung on the application went, in every table"
    );
}

#[tokio::test]
async fn a_stored_status_the_portal_does_not_know_is_an_error_not_a_cancellable_payment() {
    let app = spawn_app().await;
    let tpp = app.tpp("anna@example.se", &["payments-sandbox"]).await;
    let t = tpp.token("195505063676").await;
    let sepa = format!("{PAYMENTS}/Payments/SepaCreditTransfers");
    let r = tpp.post(&sepa, &t, order("12345678910", "450.00", "SEK")).await;
    let id = r.body["paymentId"].as_str().unwrap().to_string();
    // A row written by some other version of the schema, or damaged.
    app.exec(&format!(
        "UPDATE sandbox_payments SET status = 'XXXX' WHERE id = '{id}'"
    ))
    .await;

    // Read as RCVD, it used to be cancelled; now the call fails and nothing changes.
    let cancelled = tpp.call(Method::DELETE, &format!("{sepa}/{id}"), &t, None).await;
    assert_eq!((cancelled.status, cancelled.code()), (500, "INTERNAL_ERROR"));
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM sandbox_payments WHERE id = '{id}' AND status = 'XXXX'"
        ))
        .await,
        1
    );
}
