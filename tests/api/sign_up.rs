use crate::support::{PASSWORD, as_pairs, location, signup_fields, spawn_app, token_in};

#[tokio::test]
async fn a_developer_signs_up_verifies_by_the_mailed_link_signs_in_and_out() {
    let app = spawn_app().await;
    let res = app.sign_up("anna@example.se").await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/signup/check-email");
    assert!(app.get_html("/signup/check-email").await.contains("Check your e-mail"));

    let mail = app.verification_mail("anna@example.se").await;
    assert!(mail.data.contains("From: Devportal <no-reply@devportal.test>"));
    assert!(mail.text().contains("Hello Anna"));
    let link = mail.link_to("/verify-email");
    assert!(link.starts_with(&app.base), "absolute link to this portal: {link}");
    assert!(
        mail.html().contains(&link.replace('&', "&amp;")),
        "the HTML part carries the same link"
    );

    let page = app.get_html(&link).await;
    assert!(page.contains("Your e-mail address is verified"), "{page}");

    let res = app.sign_in("anna@example.se", PASSWORD).await;
    assert_eq!(res.status(), 303);
    let profile = app.get_html("/profile").await;
    for shown in [
        "Anna Svensson",
        "anna@example.se",
        "Example Payments AB",
        "Sweden",
        "+46 8 123 456 78",
        "version 2026-11-01",
    ] {
        assert!(profile.contains(shown), "profile shows {shown}");
    }

    let res = app.post_form("/signout", &[]).await;
    assert_eq!(res.status(), 303);
    let res = app.get("/profile").await;
    assert_eq!(res.status(), 303);
    assert!(location(&res).starts_with("/signin?next="));
}

#[tokio::test]
async fn the_account_stores_the_document_versions_approved_and_when() {
    let app = spawn_app().await;
    app.sign_up("anna@example.se").await;
    let stored = app
        .count(
            "SELECT COUNT(*) FROM users WHERE email = 'anna@example.se' AND privacy_version = '2026-11-01' \
             AND terms_version = '2026-11-01' AND legal_accepted_at > 0 AND email_verified_at IS NULL",
        )
        .await;
    assert_eq!(stored, 1);
}

#[tokio::test]
async fn a_form_with_errors_shows_each_next_to_its_field_and_keeps_what_was_typed() {
    let app = spawn_app().await;
    let mut fields = signup_fields("not-an-address");
    fields.retain(|(k, _)| *k != "accept_terms" && *k != "first_name");
    fields
        .iter_mut()
        .find(|(k, _)| *k == "password_confirmation")
        .unwrap()
        .1 = "something else entirely".into();
    let res = app.post_form("/signup", &as_pairs(&fields)).await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(
        html.contains(r#"id="email-error">Enter an e-mail address like name@example.com."#),
        "{html}"
    );
    assert!(html.contains(r#"id="first_name-error">Enter your first name."#));
    assert!(
        html.contains(r#"id="password_confirmation-error">The two passwords are not the same."#),
        "a mismatch is the repeated field's error"
    );
    assert!(!html.contains(r#"id="password-error""#), "the first password is fine");
    assert!(html.contains(r#"aria-describedby="password_confirmation-error""#));
    // The summary lists each error as a link to its field, in the form's order.
    let summary = html
        .split(r#"class="error-summary""#)
        .nth(1)
        .unwrap()
        .split("</div>")
        .next()
        .unwrap();
    let order: Vec<usize> = ["#first_name", "#email", "#password_confirmation", "#accept_terms"]
        .iter()
        .map(|a| {
            summary
                .find(&format!(r#"href="{a}""#))
                .unwrap_or_else(|| panic!("{a} in {summary}"))
        })
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{summary}");
    assert!(
        summary.contains("data-focus") || html.contains("data-focus"),
        "focused after the failed submit"
    );
    assert!(html.contains(r#"id="accept_terms-error""#));
    assert!(
        !html.contains(r#"id="accept_privacy-error""#),
        "the ticked box is not in error"
    );
    // What was typed is kept, except the password.
    assert!(html.contains(r#"value="not-an-address""#));
    assert!(html.contains(r#"value="Example Payments AB""#));
    assert!(html.contains(r#"<option value="SE" selected>"#));
    assert!(!html.contains(PASSWORD));
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 0);
}

#[tokio::test]
async fn each_agreement_must_be_approved_on_its_own() {
    let app = spawn_app().await;
    for missing in ["accept_privacy", "accept_terms"] {
        let mut fields = signup_fields("anna@example.se");
        fields.retain(|(k, _)| *k != missing);
        let res = app.post_form("/signup", &as_pairs(&fields)).await;
        assert_eq!(res.status(), 422);
        assert!(res.text().await.unwrap().contains(&format!(r#"id="{missing}-error""#)));
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 0);
}

#[tokio::test]
async fn short_common_and_guessable_passwords_and_the_email_as_password_are_refused() {
    let app = spawn_app().await;
    for (password, message) in [
        ("short", "Use at least 12 characters."),
        ("anna@example.se", "Your password must not be your e-mail address."),
        ("password1234", "Choose another."),
        ("Password2026!", "common password with digits or symbols added"),
        ("trustno1trustno1", "This password repeats itself"),
        ("asdfghjklzxcv", "a row of keys"),
    ] {
        let mut fields = signup_fields("anna@example.se");
        for (k, v) in fields.iter_mut() {
            if *k == "password" || *k == "password_confirmation" {
                *v = password.into();
            }
        }
        let res = app.post_form("/signup", &as_pairs(&fields)).await;
        assert_eq!(res.status(), 422);
        assert!(res.text().await.unwrap().contains(message), "{password}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 0);
}

#[tokio::test]
async fn signing_up_with_a_taken_email_looks_like_success_and_tells_the_owner() {
    let app = spawn_app().await;
    app.sign_up("anna@example.se").await;
    app.verification_mail("anna@example.se").await;

    let res = app
        .new_browser()
        .post_form("/signup", &as_pairs(&signup_fields("Anna@Example.se")))
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/signup/check-email");

    let mails = app.smtp().wait_for_n("anna@example.se", 2).await;
    assert!(mails[1].subject().contains("Someone tried to sign up"));
    assert!(mails[1].text().contains("No second account was created"));
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_parallel_signups_of_one_email_make_exactly_one_account() {
    let app = spawn_app().await;
    let token = app.csrf().await;
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let client = app.client.clone();
        let url = app.url("/signup");
        let mut fields = signup_fields("race@example.se");
        fields.push(("csrf_token", token.clone()));
        tasks.push(tokio::spawn(async move {
            client.post(url).form(&fields).send().await.unwrap().status()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), 303, "every sign-up gets the same answer");
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE email = 'race@example.se'")
            .await,
        1
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM email_tokens").await, 1);
}

#[tokio::test]
async fn a_verification_link_works_once_and_then_says_already_verified() {
    let app = spawn_app().await;
    app.sign_up("anna@example.se").await;
    let link = app.verification_mail("anna@example.se").await.link_to("/verify-email");
    assert!(app.get_html(&link).await.contains("Your e-mail address is verified"));
    let again = app.get_html(&link).await;
    assert!(again.contains("Already verified"), "{again}");
}

#[tokio::test]
async fn an_expired_link_offers_a_new_one_that_works() {
    let app = spawn_app().await;
    app.sign_up("anna@example.se").await;
    let old = app.verification_mail("anna@example.se").await.link_to("/verify-email");

    app.clock.advance(time::Duration::hours(25));
    let page = app.get_html(&old).await;
    assert!(page.contains("This link has expired"), "{page}");
    let token = token_in(&old);
    assert!(page.contains(&format!(r#"name="token" value="{token}""#)));

    let res = app.post_form("/verify-email/resend", &[("token", &token)]).await;
    assert_eq!(res.status(), 303);
    let mails = app.smtp().wait_for_n("anna@example.se", 2).await;
    let fresh = mails[1].link_to("/verify-email");
    assert_ne!(fresh, old);
    assert!(app.get_html(&fresh).await.contains("Your e-mail address is verified"));
    assert!(app.get_html(&old).await.contains("Already verified"));
}

#[tokio::test]
async fn an_unknown_verification_link_is_refused() {
    let app = spawn_app().await;
    let page = app.get_html("/verify-email?token=not-a-real-token").await;
    assert!(page.contains("This link does not work"));
}

#[tokio::test]
async fn only_the_hash_of_a_verification_token_is_stored() {
    let app = spawn_app().await;
    app.sign_up("anna@example.se").await;
    let link = app.verification_mail("anna@example.se").await.link_to("/verify-email");
    let token = token_in(&link);
    assert!(token.len() >= 43, "at least 256 bits");
    let sql = format!("SELECT COUNT(*) FROM email_tokens WHERE token_hash = '{token}'");
    assert_eq!(app.count(&sql).await, 0);
    let hash = devportal::domain::secret::hash_secret(&token);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM email_tokens WHERE token_hash = '{hash}'"
        ))
        .await,
        1
    );
}
