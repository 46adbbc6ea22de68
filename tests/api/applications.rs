use crate::support::{between, location, spawn_app};

#[tokio::test]
async fn a_developer_creates_psd2_sandbox_and_sees_it_with_its_tabs() {
    let app = spawn_app().await;
    let anna = app.signed_in_developer("anna@example.se").await;
    let res = anna
        .post_form(
            "/applications",
            &[
                ("name", "psd2_sandbox"),
                ("description", "Sandbox tests"),
                ("redirect_uris", "https://tpp.example/cb\r\nhttp://localhost:3000/cb"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let page = location(&res);
    let html = anna.get_html(&page).await;
    assert!(html.contains("Application psd2_sandbox created."), "a flash says so");
    assert!(html.contains("<code>https://tpp.example/cb</code><br><code>http://localhost:3000/cb</code>"));
    for tab in ["Overview", "Subscriptions", "Sandbox keys", "Production", "Consents"] {
        assert!(html.contains(&format!(">{tab}</a>")), "tab {tab}");
    }
    assert!(anna.get_html("/applications").await.contains(">psd2_sandbox</a>"));
    assert!(
        anna.get_html(&format!("{page}?tab=production"))
            .await
            .contains("eIDAS QWAC")
    );
}

#[tokio::test]
async fn a_bad_name_is_shown_next_to_the_field_and_what_was_typed_is_kept() {
    let app = spawn_app().await;
    let anna = app.signed_in_developer("anna@example.se").await;
    let res = anna
        .post_form(
            "/applications",
            &[
                ("name", "my/app"),
                ("description", "keep me"),
                ("redirect_uris", "https://tpp.example/cb\nhttp://tpp.example/cb"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains(r#"id="name-error">&#39;/&#39; is not allowed"#), "{html}");
    assert!(
        html.contains(r#"id="redirect_uris-error">http://tpp.example/cb: The redirect URI must use https."#),
        "{html}"
    );
    assert!(
        html.contains("https://tpp.example/cb\nhttp://tpp.example/cb</textarea>"),
        "what was typed stays"
    );
    assert!(html.contains(r#"value="my/app""#));
    assert!(html.contains(">keep me</textarea>"));
    assert_eq!(app.count("SELECT COUNT(*) FROM applications").await, 0);
}

#[tokio::test]
async fn names_are_unique_per_developer_in_any_case_but_not_across_developers() {
    let app = spawn_app().await;
    let anna = app.signed_in_developer("anna@example.se").await;
    let bo = app.signed_in_developer("bo@example.se").await;
    anna.create_application("psd2_sandbox").await;
    let res = anna.post_form("/applications", &[("name", "PSD2_Sandbox")]).await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("You already have an application called")
    );
    bo.create_application("psd2_sandbox").await;
    assert_eq!(app.count("SELECT COUNT(*) FROM applications").await, 2);
}

#[tokio::test]
async fn an_application_can_be_edited() {
    let app = spawn_app().await;
    let anna = app.signed_in_developer("anna@example.se").await;
    let id = anna.create_application("psd2_sandbox").await;
    let form = anna.get_html(&format!("/applications/{id}/edit")).await;
    assert!(form.contains(r#"value="psd2_sandbox""#));
    let res = anna
        .post_form(
            &format!("/applications/{id}/edit"),
            &[("name", "psd2 sandbox 2"), ("description", "renamed")],
        )
        .await;
    assert_eq!(location(&res), format!("/applications/{id}"));
    let html = anna.get_html(&format!("/applications/{id}")).await;
    assert!(html.contains("<h1>psd2 sandbox 2</h1>") && html.contains("renamed"));
}

#[tokio::test]
async fn subscribing_viewing_a_second_time_and_unsubscribing() {
    let app = spawn_app().await;
    let anna = app.signed_in_developer("anna@example.se").await;
    let id = anna.create_application("psd2_sandbox").await;
    let sub = anna.subscribe(&id, "accounts-sandbox").await;

    let view = anna.get_html(&format!("/subscriptions/{sub}")).await;
    assert!(
        view.contains("psd2_sandbox is subscribed to Accounts 1.0.0 (Sandbox)."),
        "flash"
    );
    for shown in ["psd2_sandbox", "Accounts 1.0.0", "Sandbox", "Since", "Active"] {
        assert!(view.contains(shown), "{shown}");
    }
    assert!(
        anna.get_html("/subscriptions")
            .await
            .contains(&format!(r#"href="/subscriptions/{sub}""#))
    );

    let again = anna
        .post_form("/apis/accounts-sandbox/subscribe", &[("application_id", &id)])
        .await;
    assert_eq!(location(&again), "/apis/accounts-sandbox?tab=subscribe");
    assert!(
        anna.get_html("/apis/accounts-sandbox?tab=subscribe")
            .await
            .contains("is already subscribed to Accounts 1.0.0 (Sandbox).")
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM subscriptions").await, 1);

    let res = anna.post_form(&format!("/subscriptions/{sub}/delete"), &[]).await;
    assert_eq!(location(&res), format!("/applications/{id}?tab=subscriptions"));
    assert!(anna.get_html(&location(&res)).await.contains("is no longer subscribed"));
    assert_eq!(app.count("SELECT COUNT(*) FROM subscriptions").await, 0);
}

#[tokio::test]
async fn production_and_coming_soon_apis_cannot_be_subscribed_to_yet() {
    let app = spawn_app().await;
    let anna = app.signed_in_developer("anna@example.se").await;
    let id = anna.create_application("psd2_sandbox").await;
    anna.post_form("/apis/accounts-production/subscribe", &[("application_id", &id)])
        .await;
    assert!(
        anna.get_html("/apis/accounts-production?tab=subscribe")
            .await
            .contains("need the application&#39;s eIDAS certificate")
    );
    anna.post_form("/apis/funds-confirmation-sandbox/subscribe", &[("application_id", &id)])
        .await;
    assert!(
        anna.get_html("/apis/funds-confirmation-sandbox?tab=subscribe")
            .await
            .contains("is coming soon")
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM subscriptions").await, 0);
}

#[tokio::test]
async fn the_client_secret_is_shown_once_and_only_its_hash_is_kept() {
    let app = spawn_app().await;
    let anna = app.signed_in_developer("anna@example.se").await;
    let id = anna.create_application("psd2_sandbox").await;
    let res = anna.post_form(&format!("/applications/{id}/sandbox-keys"), &[]).await;
    assert_eq!(res.status(), 303, "Post/Redirect/Get: Back and reload repeat no POST");
    let shown = location(&res);
    assert_eq!(shown, format!("/applications/{id}/sandbox-keys/new"));
    let res = anna.get(&shown).await;
    assert_eq!(res.headers()["cache-control"], "no-store");
    let html = res.text().await.unwrap();
    assert!(html.contains("It is shown only this once"));
    assert!(
        html.contains(&format!("/apis/accounts-sandbox/console?application={id}")),
        "the next step: the console with this application"
    );
    // A reload (or Back) finds the secret gone, and says what to do.
    let reload = anna.get(&shown).await;
    assert_eq!(location(&reload), format!("/applications/{id}?tab=keys"));
    let tab = anna.get_html(&location(&reload)).await;
    assert!(tab.contains("was shown once and is not kept"), "{tab}");
    let client_id = between(&html, r#"<code id="client-id">"#, "</code>").unwrap();
    let secret = between(&html, r#"<code id="client-secret" class="secret">"#, "</code>").unwrap();
    assert!(secret.len() >= 43, "at least 256 bits");

    let tab = anna.get_html(&format!("/applications/{id}?tab=keys")).await;
    assert!(tab.contains(&client_id));
    assert!(!tab.contains(&secret), "never shown again");
    assert!(tab.contains(&format!("curl -X POST {}/oauth2/token", app.base)));
    assert!(tab.contains("-d scope=psd2_sandbox:195505063676"));

    let hash = devportal::domain::secret::hash_secret(&secret);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM client_keys WHERE secret_hash = '{hash}'"
        ))
        .await,
        1
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM client_keys WHERE secret_hash = '{secret}'"
        ))
        .await,
        0
    );

    let again = anna.post_form(&format!("/applications/{id}/sandbox-keys"), &[]).await;
    assert_eq!(
        location(&again),
        format!("/applications/{id}?tab=keys"),
        "keys exist: no second set"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM client_keys").await, 1);
}

#[tokio::test]
async fn regenerating_replaces_the_secret_and_revoking_removes_the_keys() {
    let app = spawn_app().await;
    let anna = app.signed_in_developer("anna@example.se").await;
    let id = anna.create_application("psd2_sandbox").await;
    let (client_id, old) = anna.generate_keys(&id).await;

    let (html, new) = anna.regenerate_secret(&id).await;
    assert!(html.contains("The previous secret has stopped working."));
    assert_ne!(new, old);
    assert!(html.contains(&client_id), "the client id stays");
    let old_hash = devportal::domain::secret::hash_secret(&old);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM client_keys WHERE secret_hash = '{old_hash}'"
        ))
        .await,
        0
    );

    let res = anna
        .post_form(&format!("/applications/{id}/sandbox-keys/revoke"), &[])
        .await;
    assert!(anna.get_html(&location(&res)).await.contains("are revoked"));
    assert_eq!(app.count("SELECT COUNT(*) FROM client_keys").await, 0);
}

#[tokio::test]
async fn deleting_an_application_shows_what_goes_asks_for_its_name_and_removes_all_of_it() {
    let app = spawn_app().await;
    let anna = app.signed_in_developer("anna@example.se").await;
    let bo = app.signed_in_developer("bo@example.se").await;
    let kept = bo.create_application("psd2_sandbox").await;
    bo.subscribe(&kept, "accounts-sandbox").await;
    bo.generate_keys(&kept).await;

    let id = anna.create_application("psd2_sandbox").await;
    anna.subscribe(&id, "accounts-sandbox").await;
    anna.subscribe(&id, "payments-sandbox").await;
    anna.generate_keys(&id).await;
    anna.get_html("/applications").await; // settle the session (flash read)

    let preview = anna.get_html(&format!("/applications/{id}/delete")).await;
    assert!(preview.contains("<li>2 subscriptions</li>"), "{preview}");
    assert!(preview.contains("<li>1 set of client keys"));

    let before = app.table_counts().await;
    let wrong = anna.delete_application(&id, "psd2").await;
    assert_eq!(wrong.status(), 422);
    assert!(
        wrong
            .text()
            .await
            .unwrap()
            .contains("Type the application&#39;s name, psd2_sandbox, exactly")
    );
    assert_eq!(app.table_counts().await, before, "a wrong name changes nothing");

    let res = anna.delete_application(&id, "psd2_sandbox").await;
    assert_eq!(location(&res), "/applications");
    let after = app.table_counts().await;
    let mut expected = before.clone();
    *expected.get_mut("applications").unwrap() -= 1;
    *expected.get_mut("subscriptions").unwrap() -= 2;
    *expected.get_mut("client_keys").unwrap() -= 1;
    *expected.get_mut("audit_log").unwrap() += 1;
    assert_eq!(
        after, expected,
        "exactly Anna's application and what hangs on it went, in every table, and the deletion is audited"
    );
    assert_eq!(anna.get(&format!("/applications/{id}")).await.status(), 404);
    assert_eq!(
        bo.get(&format!("/applications/{kept}")).await.status(),
        200,
        "Bo's application stays"
    );
}

/// Every destructive action goes through a page that says what will go,
/// with one danger button; the pages only link to it.
#[tokio::test]
async fn destructive_actions_are_confirmed_on_a_page_that_says_what_goes() {
    let app = spawn_app().await;
    let tpp = app.tpp("anna@example.se", &["accounts-sandbox"]).await;
    let (dev, id) = (&tpp.browser, &tpp.application_id);
    let keys = dev.get_html(&format!("/applications/{id}?tab=keys")).await;
    assert!(keys.contains(&format!(
        r#"<a class="button danger" href="/applications/{id}/sandbox-keys/revoke">"#
    )));
    assert!(
        !keys.contains(&format!(r#"action="/applications/{id}/sandbox-keys/revoke""#)),
        "no one-click revoke"
    );
    let confirm = dev.get_html(&format!("/applications/{id}/sandbox-keys/revoke")).await;
    assert!(
        confirm.contains(&tpp.client_id) && confirm.contains("cannot be undone"),
        "{confirm}"
    );
    assert!(confirm.contains(&format!(
        r#"<form method="post" action="/applications/{id}/sandbox-keys/revoke">"#
    )));
    assert!(confirm.contains(r#"<button type="submit" class="danger">Revoke the keys</button>"#));

    let reset = dev.get_html(&format!("/applications/{id}/sandbox/reset")).await;
    assert!(reset.contains("documented state"));
    let sub = dev
        .get_html("/subscriptions")
        .await
        .split("/subscriptions/")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .map(str::to_string)
        .unwrap();
    let unsubscribe = dev.get_html(&format!("/subscriptions/{sub}/delete")).await;
    assert!(unsubscribe.contains("NOT_SUBSCRIBED"), "{unsubscribe}");
    assert_eq!(
        dev.get(&format!("/applications/{id}/certificate/delete"))
            .await
            .status(),
        404,
        "no certificate, nothing to delete"
    );
    let list = dev.get_html("/applications").await;
    assert!(list.contains(&format!(
        r#"<a class="danger" href="/applications/{id}/delete">Delete…</a>"#
    )));
}
