use crate::support::{PASSWORD, location, spawn_app, token_in};

const NEW_PASSWORD: &str = "a brand new passphrase 2026";

#[tokio::test]
async fn a_password_reset_changes_the_password_and_ends_every_session() {
    let app = spawn_app().await;
    let laptop = app.signed_in_developer("anna@example.se").await;
    assert!(laptop.is_signed_in().await);

    let phone = app.new_browser();
    let res = phone
        .post_form("/password/forgot", &[("email", "anna@example.se")])
        .await;
    assert_eq!(location(&res), "/password/forgot/sent");
    let mails = app.smtp().wait_for_n("anna@example.se", 2).await;
    let link = mails[1].link_to("/password/reset");
    let form = phone.get_html(&link).await;
    assert!(form.contains("Choose a new password"));
    let token = token_in(&link);

    let res = phone.reset_password(&token, "too short").await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("Use at least 12 characters."));

    let res = phone.reset_password(&token, NEW_PASSWORD).await;
    assert_eq!(location(&res), "/signin");

    assert!(!laptop.is_signed_in().await, "the other session has ended");
    assert_eq!(
        app.new_browser().sign_in("anna@example.se", PASSWORD).await.status(),
        401
    );
    assert_eq!(
        app.new_browser()
            .sign_in("anna@example.se", NEW_PASSWORD)
            .await
            .status(),
        303
    );
    assert!(
        phone.get_html(&link).await.contains("This link does not work"),
        "the link works once"
    );

    let mails = app.smtp().wait_for_n("anna@example.se", 3).await;
    assert!(mails[2].subject().contains("password was changed"));
}

#[tokio::test]
async fn a_reset_for_an_unknown_address_looks_the_same_and_sends_nothing() {
    let app = spawn_app().await;
    let res = app
        .post_form("/password/forgot", &[("email", "nobody@example.se")])
        .await;
    assert_eq!(location(&res), "/password/forgot/sent");
    assert!(
        app.get_html("/password/forgot/sent")
            .await
            .contains("If an account has that address")
    );
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(app.smtp().received().is_empty());
    assert_eq!(app.count("SELECT COUNT(*) FROM outbox").await, 0);
}

#[tokio::test]
async fn an_expired_reset_link_is_refused() {
    let app = spawn_app().await;
    let _ = app.signed_in_developer("anna@example.se").await;
    app.post_form("/password/forgot", &[("email", "anna@example.se")]).await;
    let link = app.smtp().wait_for_n("anna@example.se", 2).await[1].link_to("/password/reset");
    let token = token_in(&link);

    app.clock.advance(time::Duration::minutes(61));
    assert!(app.get_html(&link).await.contains("This link does not work"));
    let res = app.reset_password(&token, NEW_PASSWORD).await;
    assert!(res.text().await.unwrap().contains("This link does not work"));
    assert_eq!(
        app.new_browser().sign_in("anna@example.se", PASSWORD).await.status(),
        303
    );
}

#[tokio::test]
async fn a_reset_link_also_verifies_an_unverified_address() {
    let app = spawn_app().await;
    app.sign_up("anna@example.se").await;
    app.verification_mail("anna@example.se").await;
    app.post_form("/password/forgot", &[("email", "anna@example.se")]).await;
    let link = app.smtp().wait_for_n("anna@example.se", 2).await[1].link_to("/password/reset");
    let token = token_in(&link);
    app.reset_password(&token, NEW_PASSWORD).await;
    assert_eq!(
        app.new_browser()
            .sign_in("anna@example.se", NEW_PASSWORD)
            .await
            .status(),
        303
    );
}

#[tokio::test]
async fn a_password_reset_ends_the_personal_access_tokens_and_leaves_no_usable_link_behind() {
    let app = spawn_app().await;
    let _ = app.signed_in_developer("anna@example.se").await;
    let api = app.api_for("anna@example.se").await;
    assert_eq!(api.get("/api/v1/applications").await.0, 200);

    app.post_form("/password/forgot", &[("email", "anna@example.se")]).await;
    let mails = app.smtp().wait_for_n("anna@example.se", 2).await;
    let link = mails[1].link_to("/password/reset");
    // Sent mails keep no body: the link is only in the recipient's mailbox.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let bodies = app
        .rows("SELECT body_text || body_html FROM outbox WHERE sent_at IS NOT NULL")
        .await;
    assert_eq!(bodies.len(), 2);
    assert!(bodies.iter().all(|b| b.is_empty()), "{bodies:?}");
    let token = token_in(&link);
    assert!(bodies.iter().all(|b| !b.contains(&token)));

    app.reset_password(&token, NEW_PASSWORD).await;
    assert_eq!(
        api.get("/api/v1/applications").await.0,
        401,
        "the token ended with the password"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM personal_access_tokens").await, 0);
}
