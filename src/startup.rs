//! Builds the running application from a config: database, migrations,
//! background workers and the HTTP server. `main` and the tests both use it.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use tokio::net::TcpListener;
use tower_sessions::session_store::ExpiredDeletion;
use url::Url;

use crate::clock::Clock;
use crate::config::Config;
use crate::mail::MailQueue;
use crate::mail::worker::Worker;
use crate::services::access::AccessCache;
use crate::services::passwords::PasswordHasher;
use crate::services::rate_limits::Limiter;
use crate::services::sealing::Sealer;
use crate::services::usage::UsageCounter;
use crate::services::{RateLimits, Services};
use crate::storage::sessions::SessionBackend;
use crate::storage::{Db, migrate};

pub struct Application {
    listener: TcpListener,
    /// The TLS listener (mutual TLS), unless turned off.
    tls: Option<(TcpListener, Arc<rustls::ServerConfig>)>,
    pub services: Services,
    sessions: SessionBackend,
    /// Tells the mail worker to stop after the mail it is sending.
    stop_mail: tokio::sync::watch::Sender<bool>,
    mail_worker: tokio::task::JoinHandle<()>,
    /// `/metrics`, when `DEVPORTAL_METRICS_BIND` is set.
    metrics: Option<TcpListener>,
    /// Hears the other instances' access changes (PostgreSQL).
    listener_task: tokio::task::JoinHandle<()>,
}

/// How long a client may take to send a request's headers: a slow or
/// half-sent request cannot hold a connection (or a shutdown) open.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

impl Application {
    /// Connects, migrates, binds the listener and starts the mail worker and
    /// the janitor. Serving starts with [`Application::run`].
    pub async fn build(config: Config, clock: Arc<dyn Clock>) -> anyhow::Result<Application> {
        let db = Db::connect(&config.database_url).await?;
        migrate::run(&db).await.context("applying migrations")?;
        let listener = TcpListener::bind(config.bind)
            .await
            .with_context(|| format!("binding {}", config.bind))?;
        let addr = listener.local_addr()?;
        let base_url = match &config.public_url {
            Some(u) => u.clone(),
            None => Url::parse(&format!("http://{addr}/")).context("public URL")?,
        };
        let self_ip = if addr.ip().is_unspecified() {
            std::net::Ipv4Addr::LOCALHOST.into()
        } else {
            addr.ip()
        };
        let self_url =
            Url::parse(&format!("http://{}/", std::net::SocketAddr::new(self_ip, addr.port()))).context("own URL")?;
        let mail = MailQueue::default();
        let dev_mailbox = config.mail.dev_mailbox_for(&base_url)?;
        let sealer = sealer(&config)?;
        let test_ca = crate::services::test_qtsp::load_or_create(&db, &sealer, clock.now())
            .await
            .context("the test QTSP's CA")?;
        let mut services = services(
            db.clone(),
            clock.clone(),
            &config,
            mail.clone(),
            (base_url, self_url),
            sealer,
            test_ca,
        )?;
        services.dev_mailbox = dev_mailbox;
        let tls = match config.tls.bind {
            Some(bind) => {
                let server_config = crate::tls::server_config(&config.tls, &[services.test_ca.certificate()])
                    .context("the TLS listener")?;
                let listener = TcpListener::bind(bind)
                    .await
                    .with_context(|| format!("binding the TLS listener {bind}"))?;
                let at = listener.local_addr()?;
                let ip = if at.ip().is_unspecified() {
                    std::net::Ipv4Addr::LOCALHOST.into()
                } else {
                    at.ip()
                };
                services.tls_url = Some(match &config.tls.public_url {
                    Some(u) => u.clone(),
                    None => Url::parse(&format!("https://{}/", SocketAddr::new(ip, at.port()))).context("TLS URL")?,
                });
                Some((listener, server_config))
            }
            None => None,
        };
        let services = Services::new(services);
        crate::services::catalogue::load(&services)
            .await
            .context("loading the API catalogue")?;
        let (stop_mail, stopped) = tokio::sync::watch::channel(false);
        let mail_worker = tokio::spawn(Worker::new(services.clone())?.run(stopped));
        let sessions = SessionBackend::new(&db);
        tokio::spawn(janitor(services.clone(), sessions.clone()));
        tokio::spawn(flush_usage(services.clone()));
        let listener_task = tokio::spawn(hear_access_changes(services.clone()));
        if let (Some(url), Some(shared)) = (&config.ops.redis_url, &services.rate_limits.shared) {
            connect_redis(url.clone(), shared.clone()).await;
        }
        let metrics = match config.ops.metrics_bind {
            Some(bind) => Some(
                TcpListener::bind(bind)
                    .await
                    .with_context(|| format!("binding the metrics listener {bind}"))?,
            ),
            None => None,
        };
        Ok(Application {
            listener,
            tls,
            services,
            sessions,
            stop_mail,
            mail_worker,
            metrics,
            listener_task,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    /// Where `/metrics` is served, if it is.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics.as_ref().and_then(|l| l.local_addr().ok())
    }

    /// Where the TLS listener is, if it is on.
    pub fn tls_addr(&self) -> Option<SocketAddr> {
        self.tls.as_ref().and_then(|(l, _)| l.local_addr().ok())
    }

    pub fn url(&self) -> &Url {
        &self.services.base_url
    }

    /// Serves until the process is told to stop (Ctrl-C or SIGTERM). Then
    /// it takes no new connection, gives requests in flight the shutdown
    /// grace (`DEVPORTAL_SHUTDOWN_SECONDS`) and closes the rest, lets the
    /// mail worker finish the mail it is sending, and writes the usage
    /// counters it holds.
    pub async fn run(self) -> anyhow::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    /// [`Application::run`], stopping when `stop` completes instead of on a signal.
    pub async fn run_until(self, stop: impl std::future::Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        let grace = self.services.config.shutdown_grace;
        let handle = axum_server::Handle::new();
        tokio::spawn({
            let handle = handle.clone();
            async move {
                stop.await;
                tracing::info!(grace_s = grace.as_secs(), "shutting down");
                handle.graceful_shutdown(Some(grace));
            }
        });
        if let Some(listener) = self.metrics {
            let metrics = crate::web::metrics::router(self.services.clone());
            let server = axum_server::from_tcp(listener.into_std()?)?.handle(handle.clone());
            tokio::spawn(async move {
                if let Err(e) = server.serve(metrics.into_make_service()).await {
                    tracing::error!(error = %e, "the metrics listener stopped");
                }
            });
        }
        let app =
            crate::web::app(self.services.clone(), self.sessions).into_make_service_with_connect_info::<SocketAddr>();
        let mut plain = axum_server::from_tcp(self.listener.into_std()?)?
            .handle(handle.clone())
            .first_request_timeout(HEADER_READ_TIMEOUT);
        limit_header_time(plain.http_builder());
        let plain = plain.serve(app.clone());
        let served = match self.tls {
            Some((listener, config)) => {
                let mut tls = axum_server::from_tcp_rustls(
                    listener.into_std()?,
                    axum_server::tls_rustls::RustlsConfig::from_config(config),
                )?
                .handle(handle)
                .first_request_timeout(HEADER_READ_TIMEOUT);
                limit_header_time(tls.http_builder());
                let (a, b) = tokio::join!(plain, tls.serve(app));
                a.and(b)
            }
            None => plain.await,
        }
        .context("serving HTTP");
        let _ = self.stop_mail.send(true);
        if tokio::time::timeout(grace, self.mail_worker).await.is_err() {
            tracing::warn!("the mail worker did not stop in time; its leased mail is retried after the lease");
        }
        if let Err(e) = crate::services::usage::flush(&self.services).await {
            tracing::warn!(error = %format!("{e:#}"), "writing API usage at shutdown");
        }
        self.listener_task.abort();
        tracing::info!("stopped");
        served
    }
}

fn limit_header_time(http: &mut hyper_util::server::conn::auto::Builder<hyper_util::rt::TokioExecutor>) {
    http.http1()
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT);
}

/// The services without a listener or background tasks, for the command
/// line (`devportal admin …`). Migrates first.
pub async fn offline_services(config: Config) -> anyhow::Result<Services> {
    let db = Db::connect(&config.database_url).await?;
    migrate::run(&db).await.context("applying migrations")?;
    let base_url = match &config.public_url {
        Some(u) => u.clone(),
        None => Url::parse(&format!("http://{}/", config.bind)).context("public URL")?,
    };
    let self_url = base_url.clone();
    let clock = Arc::new(crate::clock::SystemClock);
    // The command line writes no mail, so it needs no sealing key: one for
    // this run only, whatever the setting.
    let sealer = match sealer(&config) {
        Ok(s) => s,
        Err(_) => Sealer::new(&rand_key()?)?,
    };
    // Nor does it issue test certificates (and it may not be able to open
    // the stored CA's key without the setting): a CA for this run only.
    let test_ca = crate::services::test_qtsp::ephemeral(clock.now())?;
    services(
        db,
        clock,
        &config,
        MailQueue::default(),
        (base_url, self_url),
        sealer,
        test_ca,
    )
    .map(Services::new)
}

/// The use cases' shared state, with fresh caches and rate limits.
fn services(
    db: Db,
    clock: Arc<dyn Clock>,
    config: &Config,
    mail: MailQueue,
    (base_url, self_url): (Url, Url),
    sealer: Sealer,
    test_ca: crate::services::test_qtsp::TestCa,
) -> anyhow::Result<crate::services::Parts> {
    let g = config.gateway;
    let metrics = Arc::new(crate::metrics::Metrics::new()?);
    let shared = config.ops.redis_url.as_ref().map(|_| {
        Arc::new(crate::services::rate_limits::Shared::new(
            metrics.shared_rate_limits.clone(),
        ))
    });
    let simulator = g.bankid_simulated.then(|| {
        Arc::new(crate::bankid::simulated::SimulatedBankId::new(
            db.clone(),
            clock.clone(),
        ))
    });
    let brand = match &config.portal.brand_dir {
        Some(dir) => crate::brand::Brand::load(dir).context("loading the brand (DEVPORTAL_BRAND_DIR)")?,
        None => crate::brand::Brand::default(),
    };
    let token_writes = Arc::new(crate::storage::token_batch::TokenBatcher::new(db.clone()));
    Ok(crate::services::Parts {
        brand: Arc::new(brand),
        bankid: simulator.clone().map(|s| s as Arc<dyn crate::bankid::BankId>),
        bankid_simulator: simulator,
        production_bank: crate::production_bank::build(&config.production, db.clone(), clock.clone())?,
        db,
        clock,
        hasher: PasswordHasher::new(config.hash_cost)?,
        config: Arc::new(config.clone()),
        mail,
        access: Arc::new(AccessCache::new(g.access_cache_ttl)),
        sandbox_state: Arc::new(crate::services::sandbox_state::SandboxState::new(g.access_cache_ttl)),
        token_writes,
        catalogue: Arc::default(),
        rate_limits: Arc::new(RateLimits {
            sandbox: Limiter::new("sandbox", g.sandbox_rate, g.sandbox_burst, shared.clone(), &metrics),
            token_endpoint: Limiter::new(
                "token_endpoint",
                g.token_rate,
                g.token_rate * 4.0,
                shared.clone(),
                &metrics,
            ),
            // One failure a second, ten at once: enough for a typo, not for guessing.
            token_failures: Limiter::new("token_failures", 1.0, 10.0, shared.clone(), &metrics),
            shared,
        }),
        metrics,
        usage: Arc::new(UsageCounter::default()),
        base_url,
        self_url,
        dev_mailbox: false,
        sealer: Arc::new(sealer),
        test_ca: Arc::new(test_ca),
        tls_url: None,
    })
}

/// The key that seals mail in the outbox: the setting, or with SQLite the
/// key file beside the database.
fn sealer(config: &Config) -> anyhow::Result<Sealer> {
    Sealer::from_setting_or_file(config.secret_key.as_deref(), key_file(&config.database_url).as_deref())
        .context("the key that seals mail in the outbox")
}

fn rand_key() -> anyhow::Result<[u8; 32]> {
    use ring::rand::SecureRandom;
    let mut key = [0u8; 32];
    ring::rand::SystemRandom::new()
        .fill(&mut key)
        .map_err(|_| anyhow::anyhow!("no randomness"))?;
    Ok(key)
}

/// With SQLite: the key file beside the database file (`….db.key`).
fn key_file(database_url: &str) -> Option<std::path::PathBuf> {
    if database_url.starts_with("postgres") {
        return None;
    }
    let path = database_url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:")
        .split('?')
        .next()
        .filter(|p| !p.is_empty() && !p.contains(":memory:"))?;
    Some(std::path::PathBuf::from(format!("{path}.key")))
}

/// Every ten minutes: drop expired sessions and old throttle windows.
async fn janitor(svc: Services, sessions: SessionBackend) {
    let mut tick = tokio::time::interval(Duration::from_secs(600));
    loop {
        tick.tick().await;
        if let Err(e) = sessions.delete_expired().await {
            tracing::warn!(error = %e, "deleting expired sessions");
        }
        if let Err(e) = crate::services::maintenance::sweep(&svc).await {
            tracing::warn!(error = %e, "janitor");
        }
    }
}

/// Evicts what other instances announce (PostgreSQL LISTEN); forgets the
/// whole cache whenever the connection is lost, since a notification may
/// have been missed then (a miss costs at most one cache lifetime).
async fn hear_access_changes(svc: Services) {
    let access = svc.access.clone();
    let sandbox = svc.sandbox_state.clone();
    let heard = svc.metrics.invalidations.clone();
    crate::storage::notify::listen(svc.db.clone(), move |h| match h {
        crate::storage::notify::Heard::Payload(p) => {
            heard.with_label_values(&["notified"]).inc();
            access.heard(p);
            sandbox.heard(p);
        }
        crate::storage::notify::Heard::Lost => {
            heard.with_label_values(&["lost"]).inc();
            access.clear();
            sandbox.clear();
        }
    })
    .await;
}

/// Connects the shared rate limits to Redis: at once if it answers, else in
/// the background every 5 seconds (until then each instance keeps its own
/// buckets, and `/readyz` and the log say so).
async fn connect_redis(url: String, shared: Arc<crate::services::rate_limits::Shared>) {
    use crate::storage::shared_limits::SharedLimits;
    const TIMEOUT: Duration = Duration::from_millis(250);
    match SharedLimits::connect(&url, TIMEOUT).await {
        Ok(l) => shared.connected(l),
        Err(e) => {
            tracing::error!(error = %e, "Redis unreachable at start: rate limits are per instance until it answers");
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(Duration::from_secs(5)).await;
                    if let Ok(l) = SharedLimits::connect(&url, TIMEOUT).await {
                        shared.connected(l);
                        break;
                    }
                }
            });
        }
    }
}

/// Every few seconds: write the gateway's call counters.
async fn flush_usage(svc: Services) {
    let mut tick = tokio::time::interval(Duration::from_secs(5));
    loop {
        tick.tick().await;
        if let Err(e) = crate::services::usage::flush(&svc).await {
            tracing::warn!(error = %format!("{e:#}"), "writing API usage");
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
