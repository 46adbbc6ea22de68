use reqwest::Method;

use crate::support::spawn_app;
use crate::support::tpp::{ACCOUNTS, Tpp};

async fn accounts_of(tpp: &Tpp, ssn: &str) -> serde_json::Value {
    let token = tpp.token(ssn).await;
    let r = tpp.get(&format!("{ACCOUNTS}/Accounts?withBalance=true"), &token).await;
    assert_eq!(r.status, 200, "{ssn}: {}", r.body);
    r.body
}

fn balance(account: &serde_json::Value, kind: &str) -> String {
    account["balances"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["balanceType"] == kind)
        .unwrap()["balanceAmount"]["amount"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn every_row_of_the_test_user_table() {
    let app = spawn_app().await;
    let tpp = app.tpp("anna@example.se", &["accounts-sandbox"]).await;

    // 195505063676: balance and credit; account 12345678910.
    let a = &accounts_of(&tpp, "195505063676").await["accounts"][0];
    assert_eq!(a["resourceId"], "12345678910");
    assert_eq!(a["name"], "ICA Konto");
    assert_eq!(a["creditLimit"]["amount"], "10000.00");
    assert_eq!(balance(a, "available"), "34140.00", "booked − reserved + credit");
    assert_eq!(a["balances"][2]["creditLimitIncluded"], true);

    // 197301175209: accounts, no balance even when asked; account 98765432103.
    let a = &accounts_of(&tpp, "197301175209").await["accounts"][0];
    assert_eq!(a["resourceId"], "98765432103");
    assert!(a.get("balances").is_none());

    // 196311210063: balance, no credit; pending card transactions.
    let a = &accounts_of(&tpp, "196311210063").await["accounts"][0];
    assert_eq!(a["resourceId"], "19283764502");
    assert!(a.get("creditLimit").is_none());
    assert_eq!(a["balances"][2]["creditLimitIncluded"], false);
    let token = tpp.token("196311210063").await;
    let pending = tpp
        .get(
            &format!("{ACCOUNTS}/Accounts/19283764502/transactions?status=pending"),
            &token,
        )
        .await;
    let pending = pending.body["transactions"]["pending"].as_array().unwrap().clone();
    assert!(!pending.is_empty() && pending.iter().all(|t| t["proprietaryBankTransactionCode"] == "Card"));

    // 198904153866: two accounts with balance; Swish transactions.
    let all = accounts_of(&tpp, "198904153866").await;
    let ids: Vec<&str> = all["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["resourceId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["12345678919", "10000000001"]);
    let token = tpp.token("198904153866").await;
    let tx = tpp
        .get(&format!("{ACCOUNTS}/Accounts/12345678919/transactions"), &token)
        .await;
    assert!(
        tx.body["transactions"]["booked"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["proprietaryBankTransactionCode"] == "Swish")
    );

    // 197002022692: a cross-border payment transaction.
    let token = tpp.token("197002022692").await;
    let id = accounts_of(&tpp, "197002022692").await["accounts"][0]["resourceId"]
        .as_str()
        .unwrap()
        .to_string();
    let tx = tpp
        .get(
            &format!(
                "{ACCOUNTS}/Accounts/{id}/transactions?dateFrom={}",
                app.clock_date_minus(200)
            ),
            &token,
        )
        .await;
    assert!(
        tx.body["transactions"]["booked"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["proprietaryBankTransactionCode"] == "Cross-border")
    );

    // 194112010014 and 197209139240 have accounts too.
    for ssn in ["194112010014", "197209139240"] {
        assert!(!accounts_of(&tpp, ssn).await["accounts"].as_array().unwrap().is_empty());
    }

    // 201011119789: under 16; 198312112678: invalid KYC. Every call refused.
    for (ssn, code) in [("201011119789", "PSU_UNDER_16"), ("198312112678", "KYC_INVALID")] {
        let token = tpp.token(ssn).await;
        for path in ["/Accounts", "/Accounts/12345678910", "/Accounts/12345678910/balances"] {
            let r = tpp.get(&format!("{ACCOUNTS}{path}"), &token).await;
            assert_eq!((r.status, r.code()), (403, code), "{ssn} {path}");
        }
    }
}

#[tokio::test]
async fn any_other_valid_personnummer_gets_the_same_made_up_customer_each_time() {
    let app = spawn_app().await;
    let tpp = app.tpp("anna@example.se", &["accounts-sandbox"]).await;
    let first = accounts_of(&tpp, "199001011239").await;
    let again = accounts_of(&tpp, "900101-1239").await;
    assert_eq!(first, again);
    assert_eq!(first["accounts"][0]["resourceId"].as_str().unwrap().len(), 11);
    assert_ne!(
        accounts_of(&tpp, "198501011236").await["accounts"][0]["resourceId"],
        first["accounts"][0]["resourceId"]
    );
}

#[tokio::test]
async fn balances_transactions_and_their_filters() {
    let app = spawn_app().await;
    let tpp = app.tpp("anna@example.se", &["accounts-sandbox"]).await;
    let token = tpp.token("195505063676").await;
    let b = tpp
        .get(&format!("{ACCOUNTS}/Accounts/12345678910/balances"), &token)
        .await;
    let kinds: Vec<&str> = b.body["balances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["balanceType"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["booked", "reserved", "available"]);

    let path = format!("{ACCOUNTS}/Accounts/12345678910/transactions");
    let last30 = tpp.get(&path, &token).await.body["transactions"]["booked"]
        .as_array()
        .unwrap()
        .len();
    let from = app.clock_date_minus(400);
    let longer = tpp.get(&format!("{path}?dateFrom={from}"), &token).await.body["transactions"]["booked"]
        .as_array()
        .unwrap()
        .len();
    assert!(
        last30 > 0 && longer > last30,
        "30 days by default ({last30}), more from {from} ({longer})"
    );

    let too_old = tpp
        .get(&format!("{path}?dateFrom={}", app.clock_date_minus(560)), &token)
        .await;
    assert_eq!((too_old.status, too_old.code()), (400, "PERIOD_INVALID"));
    assert!(too_old.body["message"].as_str().unwrap().contains("18 months"));
    assert_eq!(tpp.get(&format!("{path}?status=maybe"), &token).await.status, 400);
    assert_eq!(
        tpp.get(&format!("{path}?dateFrom=yesterday"), &token).await.code(),
        "FORMAT_ERROR"
    );

    let booked_only = tpp.get(&format!("{path}?status=booked"), &token).await;
    assert!(
        booked_only.body["transactions"]["pending"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let one = booked_only.body["transactions"]["booked"][0]["transactionId"]
        .as_str()
        .unwrap()
        .to_string();
    let t = tpp.get(&format!("{path}/{one}"), &token).await;
    assert_eq!(t.body["transactionsDetails"]["transactionId"], one.as_str());
    assert_eq!(tpp.get(&format!("{path}/nope"), &token).await.status, 404);
    let other = tpp.get(&format!("{ACCOUNTS}/Accounts/98765432103"), &token).await;
    assert_eq!(
        (other.status, other.code()),
        (404, "RESOURCE_UNKNOWN"),
        "another customer's account"
    );
}

#[tokio::test]
async fn x_request_id_is_required_must_be_a_uuid_and_is_echoed() {
    let app = spawn_app().await;
    let tpp = app.tpp("anna@example.se", &["accounts-sandbox"]).await;
    let token = tpp.token("195505063676").await;
    let path = format!("{ACCOUNTS}/Accounts");
    let id = uuid::Uuid::new_v4().to_string();
    let ok = tpp
        .call_with(
            Method::GET,
            &path,
            &token,
            None,
            &[("X-Request-ID", &id), ("PSU-IP-Address", "192.0.2.1")],
        )
        .await;
    assert_eq!(ok.status, 200);
    assert_eq!(ok.headers["x-request-id"], id.as_str());
    let bad = tpp
        .call_with(Method::GET, &path, &token, None, &[("X-Request-ID", "not-a-uuid")])
        .await;
    assert_eq!((bad.status, bad.code()), (400, "FORMAT_ERROR"));
    assert_eq!(bad.headers["x-request-id"], "not-a-uuid");
    let none = reqwest::Client::new()
        .get(format!("{}{path}", app.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(none.status(), 400);
}

#[tokio::test]
async fn an_empty_token_and_an_unknown_token_are_refused() {
    let app = spawn_app().await;
    let tpp = app.tpp("anna@example.se", &["accounts-sandbox"]).await;
    let path = format!("{ACCOUNTS}/Accounts");
    let empty = tpp.get(&path, "").await;
    assert_eq!((empty.status, empty.code()), (401, "TOKEN_MISSING"));
    assert!(empty.headers.contains_key("www-authenticate"));
    let unknown = tpp.get(&path, "made-up-token").await;
    assert_eq!(
        (unknown.status, unknown.body["message"].as_str()),
        (401, Some("access token expired"))
    );
}

#[tokio::test]
async fn an_application_may_call_only_the_apis_it_subscribes_to() {
    let app = spawn_app().await;
    let tpp = app.tpp("anna@example.se", &["payments-sandbox"]).await;
    let token = tpp.token("195505063676").await;
    let r = tpp.get(&format!("{ACCOUNTS}/Accounts"), &token).await;
    assert_eq!((r.status, r.code()), (403, "NOT_SUBSCRIBED"));
    assert!(r.body["message"].as_str().unwrap().contains("Accounts 1.0.0 (Sandbox)"));
}

#[tokio::test]
async fn regenerating_the_secret_unsubscribing_and_deleting_each_end_access_at_once() {
    let app = spawn_app().await;
    let path = format!("{ACCOUNTS}/Accounts");

    let tpp = app.tpp("anna@example.se", &["accounts-sandbox"]).await;
    let token = tpp.token("195505063676").await;
    assert_eq!(tpp.get(&path, &token).await.status, 200);
    tpp.browser
        .post_form(
            &format!("/applications/{}/sandbox-keys/secret", tpp.application_id),
            &[],
        )
        .await;
    assert_eq!(tpp.get(&path, &token).await.code(), "TOKEN_EXPIRED", "new secret");

    let tpp = app.tpp("bo@example.se", &["accounts-sandbox"]).await;
    let token = tpp.token("195505063676").await;
    assert_eq!(tpp.get(&path, &token).await.status, 200);
    let subs = tpp.browser.get_html("/subscriptions").await;
    let sub = crate::support::between(&subs, r#"href="/subscriptions/"#, r#"""#).unwrap();
    tpp.browser
        .post_form(&format!("/subscriptions/{sub}/delete"), &[])
        .await;
    assert_eq!(tpp.get(&path, &token).await.code(), "NOT_SUBSCRIBED", "unsubscribed");

    let tpp = app.tpp("cy@example.se", &["accounts-sandbox"]).await;
    let token = tpp.token("195505063676").await;
    assert_eq!(tpp.get(&path, &token).await.status, 200);
    tpp.browser
        .post_form(
            &format!("/applications/{}/delete", tpp.application_id),
            &[("confirm_name", "psd2_sandbox")],
        )
        .await;
    assert_eq!(
        tpp.get(&path, &token).await.code(),
        "TOKEN_EXPIRED",
        "deleted application"
    );

    let tpp = app.tpp("di@example.se", &["accounts-sandbox"]).await;
    let token = tpp.token("195505063676").await;
    tpp.browser
        .post_form(
            &format!("/applications/{}/sandbox-keys/revoke", tpp.application_id),
            &[],
        )
        .await;
    assert_eq!(tpp.get(&path, &token).await.code(), "TOKEN_EXPIRED", "revoked keys");
}

#[tokio::test]
async fn without_psu_ip_address_an_account_may_be_read_four_times_a_day() {
    let app = spawn_app().await;
    app.start_of_window(86_400);
    let tpp = app.tpp("anna@example.se", &["accounts-sandbox"]).await;
    let token = tpp.token("195505063676").await;
    let path = format!("{ACCOUNTS}/Accounts/12345678910/balances");
    for i in 1..=4 {
        assert_eq!(
            tpp.call_with(Method::GET, &path, &token, None, &[]).await.status,
            200,
            "call {i}"
        );
    }
    let fifth = tpp.call_with(Method::GET, &path, &token, None, &[]).await;
    assert_eq!((fifth.status, fifth.code()), (429, "ACCESS_EXCEEDED"));
    assert!(fifth.body["message"].as_str().unwrap().contains("4 times a day"));
    assert!(fifth.headers.contains_key("retry-after"));
    for _ in 0..5 {
        assert_eq!(
            tpp.get(&path, &token).await.status,
            200,
            "with PSU-IP-Address: unlimited"
        );
    }
    app.clock.advance(time::Duration::days(1));
    let token = tpp.token("195505063676").await;
    assert_eq!(
        tpp.call_with(Method::GET, &path, &token, None, &[]).await.status,
        200,
        "a new day"
    );
}

#[tokio::test]
async fn the_rate_limit_answers_429_with_retry_after() {
    let app = spawn_app().await;
    let tpp = app.tpp("anna@example.se", &["accounts-sandbox"]).await;
    let token = tpp.token("195505063676").await;
    let path = format!("{ACCOUNTS}/Accounts");
    let mut replies = Vec::new();
    for _ in 0..30 {
        replies.push(tpp.get(&path, &token).await);
    }
    let limited = replies
        .iter()
        .find(|r| r.status == 429)
        .expect("a 429 after a burst of 20");
    assert_eq!(limited.code(), "RATE_LIMITED");
    assert!(limited.headers["retry-after"].to_str().unwrap().parse::<u64>().unwrap() >= 1);
    let ok = replies.iter().filter(|r| r.status == 200).count();
    assert!(ok >= 20);

    // The application page charts the calls of the last 24 hours.
    let page = tpp
        .browser
        .get_html(&format!("/applications/{}", tpp.application_id))
        .await;
    assert!(page.contains("<strong>30</strong> calls"), "{page}");
    let refused = 30 - ok;
    assert!(page.contains(&format!(
        "<strong>{:.1} %</strong> refused",
        refused as f64 * 100.0 / 30.0
    )));
    assert!(page.contains(r#"<svg class="chart""#));
    assert!(page.contains("evenness <strong>0 / 100</strong>"), "all in one hour");
}
