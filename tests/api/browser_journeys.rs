//! Journeys in a real browser: headless Chromium over WebDriver. They run
//! when asked: `cargo test -- --ignored browser`; asked on a machine without
//! Chromium they fail loudly, never pass silently.

use std::time::Duration;

use fantoccini::Locator;

use crate::support::chrome::Chrome;
use crate::support::{Mail, PASSWORD, spawn_app_with};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium: cargo test -- --ignored browser"]
async fn browser_sign_up_verify_from_the_mailbox_and_sign_in() {
    let app = spawn_app_with(Mail::DevMailbox).await;
    let chrome = Chrome::start().await;

    chrome.client.goto(&format!("{}/signup", app.base)).await.unwrap();
    for (name, value) in [
        ("first_name", "Anna"),
        ("last_name", "Svensson"),
        ("email", "anna@example.se"),
        ("organization", "Example Payments AB"),
        ("password", PASSWORD),
        ("password_confirmation", PASSWORD),
    ] {
        chrome.fill(name, value).await;
    }
    chrome.click("select[name='country'] option[value='SE']").await;
    chrome.click("#accept_privacy").await;
    chrome.click("#accept_terms").await;
    chrome.click("form[action='/signup'] button[type='submit']").await;
    chrome.wait_for_text("Check your e-mail").await;

    // The newcomer's way: the dev mailbox, the mail, its link.
    chrome.click("a[href='/dev/mailbox']").await;
    chrome.wait_for_text("Verify your e-mail address").await;
    chrome.click("table a").await;
    chrome.wait_for_text("Text part").await;
    chrome.click("ul.links a").await;
    chrome.wait_for_text("Your e-mail address is verified").await;

    chrome.click("a.button[href='/signin']").await;
    chrome.wait_for_text("Forgot your password?").await;
    chrome.fill("email", "anna@example.se").await;
    chrome.fill("password", PASSWORD).await;
    chrome.click("form[action='/signin'] button[type='submit']").await;
    chrome.wait_for_text("Welcome, Anna. You are signed in.").await;

    chrome.client.goto(&format!("{}/profile", app.base)).await.unwrap();
    chrome.wait_for_text("Example Payments AB").await;
    chrome.screenshot("signed-in").await;
    chrome.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium: cargo test -- --ignored browser"]
async fn browser_create_psd2_sandbox_subscribe_generate_keys_and_see_the_secret_once() {
    let app = crate::support::spawn_app().await;
    let _ = app.signed_in_developer("anna@example.se").await;
    let chrome = Chrome::start().await;

    chrome.sign_in(&app.base, "anna@example.se").await;

    chrome.click("header nav a[href='/applications']").await;
    chrome.wait_for_text("Create application").await;
    chrome.click("a.button[href='/applications/new']").await;
    chrome.wait_for_text("1 to 70 characters").await;
    chrome.fill("name", "psd2_sandbox").await;
    chrome.click("form[action='/applications'] button[type='submit']").await;
    chrome.wait_for_text("Application psd2_sandbox created.").await;

    chrome.client.goto(&format!("{}/apis", app.base)).await.unwrap();
    chrome.click("a[href='/apis/accounts-sandbox']").await;
    chrome.wait_for_text("Base path").await;
    chrome
        .click("nav.tabs a[href='/apis/accounts-sandbox?tab=subscribe']")
        .await;
    chrome.wait_for_text("Subscribe to Accounts (Sandbox)").await;
    chrome
        .click("form[action='/apis/accounts-sandbox/subscribe'] button")
        .await;
    chrome
        .wait_for_text("psd2_sandbox is subscribed to Accounts 1.0.0 (Sandbox).")
        .await;

    chrome.click("dl.details a[href^='/applications/']").await;
    chrome.wait_for_text("Sandbox keys").await;
    chrome.click("nav.tabs a[href$='?tab=keys']").await;
    chrome.wait_for_text("Generate a client id and secret").await;
    chrome.click("form[action$='/sandbox-keys'] button").await;
    chrome.wait_for_text("It is shown only this once").await;
    let secret = chrome
        .client
        .find(Locator::Id("client-secret"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(secret.len() >= 43, "{secret}");
    chrome.screenshot("sandbox-keys-shown-once").await;

    chrome.click("a.button[href$='?tab=keys']").await;
    let keys_tab = chrome.wait_for_text("shown once when generated").await;
    assert!(!keys_tab.contains(&secret), "the secret is not shown again");
    assert!(keys_tab.contains("scope=psd2_sandbox:195505063676"));
    chrome.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium: cargo test -- --ignored browser"]
async fn browser_an_admin_applies_a_developers_profile_change() {
    let app = crate::support::spawn_app().await;
    let dev = app.signed_in_developer("anna@example.se").await;
    dev.post_form(
        "/contact",
        &[
            ("category", "profile"),
            ("organization", "New Payments AB"),
            ("message", "We renamed the company."),
        ],
    )
    .await;
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_devportal"))
        .args([
            "admin",
            "create",
            "--email",
            "britt@bank.example",
            "--name",
            "Britt Banksson",
        ])
        .env("DEVPORTAL_DATABASE_URL", &app.database_url)
        .env("DEVPORTAL_ADMIN_PASSWORD", "a long admin passphrase")
        .output()
        .unwrap();
    assert!(out.status.success());

    let chrome = Chrome::start().await;
    chrome.client.goto(&format!("{}/signin", app.base)).await.unwrap();
    chrome.fill("email", "britt@bank.example").await;
    chrome.fill("password", "a long admin passphrase").await;
    chrome.click("form[action='/signin'] button[type='submit']").await;
    chrome.wait_for_text("You are signed in.").await;
    chrome.click("header nav a[href='/admin/requests']").await;
    chrome.wait_for_text("Requests from developers").await;
    chrome.click("td a[href^='/admin/requests/']").await;
    chrome.wait_for_text("We renamed the company.").await;
    chrome.click("form[action$='/apply'] button").await;
    chrome.wait_for_text("Applied. The developer is told by e-mail").await;
    chrome.screenshot("admin-applied-request").await;

    // The decision is in the audit log, found with the filter form.
    chrome.client.goto(&format!("{}/admin/audit", app.base)).await.unwrap();
    chrome.wait_for_text("Audit log").await;
    chrome.fill("actor", "britt@").await;
    chrome.click("form[action='/admin/audit'] button[type='submit']").await;
    let mut table = String::new();
    for _ in 0..100 {
        let url = chrome.client.current_url().await.unwrap();
        if url.query().is_some_and(|q| q.contains("actor=britt")) {
            if let Ok(t) = chrome.client.find(Locator::Css("table.audit")).await {
                table = t.text().await.unwrap_or_default();
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(table.contains("Request applied"), "{table}");
    assert!(
        table.contains("anna@example.se: organization"),
        "the detail names the developer and the field"
    );
    assert!(
        !table.contains("Signed up"),
        "the filter keeps only the admin's rows: {table}"
    );
    chrome.screenshot("admin-audit-log").await;
    chrome.close().await;

    assert!(dev.get_html("/profile").await.contains("New Payments AB"));
    let mails = app.smtp().wait_for_n("anna@example.se", 2).await;
    assert!(mails[1].subject().contains("profile change was applied"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium: cargo test -- --ignored browser"]
async fn browser_create_a_test_certificate_download_it_and_see_the_curl_commands() {
    let data = tempfile::tempdir().unwrap();
    let app = crate::support::mtls::spawn_tls_app(data.path(), |_| {}).await;
    let tpp = app.tpp("anna@example.se", &["accounts-sandbox"]).await;
    let chrome = Chrome::start().await;
    chrome.sign_in(&app.base, "anna@example.se").await;

    let id = &tpp.application_id;
    chrome
        .client
        .goto(&format!("{}/applications/{id}?tab=production", app.base))
        .await
        .unwrap();
    chrome
        .click(&format!("a[href='/applications/{id}/test-certificates/new']"))
        .await;
    chrome.wait_for_text("Create a test certificate").await;
    chrome.fill("passphrase", "rehearsal passphrase").await;
    chrome.fill("passphrase_confirmation", "rehearsal passphrase").await;
    chrome
        .click("form[action$='/test-certificates'] button[type='submit']")
        .await;
    let page = chrome.wait_for_text("Download the files now").await;
    assert!(
        page.contains("curl --cert-type P12 --cert psd2_sandbox-test-qwac.p12"),
        "{page}"
    );
    assert!(page.contains(&format!("-d client_id={}", tpp.client_id)), "{page}");
    chrome.screenshot("test-certificate-issued").await;

    chrome.click("#download-p12").await;
    let p12 = chrome.downloaded("psd2_sandbox-test-qwac.p12").await;
    let file = data.path().join("downloaded.p12");
    std::fs::write(&file, p12).unwrap();
    let opened = std::process::Command::new("openssl")
        .args([
            "pkcs12",
            "-in",
            file.to_str().unwrap(),
            "-noout",
            "-passin",
            "pass:rehearsal passphrase",
        ])
        .status()
        .unwrap();
    assert!(opened.success(), "the downloaded PKCS#12 opens with the passphrase");
    chrome.close().await;
}

/// The customer's side in a real browser: the TPP sends them to the bank;
/// they identify in the BankID simulator, approve on the consent page, and
/// the TPP (a small local server) receives the code; later they revoke the
/// consent on My consents, and the TPP's next call fails.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium: cargo test -- --ignored browser"]
async fn browser_the_customer_consents_with_bankid_and_revokes_it() {
    use crate::support::psu::{ANNA, ANNA_ACCOUNT, Pkce, consent_body};
    use crate::support::tpp::ACCOUNTS;
    use std::sync::{Arc, Mutex};

    // The TPP's callback, on this machine.
    let received: Arc<Mutex<Option<String>>> = Arc::new(Mutex::new(None));
    let seen = received.clone();
    let tpp_app = axum::Router::new().route(
        "/cb",
        axum::routing::get(move |q: axum::extract::RawQuery| {
            let seen = seen.clone();
            async move {
                *seen.lock().unwrap() = q.0;
                axum::response::Html("<p>Code received by the TPP</p>")
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let callback = format!("http://localhost:{}/cb", listener.local_addr().unwrap().port());
    tokio::spawn(async move { axum::serve(listener, tpp_app).await });

    let app = crate::support::spawn_app().await;
    let tpp = app.tpp("anna@example.se", &["accounts-sandbox"]).await;
    tpp.register_redirect_uris(&[&callback]).await;
    let consent = tpp.ask_consent(consent_body(4)).await;
    let pkce = Pkce::new();
    let query = tpp.authorize_query(&format!("AIS:{consent}"), &pkce).replace(
        "https%3A%2F%2Ftpp.example%2Fcallback",
        &url::form_urlencoded::byte_serialize(callback.as_bytes()).collect::<String>(),
    );

    let chrome = Chrome::start().await;
    chrome
        .client
        .goto(&format!("{}/oauth2/authorize?{query}", app.base))
        .await
        .unwrap();
    chrome.wait_for_text("Identify with BankID").await;
    chrome.wait_for_text("Simulated BankID").await;
    let bankid_page = chrome.client.current_url().await.unwrap();
    chrome.screenshot("bankid-qr").await;

    // The phone: the simulator, in a second window.
    let bank_window = chrome.client.window().await.unwrap();
    let phone = chrome.client.new_window(true).await.unwrap();
    chrome.client.switch_to_window(phone.handle.clone()).await.unwrap();
    chrome
        .client
        .goto(&format!("{}/bankid-simulator", app.base))
        .await
        .unwrap();
    chrome.wait_for_text("psd2_sandbox asks for your approval").await;
    chrome.fill("personal_number", ANNA).await;
    chrome.click("button[name='action'][value='approve']").await;
    chrome.wait_for_text(&format!("Identified as {ANNA}.")).await;

    // Back on the bank's page, its script moves on to the consent page.
    chrome.client.switch_to_window(bank_window.clone()).await.unwrap();
    chrome.wait_for_text("asks for your approval").await;
    chrome.wait_for_text("balances, transactions").await;
    assert_ne!(chrome.client.current_url().await.unwrap(), bankid_page);
    chrome.click("button[name='decision'][value='approve']").await;
    chrome.wait_for_text("Code received by the TPP").await;
    let query = received.lock().unwrap().clone().expect("the TPP got the answer");
    let back: std::collections::HashMap<String, String> =
        url::form_urlencoded::parse(query.as_bytes()).into_owned().collect();
    assert_eq!(back["state"], "xyz-state");

    let r = tpp
        .token_request(&[
            ("grant_type", "authorization_code"),
            ("client_id", &tpp.client_id),
            ("client_secret", &tpp.client_secret),
            ("code", &back["code"]),
            ("redirect_uri", &callback),
            ("code_verifier", &pkce.verifier),
        ])
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let token = r.body["access_token"].as_str().unwrap().to_string();
    let balances = format!("{ACCOUNTS}/Accounts/{ANNA_ACCOUNT}/balances");
    assert_eq!(tpp.get(&balances, &token).await.status, 200);

    // The customer revokes it on My consents.
    chrome.client.goto(&format!("{}/my-consents", app.base)).await.unwrap();
    chrome.click("form[action='/my-consents/sign-in'] button").await;
    chrome.wait_for_text("Start the BankID app").await;
    chrome.client.switch_to_window(phone.handle.clone()).await.unwrap();
    chrome
        .client
        .goto(&format!("{}/bankid-simulator", app.base))
        .await
        .unwrap();
    chrome.wait_for_text("Sign in to see and revoke your consents.").await;
    chrome.fill("personal_number", ANNA).await;
    chrome.click("button[name='action'][value='approve']").await;
    chrome.wait_for_text("Identified as").await;
    chrome.client.switch_to_window(bank_window.clone()).await.unwrap();
    chrome.wait_for_text("Signed in with BankID").await;
    chrome
        .click(&format!("form[action='/my-consents/{consent}/revoke'] button"))
        .await;
    chrome.wait_for_text("can no longer read your accounts").await;
    chrome.screenshot("my-consents-revoked").await;
    chrome.close().await;

    let r = tpp.get(&balances, &token).await;
    assert_eq!((r.status, r.code()), (401, "CONSENT_INVALID"), "{}", r.body);
}

/// Whether the dashboard's step `id` is ticked.
async fn step_done(chrome: &Chrome, id: &str) -> bool {
    let step = chrome.client.find(Locator::Id(&format!("step-{id}"))).await.unwrap();
    step.attr("data-done").await.unwrap().as_deref() == Some("true")
}

/// Opens the dashboard and checks the checklist stands between two steps.
async fn checklist_reaches(chrome: &Chrome, base: &str, done: &str, next: &str) {
    chrome.client.goto(&format!("{base}/dashboard")).await.unwrap();
    assert!(step_done(chrome, done).await, "{done} is ticked");
    assert!(!step_done(chrome, next).await, "{next} is not ticked yet");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium: cargo test -- --ignored browser"]
async fn browser_the_developer_journey_from_the_dashboard_to_a_first_console_call_passes_axe() {
    let app = crate::support::spawn_app().await;
    let _ = app.signed_in_developer("journey@tpp.example").await;
    let chrome = Chrome::start().await;
    let base = app.base.clone();

    // A failed sign-up: the error summary takes the focus, each error a link.
    chrome.client.goto(&format!("{base}/signup")).await.unwrap();
    chrome.axe("sign-up").await;
    chrome.click("form[action='/signup'] button[type='submit']").await;
    chrome.wait_for_text("There is a problem").await;
    assert!(chrome.focused().await.contains("error-summary"), "focus on the summary");
    chrome.axe("sign-up with errors").await;

    chrome.sign_in(&base, "journey@tpp.example").await;
    assert!(chrome.path().await.ends_with("/dashboard"));
    chrome.axe("dashboard").await;
    chrome.screenshots("dashboard").await;
    assert!(step_done(&chrome, "verified").await && !step_done(&chrome, "application").await);

    chrome
        .step("#next-step a.button", "1 to 70 characters", "new application")
        .await;
    chrome.fill("name", "journey_app").await;
    chrome
        .step(
            "form[action='/applications'] button[type='submit']",
            "Application journey_app created.",
            "application",
        )
        .await;
    chrome.screenshots("application").await;

    checklist_reaches(&chrome, &base, "application", "subscription").await;
    chrome.step("#next-step a.button", "API store", "API store").await;
    chrome.screenshots("api-store").await;
    chrome
        .step("a[href='/apis/accounts-sandbox']", "Base path", "API overview")
        .await;
    chrome
        .step(
            "nav.tabs a[href='/apis/accounts-sandbox?tab=documentation']",
            "Error",
            "documentation",
        )
        .await;
    chrome.screenshots("documentation").await;
    chrome
        .step(
            "nav.tabs a[href='/apis/accounts-sandbox?tab=subscribe']",
            "Subscribe to Accounts (Sandbox)",
            "subscribe",
        )
        .await;
    chrome
        .step(
            "form[action='/apis/accounts-sandbox/subscribe'] button",
            "Get sandbox keys",
            "subscription",
        )
        .await;

    checklist_reaches(&chrome, &base, "subscription", "keys").await;
    chrome.client.back().await.unwrap();
    chrome
        .step("a#next-step", "Generate a client id and secret", "keys tab")
        .await;
    chrome
        .step(
            "form[action$='/sandbox-keys'] button",
            "It is shown only this once",
            "secret shown once",
        )
        .await;
    // Reload: the secret is gone and the page says so; no form resubmission.
    chrome.client.refresh().await.unwrap();
    chrome.wait_for_text("was shown once and is not kept").await;

    checklist_reaches(&chrome, &base, "keys", "first_call").await;
    chrome.step("#next-step a.button", "Try it out", "console").await;
    chrome
        .click("form[action$='/console#response'] button[type='submit']")
        .await;
    chrome.wait_for_text("Response").await;
    assert_eq!(chrome.focused().await, "response", "the result takes the focus");
    let status = chrome
        .client
        .find(Locator::Id("console-status"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(status, "200");
    chrome.axe("console response").await;
    chrome.screenshots("console-response").await;

    checklist_reaches(&chrome, &base, "first_call", "certificate").await;
    for page in [
        "/applications",
        "/subscriptions",
        "/profile",
        "/contact",
        "/legal/terms",
        "/no-such-page",
    ] {
        chrome.client.goto(&format!("{base}{page}")).await.unwrap();
        chrome.axe(page).await;
    }
    chrome.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium: cargo test -- --ignored browser"]
async fn browser_every_admin_page_passes_axe() {
    let app = crate::support::spawn_app().await;
    let dev = app.signed_in_developer("anna@example.se").await;
    crate::support::send_profile_change(
        &dev,
        &[("category", "profile"), ("organization", "New AB"), ("message", "")],
    )
    .await;
    let _ = app.admin("admin@bank.example").await;
    let chrome = Chrome::start().await;
    chrome
        .sign_in_with(&app.base, "admin@bank.example", crate::support::ADMIN_PASSWORD)
        .await;
    assert!(chrome.path().await.ends_with("/admin/requests"));
    chrome.axe("request inbox").await;
    chrome.screenshots("admin-inbox").await;
    chrome.step("a[href^='/admin/requests/']", "Request", "request").await;
    for page in [
        "/admin/developers",
        "/admin/audit",
        "/admin/audit?from=2026-12-05&until=2026-12-01",
        "/admin/mail",
    ] {
        chrome.client.goto(&format!("{}{page}", app.base)).await.unwrap();
        chrome.axe(page).await;
    }
    chrome
        .client
        .goto(&format!("{}/admin/developers?q=anna", app.base))
        .await
        .unwrap();
    chrome
        .step("table a[href^='/admin/developers/']", "anna@example.se", "developer")
        .await;
    chrome.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium: cargo test -- --ignored browser"]
async fn browser_the_portal_in_a_banks_colours_passes_axe() {
    let brand = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/brand");
    let app =
        crate::support::spawn_app_configured(crate::support::Mail::Smtp, |c| c.portal.brand_dir = Some(brand)).await;
    let _ = app.signed_in_developer("brand@tpp.example").await;
    let chrome = Chrome::start().await;
    chrome.sign_in(&app.base, "brand@tpp.example").await;
    for (page, name) in [("/dashboard", "brand-dashboard"), ("/apis", "brand-api-store")] {
        chrome.client.goto(&format!("{}{page}", app.base)).await.unwrap();
        chrome.wait_for_text("Example Bank").await;
        chrome.axe(page).await;
        chrome.screenshots(name).await;
    }
    let logo = chrome.client.find(Locator::Css("header img.logo")).await.unwrap();
    assert!(logo.is_displayed().await.unwrap(), "the bank's logo is in the header");
    chrome.close().await;
}
