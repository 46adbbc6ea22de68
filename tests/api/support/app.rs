//! Spawns the portal on a random port with its own database (SQLite file, or
//! a fresh PostgreSQL database when DEVPORTAL_TEST_DATABASE_URL is set), a
//! real SMTP server, and a clock the test can move.

use std::net::SocketAddr;
use std::ops::Deref;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use devportal::clock::ManualClock;
use devportal::config::{Config, GatewayConfig, HashCost, MailConfig, ProductionConfig, TlsConfig};
use devportal::services::Services;
use devportal::startup::Application;
use sqlx::{Connection, Executor, PgConnection};

use super::smtp::{ReceivedMail, SmtpServer};
use super::web_client::{Browser, as_pairs, signup_fields};

pub const PASSWORD: &str = "correct horse battery staple";
pub const ADMIN_PASSWORD: &str = "a long admin passphrase";

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
    /// Shuts the portal down as SIGTERM would (see [`TestApp::shut_down`]).
    #[allow(clippy::type_complexity)]
    stop: std::sync::Mutex<
        Option<(
            tokio::sync::oneshot::Sender<()>,
            tokio::task::JoinHandle<anyhow::Result<()>>,
        )>,
    >,
    pub base: String,
    /// `https://127.0.0.1:PORT` of the TLS listener, when the test turned it on.
    pub tls_base: Option<String>,
    /// `http://127.0.0.1:PORT` of the metrics listener, when the test turned it on.
    pub metrics_base: Option<String>,
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
    let mut config = test_config(&database_url, smtp_url);
    tweak(&mut config);
    let clock = ManualClock::new();
    let app = Application::build(config, Arc::new(clock.clone()))
        .await
        .expect("build the app");
    let base = format!("http://{}", app.local_addr());
    let tls_base = app.tls_addr().map(|a| format!("https://{a}"));
    let metrics_base = app.metrics_addr().map(|a| format!("http://{a}"));
    let svc = app.services.clone();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(app.run_until(async move {
        let _ = stopped.await;
    }));
    TestApp {
        stop: std::sync::Mutex::new(Some((stop, running))),
        browser: Browser::new(&base),
        base,
        tls_base,
        metrics_base,
        database_url,
        svc,
        clock,
        smtp,
        _db: guard,
    }
}

/// Why the portal refuses to start with this configuration (no SMTP server
/// runs), or `None` when it starts.
pub async fn refusal_to_start(smtp_url: Option<&str>, tweak: impl FnOnce(&mut Config)) -> Option<String> {
    let (database_url, _guard) = test_database().await;
    let mut config = test_config(&database_url, smtp_url.map(str::to_string));
    tweak(&mut config);
    Application::build(config, Arc::new(ManualClock::new()))
        .await
        .err()
        .map(|e| format!("{e:#}"))
}

fn test_config(database_url: &str, smtp_url: Option<String>) -> Config {
    Config {
        database_url: database_url.to_string(),
        bind: SocketAddr::from(([127, 0, 0, 1], 0)),
        public_url: None,
        mail: MailConfig {
            smtp_url,
            dev_mailbox: None,
            from: "Devportal <no-reply@devportal.test>".into(),
            retry_base: Duration::from_millis(100),
            retry_max: Duration::from_millis(400),
            poll_interval: Duration::from_millis(50),
            smtp_timeout: Duration::from_secs(20),
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
        shutdown_grace: Duration::from_secs(5),
        // SQLite: a key file beside the test database; PostgreSQL needs the setting.
        secret_key: database_url
            .starts_with("postgres")
            .then(|| "c2VhbGluZyBrZXkgZm9yIHRoZSB0ZXN0cyAzMiBieXQ=".to_string()),
        // The TLS tests turn the listener on (tests/api/support/mtls.rs).
        tls: TlsConfig::off(std::env::temp_dir()),
        production: ProductionConfig::default(),
        ops: devportal::config::OpsConfig::default(),
        portal: devportal::config::PortalConfig::default(),
    }
}

/// A test database that is removed when the test ends.
pub enum DbGuard {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { admin_url: String, name: String },
}

pub async fn test_database() -> (String, DbGuard) {
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

impl TestApp {
    /// Moves the test clock to the start of the next fixed rate-limit
    /// window of `secs` (the clock runs with real time, so a test that
    /// counts hits in a window could otherwise straddle two).
    pub fn start_of_window(&self, secs: i64) {
        use devportal::clock::Clock;
        let into = self.clock.now().unix_timestamp().rem_euclid(secs);
        self.clock.advance(time::Duration::seconds(secs - into));
    }

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
        // The page's main part: what it said instead (a rare flake showed only the head).
        let main = page.split("<main").nth(1).unwrap_or(&page);
        assert!(
            page.contains("verified"),
            "verifying {link} answered {status}: {main:.2000}"
        );
        let res = browser.sign_in(email, PASSWORD).await;
        assert_eq!(res.status(), 303, "sign-in redirects");
        browser
    }
}

impl TestApp {
    /// Creates an admin with the real command line, signs them in.
    pub async fn admin(&self, email: &str) -> Browser {
        let out = Command::new(env!("CARGO_BIN_EXE_devportal"))
            .args(["admin", "create", "--email", email, "--name", "Britt Banksson"])
            .env("DEVPORTAL_DATABASE_URL", &self.database_url)
            .env("DEVPORTAL_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let b = self.new_browser();
        let res = b.sign_in(email, ADMIN_PASSWORD).await;
        assert_eq!(res.status(), 303);
        assert_eq!(
            super::location(&res),
            "/admin/requests",
            "an admin lands on the request inbox"
        );
        b
    }
}

impl TestApp {
    /// Stops the portal as SIGTERM does and waits until it has stopped.
    pub async fn shut_down(&self) {
        let (stop, running) = self.stop.lock().unwrap().take().expect("running");
        let _ = stop.send(());
        running.await.unwrap().unwrap();
    }
}
