//! What the GDPR gives a developer: a copy of their data.

use crate::support::tpp::ACCOUNTS;
use crate::support::{location, request_id, spawn_app};

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

#[tokio::test]
async fn closing_an_account_deletes_everything_and_leaves_a_pseudonymous_audit_trail() {
    let app = spawn_app().await;
    let tpp = app.tpp("anna@example.se", &["accounts-sandbox"]).await;
    let _api = app.api_for("anna@example.se").await;
    let token = tpp.token("195505063676").await;
    assert_eq!(tpp.get(&format!("{ACCOUNTS}/Accounts"), &token).await.status, 200);
    let anna_id = app.count("SELECT id FROM users WHERE email = 'anna@example.se'").await;
    let bertil = app.signed_in_developer("bertil@example.se").await;
    bertil.create_application("bertils_app").await;

    // The developer asks; a bank admin closes it.
    assert!(
        tpp.browser
            .get_html("/profile")
            .await
            .contains(r#"href="/contact?category=close_account""#)
    );
    let form = tpp.browser.get_html("/contact?category=close_account").await;
    assert!(form.contains(r#"<option value="close_account" selected>Close my account</option>"#));
    let res = tpp
        .browser
        .post_form("/contact", &[("category", "close_account"), ("message", "")])
        .await;
    assert_eq!(res.status(), 303);
    let admin = app.admin("britt@bank.example").await;
    let id = request_id(&admin.get_html("/admin/requests").await);
    let detail = admin.get_html(&format!("/admin/requests/{id}")).await;
    assert!(detail.contains("Close the account and delete everything"));
    let res = admin.post_form(&format!("/admin/requests/{id}/apply"), &[]).await;
    assert_eq!(location(&res), "/admin/requests");
    assert!(
        admin
            .get_html("/admin/requests")
            .await
            .contains("The account is closed")
    );

    // Everything of Anna's is gone; Bertil's is not.
    let anna = format!("{anna_id}");
    for (table, column) in [
        ("users", "id"),
        ("applications", "developer_id"),
        ("personal_access_tokens", "user_id"),
        ("contact_requests", "user_id"),
        ("email_tokens", "user_id"),
        ("certificates", "developer_id"),
    ] {
        let n = app
            .count(&format!("SELECT COUNT(*) FROM {table} WHERE {column} = {anna}"))
            .await;
        assert_eq!(n, 0, "{table}");
    }
    for table in ["subscriptions", "client_keys", "oauth_tokens"] {
        let n = app
            .count(&format!(
                "SELECT COUNT(*) FROM {table} WHERE application_id IN (SELECT id FROM applications WHERE developer_id = {anna})"
            ))
            .await;
        assert_eq!(n, 0, "{table}");
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM applications").await,
        1,
        "Bertil's stays"
    );
    assert!(!tpp.browser.is_signed_in().await);
    let accounts = format!("{ACCOUNTS}/Accounts");
    assert_eq!(tpp.get(&accounts, &token).await.status, 401, "the access token ended");
    let last = app.smtp().wait_for_n("anna@example.se", 2).await;
    assert!(last[1].subject().contains("account is closed"));

    // The audit trail stays, with the id and a pseudonym, and nothing else changes in it.
    let rows = app.audit_rows().await;
    let annas: Vec<_> = rows.iter().filter(|r| r.actor_id == Some(anna_id)).collect();
    assert!(!annas.is_empty());
    assert!(
        annas
            .iter()
            .all(|r| r.actor_email == format!("closed-account-{anna_id}"))
    );
    assert!(
        rows.iter().all(|r| !format!("{r:?}").contains("anna@example.se")),
        "no row names her"
    );
    assert!(
        rows.iter()
            .any(|r| r.event == "admin.account_closed" && r.target_id == anna)
    );
    assert!(app.try_exec("UPDATE audit_log SET detail = 'rewritten'").await.is_err());
    assert!(app.try_exec("DELETE FROM audit_log").await.is_err());

    // The address is free to sign up again.
    let res = app.sign_up("anna@example.se").await;
    assert_eq!(location(&res), "/signup/check-email");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE email = 'anna@example.se'")
            .await,
        1
    );
}
