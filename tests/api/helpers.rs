//! Spawns the portal on a random port with its own database (SQLite file, or
//! a fresh PostgreSQL database when DEVPORTAL_TEST_DATABASE_URL is set), a
//! real SMTP server, and a clock the test can move.

use std::net::SocketAddr;
use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;

use devportal::clock::ManualClock;
use devportal::config::{Config, GatewayConfig, HashCost, MailConfig};
use devportal::services::Services;
use devportal::startup::Application;
use reqwest::redirect::Policy;
use sqlx::{Connection, Executor, PgConnection};

use crate::smtp::{ReceivedMail, SmtpServer};

pub const PASSWORD: &str = "correct horse battery staple";

/// Where the portal's mail goes in a test.
pub enum Mail {
    /// A test SMTP server, running.
    Smtp,
    /// A port where no SMTP server listens (yet).
    SmtpDown(u16),
    /// No SMTP configured: the dev mailbox.
    DevMailbox,
}

pub struct TestApp {
    pub base: String,
    pub database_url: String,
    pub svc: Services,
    pub clock: ManualClock,
    pub smtp: Option<SmtpServer>,
    browser: Browser,
    _db: DbGuard,
}

impl Deref for TestApp {
    type Target = Browser;
    fn deref(&self) -> &Browser {
        &self.browser
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(Mail::Smtp).await
}

pub async fn spawn_app_with(mail: Mail) -> TestApp {
    spawn_app_configured(mail, |_| {}).await
}

/// Like [`spawn_app_with`], with a last say over the configuration.
pub async fn spawn_app_configured(mail: Mail, tweak: impl FnOnce(&mut Config)) -> TestApp {
    if std::env::var_os("TEST_LOG").is_some() {
        let _ = tracing_subscriber::fmt()
            .with_env_filter("info")
            .with_test_writer()
            .try_init();
    }
    let (database_url, guard) = test_database().await;
    let (smtp, smtp_url) = match mail {
        Mail::Smtp => {
            let s = SmtpServer::start().await;
            let url = s.url();
            (Some(s), Some(url))
        }
        Mail::SmtpDown(port) => (None, Some(format!("smtp://127.0.0.1:{port}"))),
        Mail::DevMailbox => (None, None),
    };
    let config = Config {
        database_url: database_url.clone(),
        bind: SocketAddr::from(([127, 0, 0, 1], 0)),
        public_url: None,
        mail: MailConfig {
            smtp_url,
            from: "Devportal <no-reply@devportal.test>".into(),
            retry_base: Duration::from_millis(100),
            retry_max: Duration::from_millis(400),
            poll_interval: Duration::from_millis(50),
        },
        session_idle: time::Duration::minutes(30),
        session_max: time::Duration::hours(12),
        verify_link_ttl: time::Duration::hours(24),
        reset_link_ttl: time::Duration::minutes(60),
        signin_attempts_per_minute: 10,
        trust_forwarded_for: false,
        // Cheap hashing in tests only; production uses OWASP's parameters.
        hash_cost: HashCost {
            memory_kib: 1024,
            iterations: 1,
            parallelism: 1,
        },
        gateway: GatewayConfig::default(),
    };
    let mut config = config;
    tweak(&mut config);
    let clock = ManualClock::new();
    let app = Application::build(config, Arc::new(clock.clone()))
        .await
        .expect("build the app");
    let base = format!("http://{}", app.local_addr());
    let svc = app.services.clone();
    tokio::spawn(app.run());
    TestApp {
        browser: Browser::new(&base),
        base,
        database_url,
        svc,
        clock,
        smtp,
        _db: guard,
    }
}

/// A test database that is removed when the test ends.
enum DbGuard {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { admin_url: String, name: String },
}

async fn test_database() -> (String, DbGuard) {
    match std::env::var("DEVPORTAL_TEST_DATABASE_URL") {
        Ok(admin_url) if admin_url.starts_with("postgres") => {
            let name = format!("devportal_test_{}", uuid::Uuid::new_v4().simple());
            let mut conn = PgConnection::connect(&admin_url).await.expect("connect to PostgreSQL");
            conn.execute(format!(r#"CREATE DATABASE "{name}""#).as_str())
                .await
                .expect("create the test database");
            let mut url = url::Url::parse(&admin_url).expect("DEVPORTAL_TEST_DATABASE_URL");
            url.set_path(&name);
            (url.to_string(), DbGuard::Postgres { admin_url, name })
        }
        _ => {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = format!("sqlite://{}/devportal.db", dir.path().display());
            (url, DbGuard::Sqlite(dir))
        }
    }
}

impl Drop for DbGuard {
    fn drop(&mut self) {
        if let DbGuard::Postgres { admin_url, name } = self {
            let (admin_url, name) = (admin_url.clone(), name.clone());
            // Drop runs inside the test's runtime; use a runtime of our own.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async {
                    if let Ok(mut c) = PgConnection::connect(&admin_url).await {
                        let _ = c
                            .execute(format!(r#"DROP DATABASE IF EXISTS "{name}" WITH (FORCE)"#).as_str())
                            .await;
                    }
                });
            })
            .join();
        }
    }
}

/// One browser: a client that keeps cookies and does not follow redirects.
pub struct Browser {
    pub base: String,
    pub client: reqwest::Client,
}

impl Browser {
    pub fn new(base: &str) -> Browser {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .build()
            .unwrap();
        Browser {
            base: base.to_string(),
            client,
        }
    }

    pub fn url(&self, path: &str) -> String {
        if path.starts_with("http") {
            path.to_string()
        } else {
            format!("{}{}", self.base, path)
        }
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    pub async fn get_html(&self, path: &str) -> String {
        self.get(path).await.text().await.unwrap()
    }

    /// The CSRF token of this browser's session (from the page's meta tag).
    pub async fn csrf(&self) -> String {
        // A page with a form: it makes a token for an anonymous visitor too.
        let html = self.get_html("/password/forgot").await;
        attr_after(&html, r#"name="csrf-token" content=""#).expect("a csrf-token meta tag")
    }

    /// Submits a form as the page would, with the session's CSRF token.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let token = self.csrf().await;
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        all.push(("csrf_token", &token));
        self.post_form_raw(path, &all).await
    }

    /// Submits exactly `fields`, without adding a CSRF token.
    pub async fn post_form_raw(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .form(fields)
            .send()
            .await
            .expect("POST")
    }

    /// Submits the new-password form of a reset link.
    pub async fn reset_password(&self, token: &str, password: &str) -> reqwest::Response {
        self.post_form(
            "/password/reset",
            &[
                ("token", token),
                ("password", password),
                ("password_confirmation", password),
            ],
        )
        .await
    }

    pub async fn sign_in(&self, email: &str, password: &str) -> reqwest::Response {
        self.post_form("/signin", &[("email", email), ("password", password)])
            .await
    }

    /// True when /profile shows the account rather than sending to sign-in.
    pub async fn is_signed_in(&self) -> bool {
        self.get("/profile").await.status() == 200
    }
}

/// The value that follows `prefix` up to the next double quote.
pub fn attr_after(html: &str, prefix: &str) -> Option<String> {
    let start = html.find(prefix)? + prefix.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_string())
}

pub fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

pub fn signup_fields(email: &str) -> Vec<(&'static str, String)> {
    vec![
        ("first_name", "Anna".into()),
        ("last_name", "Svensson".into()),
        ("email", email.into()),
        ("organization", "Example Payments AB".into()),
        ("country", "SE".into()),
        ("phone", "+46 8 123 456 78".into()),
        ("password", PASSWORD.into()),
        ("password_confirmation", PASSWORD.into()),
        ("accept_privacy", "yes".into()),
        ("accept_terms", "yes".into()),
    ]
}

pub fn as_pairs<'a>(fields: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    fields.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

impl TestApp {
    /// The test clock's date `days` ago, as YYYY-MM-DD.
    pub fn clock_date_minus(&self, days: i64) -> String {
        use devportal::clock::Clock;
        (self.clock.now().date() - time::Duration::days(days)).to_string()
    }

    pub fn new_browser(&self) -> Browser {
        Browser::new(&self.base)
    }

    pub fn smtp(&self) -> &SmtpServer {
        self.smtp.as_ref().expect("this app has a test SMTP server")
    }

    pub async fn sign_up(&self, email: &str) -> reqwest::Response {
        let fields = signup_fields(email);
        self.post_form("/signup", &as_pairs(&fields)).await
    }

    /// The verification mail sent to `email` (the newest one).
    pub async fn verification_mail(&self, email: &str) -> ReceivedMail {
        let mails = self.smtp().wait_for_n(email, 1).await;
        mails
            .into_iter()
            .rev()
            .find(|m| m.subject().contains("Verify"))
            .expect("a verification mail")
    }

    /// Signs up `email`, follows the link in the mail, and signs in.
    pub async fn signed_in_developer(&self, email: &str) -> Browser {
        let browser = self.new_browser();
        let fields = signup_fields(email);
        let res = browser.post_form("/signup", &as_pairs(&fields)).await;
        assert_eq!(res.status(), 303, "sign-up redirects");
        let link = self.verification_mail(email).await.link_to("/verify-email");
        let res = browser.get(&link).await;
        let status = res.status();
        let page = res.text().await.unwrap();
        assert!(page.contains("verified"), "verifying answered {status}: {page:.3000}");
        let res = browser.sign_in(email, PASSWORD).await;
        assert_eq!(res.status(), 303, "sign-in redirects");
        browser
    }

    pub async fn count(&self, sql: &str) -> i64 {
        use devportal::storage::Db;
        match &self.svc.db {
            Db::Sqlite(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
            Db::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
        }
    }
}

impl Browser {
    /// Creates an application through the form; returns its id.
    pub async fn create_application(&self, name: &str) -> String {
        let res = self
            .post_form("/applications", &[("name", name), ("description", "made by a test")])
            .await;
        assert_eq!(res.status(), 303, "creating {name}");
        location(&res).trim_start_matches("/applications/").to_string()
    }

    /// Subscribes an application through the API page; returns the subscription id.
    pub async fn subscribe(&self, application_id: &str, api: &str) -> String {
        let res = self
            .post_form(&format!("/apis/{api}/subscribe"), &[("application_id", application_id)])
            .await;
        let to = location(&res);
        assert!(to.starts_with("/subscriptions/"), "subscribing went to {to}");
        to.trim_start_matches("/subscriptions/").to_string()
    }

    /// Generates sandbox keys through the page; returns (client id, secret).
    pub async fn generate_keys(&self, application_id: &str) -> (String, String) {
        let res = self
            .post_form(&format!("/applications/{application_id}/sandbox-keys"), &[])
            .await;
        assert_eq!(res.status(), 200);
        let html = res.text().await.unwrap();
        let id = between(&html, r#"<code id="client-id">"#, "</code>").unwrap();
        let secret = between(&html, r#"<code id="client-secret" class="secret">"#, "</code>").unwrap();
        (id, secret)
    }
}

impl Browser {
    /// Deletes an application through its confirmation form (typing `name`).
    pub async fn delete_application(&self, application_id: &str, name: &str) -> reqwest::Response {
        self.post_form(
            &format!("/applications/{application_id}/delete"),
            &[("confirm_name", name)],
        )
        .await
    }

    /// Regenerates the sandbox secret through the page; returns (page, new secret).
    pub async fn regenerate_secret(&self, application_id: &str) -> (String, String) {
        let html = self
            .post_form(&format!("/applications/{application_id}/sandbox-keys/secret"), &[])
            .await
            .text()
            .await
            .unwrap();
        let secret = between(&html, r#"<code id="client-secret" class="secret">"#, "</code>").unwrap();
        (html, secret)
    }
}

/// The text between `start` and the next `end`.
pub fn between(s: &str, start: &str, end: &str) -> Option<String> {
    let from = s.find(start)? + start.len();
    let to = s[from..].find(end)? + from;
    Some(s[from..to].to_string())
}

/// The `token` query parameter of a link.
pub fn token_in(link: &str) -> String {
    url::Url::parse(link)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "token")
        .unwrap()
        .1
        .into_owned()
}

/// A JSON API client with a personal access token.
pub struct Api {
    pub base: String,
    pub token: String,
    client: reqwest::Client,
}

impl Api {
    pub fn new(base: &str, token: &str) -> Api {
        Api {
            base: base.to_string(),
            token: token.to_string(),
            client: reqwest::Client::new(),
        }
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> (u16, serde_json::Value) {
        let mut req = self
            .client
            .request(method, format!("{}{}", self.base, path))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let text = res.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(serde_json::Value::Null))
    }

    pub async fn get(&self, path: &str) -> (u16, serde_json::Value) {
        self.send(reqwest::Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: serde_json::Value) -> (u16, serde_json::Value) {
        self.send(reqwest::Method::POST, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> (u16, serde_json::Value) {
        self.send(reqwest::Method::DELETE, path, None).await
    }
}

impl TestApp {
    /// A personal access token for `email`, from the JSON API with HTTP Basic.
    pub async fn api_for(&self, email: &str) -> Api {
        let res = reqwest::Client::new()
            .post(format!("{}/api/v1/personal-access-tokens", self.base))
            .basic_auth(email, Some(PASSWORD))
            .json(&serde_json::json!({"name": "tests"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
        let body: serde_json::Value = res.json().await.unwrap();
        Api::new(&self.base, body["token"].as_str().unwrap())
    }

    /// Runs a statement directly on the test database.
    pub async fn exec(&self, sql: &str) {
        use devportal::storage::Db;
        match &self.svc.db {
            Db::Sqlite(p) => sqlx::query(sql).execute(p).await.map(|_| ()).unwrap(),
            Db::Postgres(p) => sqlx::query(sql).execute(p).await.map(|_| ()).unwrap(),
        }
    }

    /// Runs one statement; the database's error as text if it refuses.
    pub async fn try_exec(&self, sql: &str) -> Result<(), String> {
        use devportal::storage::Db;
        let r = match &self.svc.db {
            Db::Sqlite(p) => sqlx::query(sql).execute(p).await.map(|_| ()),
            Db::Postgres(p) => sqlx::query(sql).execute(p).await.map(|_| ()),
        };
        r.map_err(|e| e.to_string())
    }

    /// The audit log, oldest first, read straight from the table.
    pub async fn audit_rows(&self) -> Vec<AuditRow> {
        use devportal::storage::Db;
        let sql = "SELECT event, actor_id, actor_email, client_addr, target_kind, target_id, detail FROM audit_log ORDER BY id";
        match &self.svc.db {
            Db::Sqlite(p) => sqlx::query_as(sql).fetch_all(p).await.unwrap(),
            Db::Postgres(p) => sqlx::query_as(sql).fetch_all(p).await.unwrap(),
        }
    }

    /// The audit rows of one event, oldest first.
    pub async fn audited(&self, event: &str) -> Vec<AuditRow> {
        self.audit_rows()
            .await
            .into_iter()
            .filter(|r| r.event == event)
            .collect()
    }

    /// Rows in every table of the schema (sessions included), by table name.
    pub async fn table_counts(&self) -> std::collections::BTreeMap<String, i64> {
        use devportal::storage::Db;
        let tables: Vec<String> = match &self.svc.db {
            Db::Sqlite(p) => sqlx::query_scalar(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations'",
            )
            .fetch_all(p)
            .await
            .unwrap(),
            Db::Postgres(p) => sqlx::query_scalar(
                "SELECT CASE WHEN table_schema = 'public' THEN table_name ELSE table_schema || '.' || table_name END \
                 FROM information_schema.tables WHERE table_schema IN ('public', 'tower_sessions') \
                 AND table_type = 'BASE TABLE' AND table_name <> '_sqlx_migrations'",
            )
            .fetch_all(p)
            .await
            .unwrap(),
        };
        let mut counts = std::collections::BTreeMap::new();
        for t in tables {
            let n = self.count(&format!("SELECT COUNT(*) FROM {t}")).await;
            counts.insert(t.replace("tower_sessions.session", "tower_sessions"), n);
        }
        counts
    }
}

/// One row of the audit log as a test reads it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AuditRow {
    pub event: String,
    pub actor_id: Option<i64>,
    pub actor_email: String,
    pub client_addr: String,
    pub target_kind: String,
    pub target_id: String,
    pub detail: String,
}
