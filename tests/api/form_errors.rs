//! Every form control says what is wrong with it the same way: the error is
//! next to it, the control is marked invalid, and a screen reader reads the
//! error with it (aria-describedby names an element that exists).

use crate::support::spawn_app;

/// The opening tag of the control with `id`.
fn control<'a>(html: &'a str, id: &str) -> &'a str {
    let at = html
        .find(&format!(r#"id="{id}" name="{id}""#))
        .or_else(|| html.find(&format!(r#"id="{id}""#)))
        .unwrap_or_else(|| panic!("no control {id}"));
    let start = html[..at].rfind('<').unwrap();
    let end = at + html[at..].find('>').unwrap();
    &html[start..=end]
}

/// Every id that an aria-describedby names is on the page.
fn described_elements_exist(html: &str) {
    for part in html.split(r#"aria-describedby=""#).skip(1) {
        let id = &part[..part.find('"').unwrap()];
        assert!(
            html.contains(&format!(r#"id="{id}""#)),
            "aria-describedby={id} names nothing"
        );
    }
}

fn assert_invalid(html: &str, id: &str, message: &str) {
    let tag = control(html, id);
    assert!(
        tag.contains(r#"aria-invalid="true""#) && tag.contains(&format!(r#"aria-describedby="{id}-error""#)),
        "{id} is not marked invalid: {tag}"
    );
    assert!(
        html.contains(&format!(r#"id="{id}-error">{message}"#)),
        "{id} does not show {message:?}"
    );
}

#[tokio::test]
async fn a_select_and_the_checkboxes_of_sign_up_carry_their_errors() {
    let app = spawn_app().await;
    let res = app.post_form("/signup", &[("first_name", "Anna")]).await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert_invalid(&html, "country", "Choose your country.");
    assert_invalid(&html, "accept_privacy", "");
    assert_invalid(&html, "accept_terms", "");
    // A valid control is not marked, and keeps its hint.
    assert!(!control(&html, "first_name").contains("aria-invalid"));
    assert!(html.contains(r#"value="Anna""#));
    described_elements_exist(&html);
}

#[tokio::test]
async fn a_textarea_carries_its_error_and_keeps_what_was_typed() {
    let app = spawn_app().await;
    let dev = app.signed_in_developer("anna@example.se").await;
    let long = "x".repeat(1001);
    let res = dev
        .post_form("/applications", &[("name", "psd2_sandbox"), ("description", &long)])
        .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert_invalid(&html, "description", "Use at most 1000 characters.");
    assert!(html.contains(&format!(">{long}</textarea>")));
    described_elements_exist(&html);

    // A message to the bank about something else than the profile needs words.
    let res = dev
        .post_form("/contact", &[("category", "other"), ("message", "")])
        .await;
    let html = res.text().await.unwrap();
    assert_invalid(&html, "message", "Write your message.");
    described_elements_exist(&html);
}

#[tokio::test]
async fn the_certificate_form_ties_its_hint_to_the_pasted_pem() {
    let app = spawn_app().await;
    let dev = app.signed_in_developer("anna@example.se").await;
    let id = dev.create_application("psd2_sandbox").await;
    let html = dev.get_html(&format!("/applications/{id}?tab=production")).await;
    assert!(control(&html, "pem").contains(r#"aria-describedby="pem-hint""#));
    assert!(control(&html, "certificate").contains(r#"type="file""#));
    assert!(html.contains(r#"<label for="certificate">"#) && html.contains(r#"<label for="pem">"#));
    described_elements_exist(&html);
}
