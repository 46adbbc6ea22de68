//! What the GDPR gives a developer: a copy of their data.

use crate::support::spawn_app;

#[tokio::test]
async fn a_developer_downloads_everything_the_portal_holds_about_them_and_nothing_secret() {
    let app = spawn_app().await;
    let anna = app.signed_in_developer("anna@example.se").await;
    let id = anna.create_application("psd2_sandbox").await;
    anna.subscribe(&id, "accounts-sandbox").await;
    let (client_id, secret) = anna.generate_keys(&id).await;
    let _api = app.api_for("anna@example.se").await;
    let other = app.signed_in_developer("bertil@example.se").await;
    other.create_application("bertils_app").await;

    assert!(anna.get_html("/profile").await.contains(r#"href="/profile/data.json""#));
    let res = anna.get("/profile/data.json").await;
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    assert_eq!(res.headers()["cache-control"], "no-store");
    let text = res.text().await.unwrap();
    let data: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(data["account"]["email"], "anna@example.se");
    assert_eq!(data["account"]["approved"]["privacy_policy_version"], "2026-11-01");
    let apps = data["applications"].as_array().unwrap();
    assert_eq!(apps.len(), 1);
    assert_eq!(apps[0]["subscriptions"][0]["api"], "accounts-sandbox");
    assert_eq!(apps[0]["keys"][0]["client_id"], client_id.as_str());
    assert_eq!(data["personal_access_tokens"].as_array().unwrap().len(), 1);
    let events: Vec<&str> = data["audit_trail"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["event"].as_str().unwrap())
        .collect();
    assert!(events.contains(&"sign_in.succeeded"), "{events:?}");
    // Nothing secret, nothing of anyone else.
    assert!(!text.contains(&secret));
    assert!(!text.contains("dpat_"));
    assert!(!text.contains("bertil") && !text.contains("password_hash"));
    // Only for the signed-in developer.
    assert_eq!(app.new_browser().get("/profile/data.json").await.status(), 303);
}
