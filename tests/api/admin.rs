use std::process::Command;

use crate::support::{PASSWORD, developer_id, location, request_id, send_profile_change, spawn_app};

#[tokio::test]
async fn an_admin_from_the_command_line_applies_a_profile_change_and_the_developer_is_told() {
    let app = spawn_app().await;
    let dev = app.signed_in_developer("anna@example.se").await;
    let res = send_profile_change(
        &dev,
        &[
            ("last_name", "Lindberg"),
            ("organization", "New Payments AB"),
            ("email", "anna.lindberg@example.se"),
            ("message", "I married and changed jobs."),
        ],
    )
    .await;
    assert_eq!(location(&res), "/profile#requests");
    assert!(
        dev.get_html("/profile")
            .await
            .contains(r#"<td class="request-status">Open</td>"#)
    );

    let admin = app.admin("britt@bank.example").await;
    let inbox = admin.get_html("/admin/requests?status=open").await;
    assert!(inbox.contains("Anna Svensson") && inbox.contains("Profile change"));
    let id = request_id(&inbox);
    let detail = admin.get_html(&format!("/admin/requests/{id}")).await;
    assert!(
        detail.contains("<td>Svensson</td><td><strong>Lindberg</strong></td>"),
        "current and requested side by side"
    );
    assert!(detail.contains("I married and changed jobs."));

    let res = admin.post_form(&format!("/admin/requests/{id}/apply"), &[]).await;
    assert!(
        admin
            .get_html(&location(&res))
            .await
            .contains(r#"<dd id="request-status">Done</dd>"#)
    );

    let profile = dev.get_html("/profile").await;
    assert!(profile.contains("Anna Lindberg") && profile.contains("New Payments AB"));
    assert!(
        profile.contains("<dd>anna@example.se</dd>"),
        "the old address stays until the new one is confirmed"
    );
    let told = app.smtp().wait_for_n("anna@example.se", 2).await;
    assert!(told[1].subject().contains("profile change was applied"));
    assert!(told[1].text().contains("takes effect when you open the link"));

    let confirm = app.smtp().wait_for("anna.lindberg@example.se").await;
    let link = confirm.link_to("/verify-email-change");
    assert!(dev.get_html(&link).await.contains("Your e-mail address is changed"));
    assert!(dev.get_html(&link).await.contains("This link does not work"), "once");
    assert_eq!(
        app.new_browser()
            .sign_in("anna.lindberg@example.se", PASSWORD)
            .await
            .status(),
        303
    );
    assert_eq!(
        app.new_browser().sign_in("anna@example.se", PASSWORD).await.status(),
        401
    );
}

#[tokio::test]
async fn an_admin_rejects_with_a_reason_the_developer_reads() {
    let app = spawn_app().await;
    let dev = app.signed_in_developer("anna@example.se").await;
    send_profile_change(&dev, &[("organization", "Totally Different AB")]).await;
    let admin = app.admin("britt@bank.example").await;
    let id = request_id(&admin.get_html("/admin/requests").await);

    let res = admin
        .post_form(&format!("/admin/requests/{id}/reject"), &[("reason", "")])
        .await;
    assert!(
        admin
            .get_html(&location(&res))
            .await
            .contains("Give the developer a reason.")
    );
    admin.post_form(&format!("/admin/requests/{id}/start"), &[]).await;
    assert!(admin.get_html("/admin/requests?status=in_progress").await.contains(&id));
    admin
        .post_form(
            &format!("/admin/requests/{id}/reject"),
            &[("reason", "Send us the new registration certificate first.")],
        )
        .await;

    let profile = dev.get_html("/profile").await;
    assert!(profile.contains("Rejected: Send us the new registration certificate first."));
    assert!(profile.contains("Example Payments AB"), "nothing changed");
    let mails = app.smtp().wait_for_n("anna@example.se", 2).await;
    assert!(
        mails[1]
            .text()
            .contains("Send us the new registration certificate first.")
    );
    let res = admin.post_form(&format!("/admin/requests/{id}/apply"), &[]).await;
    assert!(
        admin
            .get_html(&location(&res))
            .await
            .contains("already done or rejected")
    );
    assert!(
        dev.get_html("/profile").await.contains("Example Payments AB"),
        "a rejected request cannot be applied"
    );
}

#[tokio::test]
async fn every_admin_route_is_404_for_a_developer_and_a_signed_out_visitor() {
    let app = spawn_app().await;
    let dev = app.signed_in_developer("anna@example.se").await;
    send_profile_change(&dev, &[("organization", "X AB")]).await;
    let app_id = dev.create_application("psd2_sandbox").await;
    let sub_id = dev.subscribe(&app_id, "accounts-sandbox").await;
    let admin = app.admin("britt@bank.example").await;
    let id = request_id(&admin.get_html("/admin/requests").await);
    let dev_id = developer_id(&admin.get_html("/admin/developers").await);
    let audit_rows = app.audit_rows().await;
    let anonymous = app.new_browser();
    for b in [&dev, &anonymous] {
        for path in [
            "/admin".to_string(),
            "/admin/requests".to_string(),
            format!("/admin/requests/{id}"),
            "/admin/developers".to_string(),
            format!("/admin/developers/{dev_id}"),
            "/admin/audit".to_string(),
            "/admin/audit.csv".to_string(),
        ] {
            assert_eq!(b.get(&path).await.status(), 404, "GET {path}");
        }
        for action in [
            format!("/admin/requests/{id}/start"),
            format!("/admin/requests/{id}/apply"),
            format!("/admin/requests/{id}/reject"),
            format!("/admin/developers/{dev_id}/disable"),
            format!("/admin/developers/{dev_id}/enable"),
            format!("/admin/developers/{dev_id}/subscriptions/{sub_id}/block"),
            format!("/admin/developers/{dev_id}/subscriptions/{sub_id}/unblock"),
        ] {
            let res = b.post_form(&action, &[("reason", "no")]).await;
            assert_eq!(res.status(), 404, "POST {action}");
        }
    }
    assert!(dev.is_signed_in().await, "the developer was not disabled");
    assert!(
        dev.get_html(&format!("/subscriptions/{sub_id}"))
            .await
            .contains(">Active</dd>"),
        "the subscription was not blocked"
    );
    assert_eq!(app.audit_rows().await, audit_rows, "no admin action was recorded");
    assert!(
        dev.get_html("/profile")
            .await
            .contains(r#"<td class="request-status">Open</td>"#),
        "nothing happened"
    );
    assert!(
        !dev.get_html("/").await.contains(r#"href="/admin/requests""#),
        "no admin link for a developer"
    );
    assert!(admin.get_html("/").await.contains(r#"href="/admin/requests""#));
}

#[tokio::test]
async fn the_contact_form_says_what_is_missing_and_keeps_what_was_typed() {
    let app = spawn_app().await;
    let dev = app.signed_in_developer("anna@example.se").await;
    let res = send_profile_change(&dev, &[("email", "not-an-address"), ("message", "keep me")]).await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains(r#"id="email-error">Enter an e-mail address like name@example.com."#));
    assert!(html.contains(">keep me</textarea>"));
    let res = dev
        .post_form("/contact", &[("category", "other"), ("message", "")])
        .await;
    assert!(res.text().await.unwrap().contains("Write your message."));
    let res = dev
        .post_form(
            "/contact",
            &[
                ("category", "certificate"),
                ("message", "Our QWAC is renewed next week."),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(app.get("/contact").await.status(), 303, "sign in first");
}

#[tokio::test]
async fn promote_makes_an_existing_account_an_admin() {
    let app = spawn_app().await;
    let dev = app.signed_in_developer("anna@example.se").await;
    assert_eq!(dev.get("/admin/requests").await.status(), 404);
    let out = Command::new(env!("CARGO_BIN_EXE_devportal"))
        .args(["admin", "promote", "--email", "anna@example.se"])
        .env("DEVPORTAL_DATABASE_URL", &app.database_url)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(dev.get("/admin/requests").await.status(), 200);
    let unknown = Command::new(env!("CARGO_BIN_EXE_devportal"))
        .args(["admin", "promote", "--email", "nobody@example.se"])
        .env("DEVPORTAL_DATABASE_URL", &app.database_url)
        .output()
        .unwrap();
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no account has the e-mail address"));
}

#[tokio::test]
async fn disabling_an_account_ends_its_sessions_and_tokens_and_refuses_sign_in_until_enabled() {
    let app = spawn_app().await;
    let tpp = app.tpp("anna@example.se", &["accounts-sandbox"]).await;
    let pat = app.api_for("anna@example.se").await;
    let token = tpp.token("195505063676").await;
    let accounts = format!("{}/Accounts", crate::support::tpp::ACCOUNTS);
    assert_eq!(tpp.get(&accounts, &token).await.status, 200);

    let admin = app.admin("britt@bank.example").await;
    let id = developer_id(&admin.get_html("/admin/developers?q=anna").await);
    let res = admin.post_form(&format!("/admin/developers/{id}/disable"), &[]).await;
    assert!(admin.get_html(&location(&res)).await.contains("Disabled since"));

    assert!(!tpp.browser.is_signed_in().await, "signed out everywhere");
    let refused = app.new_browser().sign_in("anna@example.se", PASSWORD).await;
    assert_eq!(refused.status(), 403);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("This account is disabled. Contact the bank")
    );
    assert_eq!(
        pat.get("/api/v1/applications").await.0,
        401,
        "personal access tokens end"
    );
    assert_eq!(
        tpp.get(&accounts, &token).await.code(),
        "TOKEN_EXPIRED",
        "sandbox tokens end"
    );
    let fields = [
        ("grant_type", "client_credentials"),
        ("client_id", tpp.client_id.as_str()),
        ("client_secret", tpp.client_secret.as_str()),
        ("scope", "psd2_sandbox:195505063676"),
    ];
    assert_eq!(
        tpp.token_request(&fields).await.body["error"],
        "invalid_client",
        "no new tokens"
    );

    admin.post_form(&format!("/admin/developers/{id}/enable"), &[]).await;
    assert_eq!(
        app.new_browser().sign_in("anna@example.se", PASSWORD).await.status(),
        303
    );
    assert_eq!(tpp.token_request(&fields).await.status, 200);
}

#[tokio::test]
async fn an_admin_sees_a_developers_applications_keys_and_certificates_but_never_a_secret() {
    let app = spawn_app().await;
    let tpp = app.tpp("anna@example.se", &["accounts-sandbox"]).await;
    let admin = app.admin("britt@bank.example").await;
    let list = admin.get_html("/admin/developers?q=example+payments").await;
    assert!(list.contains("anna@example.se"));
    assert!(
        !admin
            .get_html("/admin/developers?q=nobody-matches")
            .await
            .contains("anna@example.se")
    );
    let page = admin
        .get_html(&format!("/admin/developers/{}", developer_id(&list)))
        .await;
    assert!(page.contains("psd2_sandbox") && page.contains("Accounts 1.0.0 (Sandbox)"));
    assert!(page.contains(&tpp.client_id));
    assert!(!page.contains(&tpp.client_secret));
    let dev = tpp.browser;
    for path in [
        "/admin/developers",
        &format!("/admin/developers/{}", developer_id(&list)),
    ] {
        assert_eq!(dev.get(path).await.status(), 404);
    }
    assert_eq!(
        dev.post_form(&format!("/admin/developers/{}/disable", developer_id(&list)), &[])
            .await
            .status(),
        404
    );
    assert_eq!(admin.get("/admin/developers/999999").await.status(), 404);
}

/// The id of the subscription to `api` on the admin's developer page.
fn subscription_on(page: &str, api: &str) -> String {
    page.split(r#"<tr id="subscription-"#)
        .skip(1)
        .find(|row| row.split("</tr>").next().unwrap().contains(api))
        .map(|row| row.split('"').next().unwrap().to_string())
        .unwrap_or_else(|| panic!("no {api} subscription on the page"))
}

#[tokio::test]
async fn an_admin_blocks_a_subscription_its_calls_are_refused_and_the_developer_is_told() {
    let app = spawn_app().await;
    let tpp = app.tpp("anna@example.se", &["accounts-sandbox"]).await;
    let token = tpp.token("195505063676").await;
    let accounts = format!("{}/Accounts", crate::support::tpp::ACCOUNTS);
    assert_eq!(tpp.get(&accounts, &token).await.status, 200);

    let admin = app.admin("britt@bank.example").await;
    let dev = developer_id(&admin.get_html("/admin/developers?q=anna").await);
    let page = admin.get_html(&format!("/admin/developers/{dev}")).await;
    let sub = subscription_on(&page, "Accounts");
    let block = format!("/admin/developers/{dev}/subscriptions/{sub}/block");
    let res = admin.post_form(&block, &[]).await;
    let page = admin.get_html(&location(&res)).await;
    assert!(page.contains("psd2_sandbox&#39;s subscription to Accounts is blocked"));
    assert!(page.contains("Blocked by the bank") && page.contains(">Unblock</button>"));

    let refused = tpp.get(&accounts, &token).await;
    assert_eq!((refused.status, refused.code()), (403, "SUBSCRIPTION_BLOCKED"));
    let mail = app.smtp().wait_for_n("anna@example.se", 2).await.remove(1);
    assert!(
        mail.subject()
            .contains("The bank blocked psd2_sandbox's subscription to Accounts")
    );
    assert!(mail.text().contains("SUBSCRIPTION_BLOCKED"));

    let shown = tpp.browser.get_html(&format!("/subscriptions/{sub}")).await;
    assert!(shown.contains(r#"<dd id="subscription-status">Blocked by the bank</dd>"#));
    assert!(!shown.contains(">Unsubscribe</button>"), "no way to remove the block");
    let res = tpp
        .browser
        .post_form(&format!("/subscriptions/{sub}/delete"), &[])
        .await;
    assert!(
        tpp.browser
            .get_html(&location(&res))
            .await
            .contains("cannot be removed")
    );
    let api = app.api_for("anna@example.se").await;
    let (status, body) = api
        .delete(&format!(
            "/api/v1/applications/{}/subscriptions/{sub}",
            tpp.application_id
        ))
        .await;
    assert_eq!((status, body["error"].as_str()), (409, Some("subscription_blocked")));

    let again = admin.post_form(&block, &[]).await;
    assert!(
        admin
            .get_html(&location(&again))
            .await
            .contains("This subscription is blocked already.")
    );
    assert_eq!(app.audited("admin.subscription_blocked").await.len(), 1);

    admin
        .post_form(&format!("/admin/developers/{dev}/subscriptions/{sub}/unblock"), &[])
        .await;
    assert_eq!(tpp.get(&accounts, &token).await.status, 200, "calls work again");
    let mails = app.smtp().wait_for_n("anna@example.se", 3).await;
    assert!(mails[2].subject().contains("works again"));
    let unblocked = app.audited("admin.subscription_unblocked").await;
    assert_eq!(
        (
            unblocked.len(),
            unblocked[0].target_kind.as_str(),
            unblocked[0].target_id.as_str()
        ),
        (1, "subscription", sub.as_str())
    );
}
