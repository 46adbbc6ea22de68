use serde_json::json;

use crate::support::{Api, PASSWORD, spawn_app};

#[tokio::test]
async fn a_pipeline_gets_a_token_with_basic_auth_and_does_the_whole_flow_leaving_nothing_behind() {
    let app = spawn_app().await;
    let _ = app.signed_in_developer("anna@example.se").await;
    let api = app.api_for("anna@example.se").await;
    assert!(api.token.starts_with("dpat_"));
    let before = app.table_counts().await;

    let (status, apis) = api.get("/api/v1/apis?environment=sandbox").await;
    assert_eq!(status, 200);
    let ids: Vec<&str> = apis
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"accounts-sandbox") && !ids.contains(&"accounts-production"));

    let (status, created) = api
        .post(
            "/api/v1/applications",
            json!({"name": "psd2_sandbox", "description": "CI"}),
        )
        .await;
    assert_eq!(status, 201);
    let id = created["id"].as_str().unwrap().to_string();
    let (status, got) = api.get(&format!("/api/v1/applications/{id}")).await;
    assert_eq!((status, got["name"].as_str()), (200, Some("psd2_sandbox")));
    let (status, patched) = api
        .send(
            reqwest::Method::PATCH,
            &format!("/api/v1/applications/{id}"),
            Some(json!({"description": "from CI"})),
        )
        .await;
    assert_eq!(
        (status, patched["description"].as_str(), patched["name"].as_str()),
        (200, Some("from CI"), Some("psd2_sandbox"))
    );

    let (status, sub) = api
        .post(
            &format!("/api/v1/applications/{id}/subscriptions"),
            json!({"api_id": "accounts-sandbox"}),
        )
        .await;
    assert_eq!(status, 201, "{sub}");
    assert_eq!(sub["environment"], "sandbox");
    let (status, again) = api
        .post(
            &format!("/api/v1/applications/{id}/subscriptions"),
            json!({"api_id": "accounts-sandbox"}),
        )
        .await;
    assert_eq!((status, again["error"].as_str()), (409, Some("already_subscribed")));
    let (status, prod) = api
        .post(
            &format!("/api/v1/applications/{id}/subscriptions"),
            json!({"api_id": "accounts-production"}),
        )
        .await;
    assert_eq!((status, prod["error"].as_str()), (409, Some("certificate_required")));
    let (_, subs) = api.get(&format!("/api/v1/applications/{id}/subscriptions")).await;
    assert_eq!(subs.as_array().unwrap().len(), 1);

    let (status, keys) = api
        .post(&format!("/api/v1/applications/{id}/sandbox-keys"), json!({}))
        .await;
    assert_eq!(status, 201);
    let secret = keys["client_secret"].as_str().unwrap().to_string();
    assert!(secret.len() >= 43);
    let (status, dup) = api
        .post(&format!("/api/v1/applications/{id}/sandbox-keys"), json!({}))
        .await;
    assert_eq!((status, dup["error"].as_str()), (409, Some("keys_exist")));
    let (status, shown) = api.get(&format!("/api/v1/applications/{id}/sandbox-keys")).await;
    assert_eq!(status, 200);
    assert_eq!(shown["client_id"], keys["client_id"]);
    assert!(!shown.to_string().contains(&secret), "the secret is never shown again");
    let (status, rotated) = api
        .post(&format!("/api/v1/applications/{id}/sandbox-keys/secret"), json!({}))
        .await;
    assert_eq!(status, 200);
    assert_ne!(rotated["client_secret"].as_str().unwrap(), secret);

    let sub_id = sub["id"].as_str().unwrap();
    assert_eq!(
        api.delete(&format!("/api/v1/applications/{id}/subscriptions/{sub_id}"))
            .await
            .0,
        204
    );
    assert_eq!(
        api.delete(&format!("/api/v1/applications/{id}/sandbox-keys")).await.0,
        204
    );
    assert_eq!(
        api.delete(&format!("/api/v1/applications/{id}/sandbox-keys")).await.0,
        409
    );
    api.post(
        &format!("/api/v1/applications/{id}/subscriptions"),
        json!({"api_id": "payments-sandbox"}),
    )
    .await;
    api.post(&format!("/api/v1/applications/{id}/sandbox-keys"), json!({}))
        .await;
    assert_eq!(api.delete(&format!("/api/v1/applications/{id}")).await.0, 204);
    assert_eq!(api.get(&format!("/api/v1/applications/{id}")).await.0, 404);

    let mut after = app.table_counts().await;
    // Only the token's last-use time and nothing else may differ.
    after.remove("personal_access_tokens");
    let mut expected = before.clone();
    expected.remove("personal_access_tokens");
    // What stays is the record of what happened: keys generated, secret
    // regenerated, keys revoked, keys generated again, application deleted.
    *expected.get_mut("audit_log").unwrap() += 5;
    assert_eq!(
        after,
        expected,
        "nothing left behind but the audit trail: {:#?}",
        app.audit_rows().await
    );
}

#[tokio::test]
async fn bad_requests_get_json_errors_with_the_right_status() {
    let app = spawn_app().await;
    let _ = app.signed_in_developer("anna@example.se").await;
    let api = app.api_for("anna@example.se").await;

    let (status, body) = api
        .post(
            "/api/v1/applications",
            json!({"name": "no/slashes", "callback_url": "http://x.example"}),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "invalid_input");
    assert!(body["fields"]["name"].as_str().unwrap().contains("not allowed"));
    assert!(body["fields"]["callback_url"].as_str().unwrap().contains("https"));

    let client = reqwest::Client::new();
    let url = format!("{}/api/v1/applications", app.base);
    let res = client
        .post(&url)
        .bearer_auth(&api.token)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(res.json::<serde_json::Value>().await.unwrap()["error"], "invalid_json");
    let res = client
        .post(&url)
        .bearer_auth(&api.token)
        .body("name=x")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 415);
    let big = json!({"name": "x", "description": "y".repeat(70 * 1024)});
    let res = client
        .post(&url)
        .bearer_auth(&api.token)
        .json(&big)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
    assert_eq!(
        res.json::<serde_json::Value>().await.unwrap()["error"],
        "payload_too_large"
    );

    let (status, body) = api
        .post(
            "/api/v1/applications/nope/subscriptions",
            json!({"api_id": "accounts-sandbox"}),
        )
        .await;
    assert_eq!((status, body["error"].as_str()), (404, Some("not_found")));
    let (_, created) = api.post("/api/v1/applications", json!({"name": "psd2_sandbox"})).await;
    let id = created["id"].as_str().unwrap();
    let (status, body) = api
        .post(
            &format!("/api/v1/applications/{id}/subscriptions"),
            json!({"api_id": "mortgages"}),
        )
        .await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_input")));
    assert_eq!(api.get("/api/v1/no-such-thing").await.0, 404);
}

#[tokio::test]
async fn the_api_needs_a_valid_token_and_sends_no_cookies() {
    let app = spawn_app().await;
    let res = reqwest::get(format!("{}/api/v1/applications", app.base)).await.unwrap();
    assert_eq!(res.status(), 401);
    assert!(
        res.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Bearer")
    );
    assert!(!res.headers().contains_key("set-cookie"));
    let (status, body) = Api::new(&app.base, "dpat_not-a-real-token")
        .get("/api/v1/applications")
        .await;
    assert_eq!((status, body["error"].as_str()), (401, Some("unauthorized")));
}

#[tokio::test]
async fn a_token_by_password_needs_a_verified_account_and_the_right_password() {
    let app = spawn_app().await;
    app.sign_up("anna@example.se").await;
    let url = format!("{}/api/v1/personal-access-tokens", app.base);
    let client = reqwest::Client::new();
    let res = client
        .post(&url)
        .basic_auth("anna@example.se", Some(PASSWORD))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert_eq!(
        res.json::<serde_json::Value>().await.unwrap()["error"],
        "email_not_verified"
    );

    let link = app.verification_mail("anna@example.se").await.link_to("/verify-email");
    app.get(&link).await;
    let res = client
        .post(&url)
        .basic_auth("anna@example.se", Some("wrong password!!"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let res = client.post(&url).send().await.unwrap();
    assert_eq!(res.status(), 401);
    let res = client
        .post(&url)
        .basic_auth("anna@example.se", Some(PASSWORD))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let token = res.json::<serde_json::Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let hash = devportal::domain::secret::hash_secret(&token);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM personal_access_tokens WHERE token_hash = '{hash}'"
        ))
        .await,
        1
    );
}

#[tokio::test]
async fn tokens_are_created_on_the_profile_page_shown_once_and_revoked_there() {
    let app = spawn_app().await;
    let anna = app.signed_in_developer("anna@example.se").await;
    let html = anna
        .post_form("/profile/tokens", &[("name", "CI pipeline"), ("days", "30")])
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("shown only this once"));
    let expires = crate::support::between(&html, r#"<strong id="pat-expires">"#, "</strong>").unwrap();
    let in_30_days = (time::OffsetDateTime::now_utc() + time::Duration::days(30))
        .date()
        .to_string();
    assert!(expires.starts_with(&in_30_days), "{expires}");
    let token = crate::support::between(&html, r#"<code id="pat" class="secret">"#, "</code>").unwrap();
    let api = Api::new(&app.base, &token);
    assert_eq!(api.get("/api/v1/applications").await.0, 200);

    let profile = anna.get_html("/profile").await;
    assert!(profile.contains("CI pipeline"));
    assert!(profile.contains(&format!("<td>{expires}</td>")), "the expiry is listed");
    assert!(profile.contains(r#"<option value="90" selected>90 days</option>"#));
    assert!(!profile.contains(&token));
    let id = crate::support::between(&profile, r#"action="/profile/tokens/"#, "/revoke").unwrap();
    anna.post_form(&format!("/profile/tokens/{id}/revoke"), &[]).await;
    assert_eq!(api.get("/api/v1/applications").await.0, 401, "revoked at once");
}

#[tokio::test]
async fn the_openapi_document_is_3_1_and_lists_every_api_v1_route() {
    let app = spawn_app().await;
    let doc: serde_json::Value = reqwest::get(format!("{}/api/v1/openapi.json", app.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    assert_eq!(
        doc["servers"][0]["url"],
        app.base.as_str(),
        "the server is the portal itself"
    );
    crate::support::openapi::assert_described(&doc);
    assert!(doc["info"]["contact"]["url"].as_str().unwrap().ends_with("/contact"));
    assert_eq!(
        doc["paths"]["/api/v1/personal-access-tokens"]["post"]["requestBody"]["required"], false,
        "the token request needs no body"
    );
    let mut listed: Vec<String> = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            listed.push(format!("{} {path}", method.to_uppercase()));
        }
    }
    listed.sort();
    let mut expected = vec![
        "GET /api/v1/apis",
        "GET /api/v1/applications",
        "POST /api/v1/applications",
        "GET /api/v1/applications/{id}",
        "PATCH /api/v1/applications/{id}",
        "DELETE /api/v1/applications/{id}",
        "GET /api/v1/applications/{id}/subscriptions",
        "POST /api/v1/applications/{id}/subscriptions",
        "DELETE /api/v1/applications/{id}/subscriptions/{subscription_id}",
        "GET /api/v1/applications/{id}/sandbox-keys",
        "POST /api/v1/applications/{id}/sandbox-keys",
        "DELETE /api/v1/applications/{id}/sandbox-keys",
        "POST /api/v1/applications/{id}/sandbox-keys/secret",
        "POST /api/v1/applications/{id}/sandbox/reset",
        "PUT /api/v1/applications/{id}/certificate",
        "GET /api/v1/applications/{id}/certificate",
        "DELETE /api/v1/applications/{id}/certificate",
        "POST /api/v1/applications/{id}/certificate/confirm",
        "GET /api/v1/applications/{id}/test-certificates",
        "POST /api/v1/applications/{id}/test-certificates",
        "POST /api/v1/applications/{id}/production-keys",
        "GET /api/v1/applications/{id}/production",
        "POST /api/v1/personal-access-tokens",
    ];
    expected.sort();
    assert_eq!(listed, expected);
    // Generated clients name their methods after operationIds: each is there, once.
    let mut ids: Vec<&str> = doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|item| item.as_object().unwrap().values())
        .map(|op| op["operationId"].as_str().expect("an operationId"))
        .collect();
    let count = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), count, "operationIds are unique: {ids:?}");
    // Times are date-times, so clients parse them.
    for (name, schema) in doc["components"]["schemas"].as_object().unwrap() {
        for (field, prop) in schema["properties"].as_object().into_iter().flatten() {
            if field.ends_with("_at") || field == "not_before" || field == "not_after" {
                assert_eq!(prop["format"], "date-time", "{name}.{field}");
            }
        }
    }
    // Every operation's responses refer only to schemas the document defines.
    let text = doc.to_string();
    for r in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
        let name = r.split('"').next().unwrap();
        assert!(
            doc["components"]["schemas"].get(name).is_some(),
            "missing schema {name}"
        );
    }
    assert!(doc["components"]["securitySchemes"]["personal_access_token"].is_object());
}

#[tokio::test]
async fn every_refusal_of_the_api_is_json_and_the_caller_is_checked_before_the_body() {
    let app = spawn_app().await;
    let _ = app.signed_in_developer("anna@example.se").await;
    let client = reqwest::Client::new();
    let url = |p: &str| format!("{}{p}", app.base);
    let is_json_error = |res: &reqwest::Response| {
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    };

    // Without a token, a broken body is not even read: 401, as JSON.
    let res = client
        .post(url("/api/v1/applications"))
        .header("content-type", "application/json")
        .body("{broken")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    assert!(is_json_error(&res));

    // Token creation: a broken or wrongly typed body after the password is
    // checked is a JSON 400/415/422, never plain text.
    let basic = |req: reqwest::RequestBuilder| req.basic_auth("anna@example.se", Some(PASSWORD));
    for (content_type, body, status) in [
        ("application/json", "{broken", 400),
        ("application/json", r#"{"name": 42}"#, 422),
        ("text/plain", "name", 415),
    ] {
        let res = basic(client.post(url("/api/v1/personal-access-tokens")))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), status, "{content_type} {body}");
        assert!(is_json_error(&res), "{content_type} {body}");
    }
    // A wrong password with a broken body: the password is what is refused.
    let res = client
        .post(url("/api/v1/personal-access-tokens"))
        .basic_auth("anna@example.se", Some("not the password"))
        .header("content-type", "application/json")
        .body("{broken")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    // No body at all is fine.
    let res = basic(client.post(url("/api/v1/personal-access-tokens")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);

    // A method the address does not take: 405, as JSON.
    let res = client.patch(url("/api/v1/applications")).send().await.unwrap();
    assert_eq!(res.status(), 405);
    assert!(is_json_error(&res));
    assert_eq!(
        res.json::<serde_json::Value>().await.unwrap()["error"],
        "method_not_allowed"
    );
}

#[tokio::test]
async fn a_personal_access_token_expires_when_chosen_and_at_most_after_a_year() {
    let app = spawn_app().await;
    let _ = app.signed_in_developer("anna@example.se").await;
    let client = reqwest::Client::new();
    let create = |body: serde_json::Value| {
        client
            .post(format!("{}/api/v1/personal-access-tokens", app.base))
            .basic_auth("anna@example.se", Some(PASSWORD))
            .json(&body)
            .send()
    };
    let res = create(json!({"name": "a year and a day", "expires_in_days": 366}))
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let body: serde_json::Value = res.json().await.unwrap();
    assert!(body["fields"]["expires_in_days"].as_str().unwrap().contains("365"));

    let body: serde_json::Value = create(json!({"name": "ci"})).await.unwrap().json().await.unwrap();
    let expires = time::OffsetDateTime::parse(
        body["expires_at"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let days = (expires - time::OffsetDateTime::now_utc()).whole_days();
    assert!((89..=90).contains(&days), "90 days by default, got {days}");

    let body: serde_json::Value = create(json!({"name": "short", "expires_in_days": 1}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let short = Api::new(&app.base, body["token"].as_str().unwrap());
    assert_eq!(short.get("/api/v1/applications").await.0, 200);
    app.clock.advance(time::Duration::days(2));
    assert_eq!(short.get("/api/v1/applications").await.0, 401);
}
