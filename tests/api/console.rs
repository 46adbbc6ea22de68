use crate::support::{between, spawn_app};

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
}

#[tokio::test]
async fn the_console_executes_a_call_and_shows_the_request_and_response() {
    let app = spawn_app().await;
    let tpp = app.tpp("anna@example.se", &["accounts-sandbox"]).await;
    let list = tpp.browser.get_html("/apis/accounts-sandbox?tab=console").await;
    assert!(list.contains(r#"href="/apis/accounts-sandbox/console?op=0">Try it out</a>"#));

    let form = tpp.browser.get_html("/apis/accounts-sandbox/console?op=0").await;
    assert!(form.contains(r#"<option value=""#) && form.contains(">psd2_sandbox</option>"));
    assert!(
        form.contains(r#"action="/apis/accounts-sandbox/console#response""#),
        "the browser lands on the result, not the top of the page"
    );
    assert!(form.contains(r#"name="q_withBalance""#));

    let res = tpp
        .browser
        .post_form(
            "/apis/accounts-sandbox/console",
            &[
                ("op", "0"),
                ("application_id", &tpp.application_id),
                ("ssn", "195505063676"),
                ("q_withBalance", "true"),
                ("psu_ip", "192.0.2.10"),
            ],
        )
        .await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    let curl = unescape(&between(&html, r#"<pre id="console-curl">"#, "</pre>").unwrap());
    assert!(
        curl.starts_with(&format!(
            "curl -X GET '{}/sandbox/accounts/1.0.0/Accounts?withBalance=true'",
            app.base
        )),
        "{curl}"
    );
    assert!(curl.contains("-H 'Authorization: Bearer ") && curl.contains("-H 'X-Request-ID: "));
    assert_eq!(
        between(&html, r#"<strong id="console-status">"#, "</strong>").unwrap(),
        "200"
    );
    let body = unescape(&between(&html, r#"<pre id="console-body">"#, "</pre>").unwrap());
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["accounts"][0]["resourceId"], "12345678910");
    assert_eq!(json["accounts"][0]["creditLimit"]["amount"], "10000.00");
    assert!(body.contains("\n  "), "pretty-printed");
}

#[tokio::test]
async fn the_console_posts_the_example_body_and_takes_a_pasted_token() {
    let app = spawn_app().await;
    let tpp = app.tpp("anna@example.se", &["payments-sandbox"]).await;
    let form = tpp.browser.get_html("/apis/payments-sandbox/console?op=0").await;
    let body = unescape(&between(&form, r#"class="code">"#, "</textarea>").unwrap());
    let token = tpp.token("195505063676").await;
    let html = tpp
        .browser
        .post_form(
            "/apis/payments-sandbox/console",
            &[
                ("op", "0"),
                ("token", &token),
                ("p_paymentProduct", "SepaCreditTransfers"),
                ("body", &body),
            ],
        )
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        between(&html, r#"<strong id="console-status">"#, "</strong>").unwrap(),
        "201"
    );
    assert!(html.contains("RCVD"));
    assert!(unescape(&html).contains(&format!("Authorization: Bearer {token}")));
}

#[tokio::test]
async fn the_console_only_calls_this_portals_sandbox_paths() {
    let app = spawn_app().await;
    let tpp = app.tpp("anna@example.se", &["accounts-sandbox"]).await;
    let html = tpp
        .browser
        .post_form(
            "/apis/accounts-sandbox/console",
            &[
                ("op", "1"),
                ("application_id", &tpp.application_id),
                ("ssn", "195505063676"),
                ("p_accountId", "../../../api/v1/applications"),
            ],
        )
        .await
        .text()
        .await
        .unwrap();
    let curl = unescape(&between(&html, r#"<pre id="console-curl">"#, "</pre>").unwrap());
    assert!(
        curl.contains("/sandbox/accounts/1.0.0/Accounts/..%2F..%2F..%2Fapi%2Fv1%2Fapplications"),
        "{curl}"
    );
    assert_eq!(
        between(&html, r#"<strong id="console-status">"#, "</strong>").unwrap(),
        "404"
    );

    assert_eq!(
        tpp.browser.get("/apis/accounts-sandbox/console?op=99").await.status(),
        404
    );
    assert_eq!(
        tpp.browser.get("/apis/accounts-production/console?op=0").await.status(),
        404
    );
    assert_eq!(
        app.get("/apis/accounts-sandbox/console?op=0").await.status(),
        303,
        "sign in first"
    );
    let other = app.signed_in_developer("bo@example.se").await;
    let r = other
        .post_form(
            "/apis/accounts-sandbox/console",
            &[
                ("op", "0"),
                ("application_id", &tpp.application_id),
                ("ssn", "195505063676"),
            ],
        )
        .await;
    assert_eq!(r.status(), 422, "not Bo's application");
    assert!(r.text().await.unwrap().contains("Choose one of your applications"));
}

#[tokio::test]
async fn a_line_break_in_a_console_header_field_is_a_message_not_a_server_error() {
    let app = spawn_app().await;
    let tpp = app.tpp("anna@example.se", &["accounts-sandbox"]).await;
    for (field, value) in [
        ("request_id", "abc\r\nX-Evil: 1"),
        ("psu_ip", "192.0.2.10\nX-Evil: 1"),
        ("token", "t\u{0}"),
    ] {
        let mut form = vec![
            ("op", "0"),
            ("application_id", tpp.application_id.as_str()),
            ("ssn", "195505063676"),
        ];
        form.push((field, value));
        let res = tpp.browser.post_form("/apis/accounts-sandbox/console", &form).await;
        assert_eq!(res.status(), 422, "{field}");
        let html = res.text().await.unwrap();
        assert!(html.contains("only printable ASCII characters"), "{field}");
    }
}

/// "Authorize with BankID": the developer goes through the bank's pages as
/// a test customer and comes back to the console with a consent's token,
/// which reads only what the customer shared; the application's Consents tab
/// lists the consent.
#[tokio::test]
async fn authorize_with_bankid_fills_in_a_consents_token_that_the_console_calls_with() {
    use crate::support::psu::{ANNA, ANNA_ACCOUNT, Customer};
    use crate::support::web_client::{attr_after, location};
    let app = spawn_app().await;
    let tpp = app.tpp("anna@example.se", &["accounts-sandbox"]).await;
    let dev = &tpp.browser;
    let form = dev.get_html("/apis/accounts-sandbox/console?op=0").await;
    assert!(form.contains("Authorize with BankID"), "{form}");
    let res = dev
        .post_form(
            "/apis/accounts-sandbox/console/authorize",
            &[("application_id", &tpp.application_id), ("op", "0")],
        )
        .await;
    let page = location(&res);
    assert!(page.starts_with("/bank/authorize/"), "{page}");
    let html = dev.get_html(&page).await;
    assert!(html.contains("Simulated BankID"), "labelled: {html}");
    let phone = Customer::new(&app.base);
    let order = phone
        .phone_autostart(&attr_after(&html, "bankid:///?autostarttoken=").unwrap())
        .await;
    phone.phone_approve(&order, ANNA).await;
    let consent_page = location(&dev.get(&page).await);
    let html = dev.get_html(&consent_page).await;
    let csrf = attr_after(&html, r#"name="csrf-token" content=""#).unwrap();
    let res = dev
        .post_form_raw(
            &consent_page,
            &[
                ("csrf_token", csrf.as_str()),
                ("decision", "approve"),
                ("accounts", ANNA_ACCOUNT),
            ],
        )
        .await;
    let back = location(&res);
    assert!(
        back.starts_with(&format!("{}/console/authorized?code=", app.base)),
        "{back}"
    );
    let res = dev.get(&back).await;
    assert_eq!(location(&res), "/apis/accounts-sandbox/console?op=0");
    let form = dev.get_html("/apis/accounts-sandbox/console?op=0").await;
    assert!(form.contains("Authorized with BankID"), "{form}");
    let token = attr_after(&form, r#"name="token" type="text" value=""#).unwrap();
    assert!(token.len() > 40, "the token is filled in: {token:?}");
    let again = dev.get_html("/apis/accounts-sandbox/console?op=0").await;
    assert!(
        attr_after(&again, r#"name="token" type="text" value=""#)
            .unwrap()
            .is_empty(),
        "once"
    );

    let res = dev
        .post_form(
            "/apis/accounts-sandbox/console",
            &[("op", "0"), ("token", &token), ("psu_ip", "192.0.2.10")],
        )
        .await;
    let html = res.text().await.unwrap();
    assert!(html.contains(r#"<strong id="console-status">200</strong>"#), "{html}");
    let body = unescape(&between(&html, r#"<pre id="console-body">"#, "</pre>").unwrap());
    let listed: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        listed["accounts"].as_array().unwrap().len(),
        1,
        "only what Anna shared: {listed}"
    );

    let tab = dev
        .get_html(&format!("/applications/{}?tab=consents", tpp.application_id))
        .await;
    assert!(tab.contains(">valid<") && tab.contains(ANNA), "{tab}");
}
