//! One rule for every free-text field: invisible formatting characters are
//! refused with a message, and text is kept composed (NFC), so two names that
//! look the same are the same.

use crate::support::{as_pairs, signup_fields, spawn_app};

#[tokio::test]
async fn a_right_to_left_override_in_a_name_is_refused_with_a_message() {
    let app = spawn_app().await;
    let mut fields = signup_fields("anna@example.se");
    for (k, v) in fields.iter_mut() {
        if *k == "organization" {
            *v = "Bank\u{202E}ABtsurT".into();
        }
    }
    let res = app.post_form("/signup", &as_pairs(&fields)).await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains(r#"id="organization-error">Remove the invisible formatting characters"#));
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 0);
}

#[tokio::test]
async fn application_names_are_compared_as_they_look() {
    let app = spawn_app().await;
    let dev = app.signed_in_developer("anna@example.se").await;
    dev.create_application("Jos\u{e9}").await;
    // The same name typed with a combining accent is the same name.
    let res = dev.post_form("/applications", &[("name", "Jose\u{301}")]).await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("You already have an application called")
    );
    // A zero-width space makes a look-alike: refused.
    let res = dev.post_form("/applications", &[("name", "Jos\u{200B}\u{e9}")]).await;
    assert_eq!(res.status(), 422);
    let res = dev
        .post_form("/applications", &[("name", "psd2"), ("description", "a\u{2066}b")])
        .await;
    assert_eq!(res.status(), 422);
    assert_eq!(app.count("SELECT COUNT(*) FROM applications").await, 1);
}

#[tokio::test]
async fn a_message_to_the_bank_keeps_its_lines_but_not_hidden_characters() {
    let app = spawn_app().await;
    let dev = app.signed_in_developer("anna@example.se").await;
    let res = dev
        .post_form("/contact", &[("category", "other"), ("message", "Hello\u{200D}bank")])
        .await;
    assert_eq!(res.status(), 422);
    let res = dev
        .post_form("/contact", &[("category", "other"), ("message", "Line one\nLine two")])
        .await;
    assert_eq!(res.status(), 303);
}
