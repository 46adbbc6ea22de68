use serde_json::{Value, json};

use crate::support::openapi::{response_schema, validate};
use crate::support::spawn_app;
use crate::support::tpp::{ACCOUNTS, PAYMENTS, Reply};

async fn document(base: &str, slug: &str) -> Value {
    let res = reqwest::get(format!("{base}/apis/{slug}/openapi.json")).await.unwrap();
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

fn assert_valid(doc: &Value, method: &str, path: &str, r: &Reply) {
    let schema = response_schema(doc, method, path, r.status);
    if let Err(e) = validate(doc, schema, &r.body) {
        panic!("{method} {path} → {}: {e}\n{}", r.status, r.body);
    }
}

#[tokio::test]
async fn both_sandbox_apis_serve_an_openapi_3_1_document_linked_from_their_page() {
    let app = spawn_app().await;
    let dev = app.signed_in_developer("reader@tpp.example").await;
    for (slug, path) in [
        ("accounts-sandbox", "/Accounts/{accountId}/transactions"),
        ("payments-sandbox", "/SigningBasket/{basketId}"),
    ] {
        let doc = document(&app.base, slug).await;
        assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
        assert!(doc["paths"][path].is_object(), "{slug} documents {path}");
        crate::support::openapi::assert_described(&doc);
        assert!(doc["servers"][0]["url"].as_str().unwrap().ends_with("/1.0.0"));
        assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
        // Tools that fetch the token themselves find how: client credentials, a scope per test user.
        let flow = &doc["components"]["securitySchemes"]["oauth2"]["flows"]["clientCredentials"];
        assert_eq!(flow["tokenUrl"], format!("{}/oauth2/token", app.base));
        assert!(flow["scopes"]["psd2_sandbox:195505063676"].is_string());
        let params = doc["paths"][path]["get"]["parameters"].as_array().unwrap();
        let request_id = params
            .iter()
            .find(|p| p["name"] == "X-Request-ID" && p["in"] == "header" && p["required"] == true)
            .expect("X-Request-ID documented");
        assert_eq!(
            request_id["schema"]["format"], "uuid",
            "so generated requests carry a UUID"
        );
        let psu_ip = params.iter().find(|p| p["name"] == "PSU-IP-Address").unwrap();
        assert_eq!(psu_ip["schema"]["format"], "ipv4");
        assert_eq!(psu_ip["schema"]["type"], "string", "a plain string, not [string, null]");
        assert!(psu_ip["example"].is_string());
        // Every tag is declared with a description (linters and Postman's folders use them).
        assert!(
            doc["tags"]
                .as_array()
                .unwrap()
                .iter()
                .all(|t| t["description"].is_string())
        );
        // Every answer documents the echoed X-Request-ID and the errors the gateway can give.
        let responses = doc["paths"][path]["get"]["responses"].as_object().unwrap();
        for status in ["200", "400", "401", "403", "429"] {
            assert!(responses.contains_key(status), "{slug} {path} documents {status}");
        }
        assert!(responses.values().all(|r| r["headers"]["X-Request-ID"].is_object()));
        assert_eq!(doc["info"]["contact"]["url"], format!("{}/contact", app.base));
        assert_eq!(doc["info"]["license"]["url"], format!("{}/legal/terms", app.base));
        let page = dev.get_html(&format!("/apis/{slug}?tab=console")).await;
        assert!(page.contains(&format!(r#"href="/apis/{slug}/openapi.json" download"#)));
    }
    let accounts = document(&app.base, "accounts-sandbox").await;
    let operations: usize = accounts["paths"]
        .as_object()
        .unwrap()
        .values()
        .map(|item| item.as_object().unwrap().len())
        .sum();
    assert_eq!(
        operations,
        devportal::domain::catalogue::endpoints("accounts").len(),
        "the endpoint list and the document agree"
    );
    assert_eq!(
        app.get("/apis/funds-confirmation-sandbox/openapi.json").await.status(),
        404
    );
}

#[tokio::test]
async fn sandbox_responses_are_valid_against_the_served_documents() {
    let app = spawn_app().await;
    let tpp = app
        .tpp("anna@example.se", &["accounts-sandbox", "payments-sandbox"])
        .await;
    let accounts = document(&app.base, "accounts-sandbox").await;
    let payments = document(&app.base, "payments-sandbox").await;
    let t = tpp.token("195505063676").await;

    let r = tpp.get(&format!("{ACCOUNTS}/Accounts?withBalance=true"), &t).await;
    assert_valid(&accounts, "get", "/Accounts", &r);
    let r = tpp.get(&format!("{ACCOUNTS}/Accounts/12345678910"), &t).await;
    assert_valid(&accounts, "get", "/Accounts/{accountId}", &r);
    let r = tpp.get(&format!("{ACCOUNTS}/Accounts/12345678910/balances"), &t).await;
    assert_valid(&accounts, "get", "/Accounts/{accountId}/balances", &r);
    let r = tpp
        .get(&format!("{ACCOUNTS}/Accounts/12345678910/transactions?status=both"), &t)
        .await;
    assert_valid(&accounts, "get", "/Accounts/{accountId}/transactions", &r);
    let one = r.body["transactions"]["booked"][0]["transactionId"]
        .as_str()
        .unwrap()
        .to_string();
    let r = tpp
        .get(&format!("{ACCOUNTS}/Accounts/12345678910/transactions/{one}"), &t)
        .await;
    assert_valid(
        &accounts,
        "get",
        "/Accounts/{accountId}/transactions/{transactionId}",
        &r,
    );
    let r = tpp.get(&format!("{ACCOUNTS}/Accounts/nope"), &t).await;
    assert_valid(&accounts, "get", "/Accounts/{accountId}", &r);
    let r = tpp.get(&format!("{ACCOUNTS}/Accounts"), "unknown").await;
    assert_valid(&accounts, "get", "/Accounts", &r);
    let under16 = tpp.token("201011119789").await;
    let r = tpp.get(&format!("{ACCOUNTS}/Accounts"), &under16).await;
    assert_valid(&accounts, "get", "/Accounts", &r);

    let body = json!({"instructedAmount": {"currency": "SEK", "amount": "450.00"}, "debtorAccount": {"bban": "12345678910"},
                      "creditorBankgiro": "5050-1055", "ocr": "4711002345"});
    let r = tpp
        .post(&format!("{PAYMENTS}/Payments/SepaCreditTransfers"), &t, body.clone())
        .await;
    assert_valid(&payments, "post", "/Payments/{paymentProduct}", &r);
    let id = r.body["paymentId"].as_str().unwrap().to_string();
    let r = tpp
        .get(&format!("{PAYMENTS}/Payments/SepaCreditTransfers/{id}"), &t)
        .await;
    assert_valid(&payments, "get", "/Payments/{paymentProduct}/{paymentId}", &r);
    let r = tpp
        .get(&format!("{PAYMENTS}/Payments/SepaCreditTransfers/{id}/status"), &t)
        .await;
    assert_valid(&payments, "get", "/Payments/{paymentProduct}/{paymentId}/status", &r);
    let r = tpp
        .post(
            &format!("{PAYMENTS}/Payments/SepaCreditTransfers"),
            &t,
            json!({"instructedAmount": {"currency": "XXX", "amount": "1"}, "debtorAccount": {"bban": "12345678910"}}),
        )
        .await;
    assert_valid(&payments, "post", "/Payments/{paymentProduct}", &r);
    let r = tpp
        .post(&format!("{PAYMENTS}/SigningBasket"), &t, json!({"paymentIds": [id]}))
        .await;
    assert_valid(&payments, "post", "/SigningBasket", &r);
    let r = tpp
        .call(
            reqwest::Method::DELETE,
            &format!("{PAYMENTS}/Payments/SepaCreditTransfers/{id}"),
            &t,
            None,
        )
        .await;
    assert_valid(&payments, "delete", "/Payments/{paymentProduct}/{paymentId}", &r);
}

#[tokio::test]
async fn the_check_itself_refuses_wrong_types_missing_fields_and_unknown_fields() {
    let app = spawn_app().await;
    let doc = document(&app.base, "accounts-sandbox").await;
    let schema = response_schema(&doc, "get", "/Accounts", 200);
    assert!(validate(&doc, schema, &json!({"accounts": []})).is_ok());
    assert!(validate(&doc, schema, &json!({"accounts": [], "extra": 1})).is_err());
    assert!(validate(&doc, schema, &json!({})).is_err());
    assert!(validate(&doc, schema, &json!({"accounts": [{"resourceId": 5}]})).is_err());
}
