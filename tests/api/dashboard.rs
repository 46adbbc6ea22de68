//! The developer's dashboard: sign-in lands there, and its checklist follows
//! what the account really has, one step at a time, to production.

use crate::support::{PASSWORD, fixture, location, spawn_app};

/// The ids of the checklist's steps that are done, and of the next one.
fn checklist(html: &str) -> (Vec<String>, Option<String>) {
    let mut done = Vec::new();
    let mut next = None;
    for piece in html.split("<li id=\"step-").skip(1) {
        let id = piece.split('"').next().unwrap_or("").to_string();
        if piece.contains("data-done=\"true\"") {
            done.push(id);
        } else if piece.split('>').next().unwrap_or("").contains("class=\"next\"") {
            next = Some(id);
        }
    }
    (done, next)
}

#[tokio::test]
async fn the_checklist_follows_the_account_from_sign_up_to_production() {
    let app = spawn_app().await;
    let dev = app.signed_in_developer("steps@tpp.example").await;
    let res = dev.sign_in("steps@tpp.example", PASSWORD).await;
    assert_eq!(location(&res), "/dashboard", "sign-in lands on the dashboard");

    let html = dev.get_html("/dashboard").await;
    assert_eq!(checklist(&html), (vec!["verified".into()], Some("application".into())));
    assert!(html.contains(r#"<a class="button small" href="/applications/new">Create an application</a>"#));

    let id = dev.create_application("psd2_sandbox").await;
    let html = dev.get_html("/dashboard").await;
    assert_eq!(checklist(&html).1.as_deref(), Some("subscription"));

    let res = dev
        .post_form("/apis/accounts-sandbox/subscribe", &[("application_id", id.as_str())])
        .await;
    let subscription = dev.get_html(&location(&res)).await;
    assert!(
        subscription.contains(&format!(
            r#"<a class="button" id="next-step" href="/applications/{id}?tab=keys">Get sandbox keys</a>"#
        )),
        "after subscribing, the next action is the keys"
    );
    let html = dev.get_html("/dashboard").await;
    assert_eq!(checklist(&html).1.as_deref(), Some("keys"));
    assert!(html.contains(&format!(r#"href="/applications/{id}?tab=keys">Get sandbox keys</a>"#)));

    dev.generate_keys(&id).await;
    let keys_tab = dev.get_html(&format!("/applications/{id}?tab=keys")).await;
    assert!(keys_tab.contains(&format!(r#"href="/apis/accounts-sandbox/console?application={id}""#)));
    let html = dev.get_html("/dashboard").await;
    assert_eq!(checklist(&html).1.as_deref(), Some("first_call"));

    // The console, as the keys page leads there: the application pre-selected.
    let console = dev
        .get_html(&format!("/apis/accounts-sandbox/console?op=0&application={id}"))
        .await;
    assert!(console.contains(&format!(r#"<option value="{id}" selected>"#)));
    let res = dev
        .post_form(
            "/apis/accounts-sandbox/console",
            &[
                ("op", "0"),
                ("application_id", id.as_str()),
                ("ssn", "195505063676"),
                ("psu_ip", "192.0.2.10"),
            ],
        )
        .await;
    assert!(
        res.text()
            .await
            .unwrap()
            .contains(r#"<strong id="console-status">200</strong>"#)
    );
    let html = dev.get_html("/dashboard").await;
    let (done, next) = checklist(&html);
    assert!(done.contains(&"first_call".to_string()), "{done:?}");
    assert_eq!(next.as_deref(), Some("certificate"));
    // One call is not enough to judge how evenly they are spread.
    let overview = dev.get_html(&format!("/applications/{id}")).await;
    assert!(overview.contains(r#"id="evenness-pending""#), "{overview}");

    dev.upload_certificate(&id, "qwac-ai-pi.pem", fixture("qwac-ai-pi.pem"))
        .await;
    let html = dev.get_html("/dashboard").await;
    assert_eq!(checklist(&html).1.as_deref(), Some("production"));

    dev.post_form(&format!("/applications/{id}/production-keys"), &[]).await;
    dev.post_form(
        "/apis/accounts-production/subscribe",
        &[("application_id", id.as_str())],
    )
    .await;
    let html = dev.get_html("/dashboard").await;
    let (done, next) = checklist(&html);
    assert_eq!(done.len(), 7, "{done:?}");
    assert_eq!(next, None);
    assert!(html.contains("All set."));
}

#[tokio::test]
async fn an_admin_has_no_checklist_and_lands_on_the_request_inbox() {
    let app = spawn_app().await;
    let admin = app.admin("admin@bank.example").await;
    assert_eq!(location(&admin.get("/dashboard").await), "/admin/requests");
}
