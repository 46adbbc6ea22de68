//! Settings from `DEVPORTAL_*` environment variables (or flags), each with a
//! default that works on a fresh machine.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration as StdDuration;

use axum::http::HeaderName;

use time::Duration;
use url::Url;

/// Every setting, as `devportal --help` lists it.
#[derive(Clone, clap::Args)]
pub struct Settings {
    /// Database: `sqlite://PATH` (the file and folder are created on first run)
    /// or `postgres://USER@HOST:PORT/DB` to share one database between instances.
    #[arg(long, env = "DEVPORTAL_DATABASE_URL", default_value = "sqlite://data/devportal.db")]
    pub database_url: String,

    /// Address and port to listen on.
    #[arg(long, env = "DEVPORTAL_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,

    /// The URL users reach the portal at, used in links in e-mails
    /// [default: http://BIND]. With https, cookies are marked Secure.
    #[arg(long, env = "DEVPORTAL_PUBLIC_URL")]
    pub public_url: Option<Url>,

    /// SMTP server for outgoing mail in lettre's URL form, e.g.
    /// `smtp://127.0.0.1:2525` or `smtps://user:pass@mail.example.com`.
    /// Unset: mails are kept and shown at /dev/mailbox.
    #[arg(long, env = "DEVPORTAL_SMTP_URL")]
    pub smtp_url: Option<String>,

    /// Keep mails at /dev/mailbox instead of sending them (only without
    /// SMTP). Default: on when the public URL is on this machine (localhost,
    /// 127.0.0.1, ::1); elsewhere the portal refuses to start without SMTP
    /// unless this is set to true on purpose.
    #[arg(long, env = "DEVPORTAL_DEV_MAILBOX")]
    pub dev_mailbox: Option<bool>,

    /// 32 bytes, base64 (`openssl rand -base64 32`): seals mail bodies waiting
    /// in the outbox. Required with PostgreSQL (the same on every instance);
    /// with SQLite, unset means a key file beside the database, made on first start.
    #[arg(long, env = "DEVPORTAL_SECRET_KEY", hide_env_values = true)]
    pub secret_key: Option<String>,

    /// Sender of every mail.
    #[arg(
        long,
        env = "DEVPORTAL_MAIL_FROM",
        default_value = "Devportal <no-reply@devportal.localhost>"
    )]
    pub mail_from: String,

    /// Minutes without a request after which a session ends.
    #[arg(long, env = "DEVPORTAL_SESSION_IDLE_MINUTES", default_value_t = 30)]
    pub session_idle_minutes: i64,

    /// Hours after sign-in after which a session ends however active it is.
    #[arg(long, env = "DEVPORTAL_SESSION_MAX_HOURS", default_value_t = 12)]
    pub session_max_hours: i64,

    /// Hours a verification link stays valid.
    #[arg(long, env = "DEVPORTAL_VERIFY_LINK_HOURS", default_value_t = 24)]
    pub verify_link_hours: i64,

    /// Minutes a password-reset link stays valid.
    #[arg(long, env = "DEVPORTAL_RESET_LINK_MINUTES", default_value_t = 60)]
    pub reset_link_minutes: i64,

    /// Sign-in attempts allowed per minute, per account and per client address.
    #[arg(long, env = "DEVPORTAL_SIGNIN_ATTEMPTS_PER_MINUTE", default_value_t = 10)]
    pub signin_attempts_per_minute: i64,

    /// Take the client address from the last `X-Forwarded-For` entry (set this
    /// only behind a load balancer that writes that header).
    #[arg(long, env = "DEVPORTAL_TRUST_FORWARDED_FOR", default_value_t = false)]
    pub trust_forwarded_for: bool,

    /// Sandbox API requests allowed per second per application (token bucket).
    #[arg(long, env = "DEVPORTAL_SANDBOX_RATE", default_value_t = 10.0)]
    pub sandbox_rate: f64,

    /// Sandbox API requests an application may make at once above the rate.
    #[arg(long, env = "DEVPORTAL_SANDBOX_BURST", default_value_t = 20.0)]
    pub sandbox_burst: f64,

    /// Token requests allowed per second per client id (burst: four times as many).
    #[arg(long, env = "DEVPORTAL_TOKEN_RATE", default_value_t = 5.0)]
    pub token_rate: f64,

    /// Seconds an instance may answer a token check from memory before it
    /// looks again; bounds how long another instance serves a revoked token.
    #[arg(long, env = "DEVPORTAL_ACCESS_CACHE_SECONDS", default_value_t = 5)]
    pub access_cache_seconds: u64,

    /// Seconds a shutdown (SIGTERM) gives requests in flight before it closes
    /// their connections.
    #[arg(long, env = "DEVPORTAL_SHUTDOWN_SECONDS", default_value_t = 30)]
    pub shutdown_seconds: u64,

    /// Address and port of the TLS listener, which asks for client
    /// certificates (mutual TLS for production calls), or `off`.
    #[arg(long, env = "DEVPORTAL_TLS_BIND", default_value = "127.0.0.1:8443")]
    pub tls_bind: Listen,

    /// The URL TPPs reach the TLS listener at (shown in commands, documents
    /// and the OAuth metadata) [default: https://TLS_BIND].
    #[arg(long, env = "DEVPORTAL_TLS_PUBLIC_URL")]
    pub tls_public_url: Option<Url>,

    /// The TLS listener's certificate chain (PEM). With neither this nor
    /// DEVPORTAL_TLS_KEY, the first start makes a self-signed certificate for
    /// localhost in the data folder.
    #[arg(long, env = "DEVPORTAL_TLS_CERT")]
    pub tls_cert: Option<PathBuf>,

    /// The private key of DEVPORTAL_TLS_CERT (PEM).
    #[arg(long, env = "DEVPORTAL_TLS_KEY")]
    pub tls_key: Option<PathBuf>,

    /// PEM bundle of the QTSP roots and intermediates whose client
    /// certificates the TLS listener accepts (besides the portal's own test CA).
    #[arg(long, env = "DEVPORTAL_MTLS_CLIENT_CA")]
    pub mtls_client_ca: Option<PathBuf>,

    /// Behind a TLS-terminating proxy only: the request header that carries
    /// the client certificate the proxy verified, in RFC 9440 form
    /// (`client-cert: :<base64 DER>:`). Unset: no header is trusted. Set it
    /// only when the proxy removes this header from what clients send.
    #[arg(long, env = "DEVPORTAL_CLIENT_CERT_HEADER")]
    pub client_cert_header: Option<HeaderName>,

    /// Folder for what the portal makes for itself (the self-signed TLS certificate).
    #[arg(long, env = "DEVPORTAL_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,

    /// The bank's backend for the production Accounts API (a base URL the
    /// gateway forwards checked calls to). Unset: the simulated bank answers.
    #[arg(long, env = "DEVPORTAL_PRODUCTION_UPSTREAM_ACCOUNTS")]
    pub production_upstream_accounts: Option<Url>,

    /// The bank's backend for the production Payments API. Unset: the simulated bank answers.
    #[arg(long, env = "DEVPORTAL_PRODUCTION_UPSTREAM_PAYMENTS")]
    pub production_upstream_payments: Option<Url>,

    /// Seconds the gateway waits for the bank's backend before it answers 504.
    #[arg(long, env = "DEVPORTAL_PRODUCTION_UPSTREAM_TIMEOUT_SECONDS", default_value_t = 10)]
    pub production_upstream_timeout_seconds: u64,

    /// How customers identify with BankID: `simulated` (the portal's BankID
    /// simulator, labelled as one) or `off` (no customer authorization until a
    /// bank plugs its BankID in behind `bankid::BankId`).
    #[arg(long, env = "DEVPORTAL_BANKID", default_value = "simulated", value_parser = ["simulated", "off"])]
    pub bankid: String,

    /// Seconds an access token lives (client credentials and consents; a
    /// payment token lives at most 15 minutes).
    #[arg(long, env = "DEVPORTAL_ACCESS_TOKEN_SECONDS", default_value_t = 3600)]
    pub access_token_seconds: u64,

    /// Where `/metrics` (Prometheus) is served, on a listener of its own, or
    /// `off`. Keep it off the public network.
    #[arg(long, env = "DEVPORTAL_METRICS_BIND", default_value = "off")]
    pub metrics_bind: Listen,

    /// The bank's brand: a folder with `brand.toml` and the logo, favicon and
    /// legal texts it names (see the README's "Branding"). Unset: a neutral brand.
    #[arg(long, env = "DEVPORTAL_BRAND_DIR")]
    pub brand_dir: Option<PathBuf>,

    /// Show the sandbox APIs' documentation and console to visitors who are
    /// not signed in (by default they are asked to sign in; the API store's
    /// list and each API's overview are always public).
    #[arg(long, env = "DEVPORTAL_PUBLIC_DOCUMENTATION", default_value_t = false)]
    pub public_documentation: bool,

    /// `text` (one readable line per event) or `json` (one JSON object per
    /// line, for a log pipeline).
    #[arg(long, env = "DEVPORTAL_LOG_FORMAT", default_value = "text", value_parser = ["text", "json"])]
    pub log_format: String,

    /// Redis for the rate limits all instances share (`redis://HOST:PORT`).
    /// Unset: each instance keeps its own token buckets.
    #[arg(long, env = "DEVPORTAL_REDIS_URL")]
    pub redis_url: Option<String>,

    /// Log filter in tracing's syntax, e.g. `info` or `devportal=debug,info`.
    #[arg(long, env = "DEVPORTAL_LOG", default_value = "info")]
    pub log: String,
}

/// A listener's address, or `off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Listen(pub Option<SocketAddr>);

impl FromStr for Listen {
    type Err = std::net::AddrParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "off" | "" => Ok(Listen(None)),
            addr => addr.parse().map(|a| Listen(Some(a))),
        }
    }
}

/// The TLS listener and where client certificates come from.
#[derive(Debug, Clone)]
pub struct TlsConfig {
    /// None: no TLS listener.
    pub bind: Option<SocketAddr>,
    /// Where TPPs reach it, when not at its own address.
    pub public_url: Option<Url>,
    pub cert: Option<PathBuf>,
    pub key: Option<PathBuf>,
    pub client_ca: Option<PathBuf>,
    /// The RFC 9440 header a trusted proxy sets (plain listener only).
    pub client_cert_header: Option<HeaderName>,
    /// Where the self-signed server certificate is kept.
    pub data_dir: PathBuf,
}

impl TlsConfig {
    /// No TLS listener and no trusted header.
    pub fn off(data_dir: PathBuf) -> TlsConfig {
        TlsConfig {
            bind: None,
            public_url: None,
            cert: None,
            key: None,
            client_ca: None,
            client_cert_header: None,
            data_dir,
        }
    }
}

/// Where production calls go (see `production_bank`).
#[derive(Debug, Clone)]
pub struct ProductionConfig {
    pub upstream_accounts: Option<Url>,
    pub upstream_payments: Option<Url>,
    pub upstream_timeout: StdDuration,
}

impl ProductionConfig {
    /// Whether the simulated bank answers this API family's production calls.
    pub fn simulates(&self, family: &str) -> bool {
        match family {
            "accounts" => self.upstream_accounts.is_none(),
            "payments" => self.upstream_payments.is_none(),
            _ => true,
        }
    }
}

impl Default for ProductionConfig {
    /// The simulated bank for both families.
    fn default() -> Self {
        ProductionConfig {
            upstream_accounts: None,
            upstream_payments: None,
            upstream_timeout: StdDuration::from_secs(10),
        }
    }
}

/// argon2id cost. OWASP's parameters in production; tests pass cheaper ones.
#[derive(Debug, Clone, Copy)]
pub struct HashCost {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl HashCost {
    pub const OWASP: HashCost = HashCost {
        memory_kib: 19_456,
        iterations: 2,
        parallelism: 1,
    };
}

#[derive(Clone)]
pub struct MailConfig {
    pub smtp_url: Option<String>,
    /// `DEVPORTAL_DEV_MAILBOX`; see [`MailConfig::dev_mailbox_for`].
    pub dev_mailbox: Option<bool>,
    pub from: String,
    /// First retry delay; it doubles with each failed attempt up to `retry_max`.
    pub retry_base: StdDuration,
    pub retry_max: StdDuration,
    /// How often the worker looks for due mail when nobody wakes it.
    pub poll_interval: StdDuration,
    /// How long the worker waits for the mail server at each step.
    pub smtp_timeout: StdDuration,
}

#[derive(Clone)]
pub struct Config {
    pub database_url: String,
    pub bind: SocketAddr,
    pub public_url: Option<Url>,
    pub mail: MailConfig,
    pub session_idle: Duration,
    pub session_max: Duration,
    pub verify_link_ttl: Duration,
    pub reset_link_ttl: Duration,
    pub signin_attempts_per_minute: i64,
    pub trust_forwarded_for: bool,
    pub hash_cost: HashCost,
    pub gateway: GatewayConfig,
    /// What a shutdown gives requests in flight.
    pub shutdown_grace: StdDuration,
    /// Seals mail bodies in the outbox (`DEVPORTAL_SECRET_KEY`, base64).
    pub secret_key: Option<String>,
    pub tls: TlsConfig,
    pub production: ProductionConfig,
    pub ops: OpsConfig,
    pub portal: PortalConfig,
}

/// What the portal looks like and who may read what.
#[derive(Debug, Clone, Default)]
pub struct PortalConfig {
    /// The bank's brand folder (see `brand::Brand::load`); None: neutral.
    pub brand_dir: Option<PathBuf>,
    /// Documentation and console of the sandbox APIs without signing in.
    pub public_documentation: bool,
}

/// What operators run the portal with: metrics, and Redis for shared limits.
#[derive(Debug, Clone, Default)]
pub struct OpsConfig {
    /// None: no `/metrics`.
    pub metrics_bind: Option<SocketAddr>,
    pub redis_url: Option<String>,
}

#[derive(Debug, Clone, Copy)]
pub struct GatewayConfig {
    pub sandbox_rate: f64,
    pub sandbox_burst: f64,
    pub token_rate: f64,
    pub access_cache_ttl: StdDuration,
    /// An access token's lifetime.
    pub access_token_lifetime: time::Duration,
    /// The simulated BankID is on.
    pub bankid_simulated: bool,
}

impl Default for GatewayConfig {
    fn default() -> Self {
        GatewayConfig {
            sandbox_rate: 10.0,
            sandbox_burst: 20.0,
            token_rate: 5.0,
            access_cache_ttl: StdDuration::from_secs(5),
            access_token_lifetime: time::Duration::hours(1),
            bankid_simulated: true,
        }
    }
}

impl Settings {
    pub fn into_config(self) -> Config {
        Config {
            database_url: self.database_url,
            bind: self.bind,
            public_url: self.public_url,
            mail: MailConfig {
                smtp_url: self.smtp_url.filter(|s| !s.trim().is_empty()),
                dev_mailbox: self.dev_mailbox,
                from: self.mail_from,
                retry_base: StdDuration::from_secs(5),
                retry_max: StdDuration::from_secs(30 * 60),
                poll_interval: StdDuration::from_secs(5),
                smtp_timeout: StdDuration::from_secs(20),
            },
            session_idle: Duration::minutes(self.session_idle_minutes.max(1)),
            session_max: Duration::hours(self.session_max_hours.max(1)),
            verify_link_ttl: Duration::hours(self.verify_link_hours.max(1)),
            reset_link_ttl: Duration::minutes(self.reset_link_minutes.max(1)),
            signin_attempts_per_minute: self.signin_attempts_per_minute.max(1),
            trust_forwarded_for: self.trust_forwarded_for,
            hash_cost: HashCost::OWASP,
            shutdown_grace: StdDuration::from_secs(self.shutdown_seconds),
            secret_key: self.secret_key.filter(|k| !k.trim().is_empty()),
            tls: TlsConfig {
                bind: self.tls_bind.0,
                public_url: self.tls_public_url,
                cert: self.tls_cert,
                key: self.tls_key,
                client_ca: self.mtls_client_ca,
                client_cert_header: self.client_cert_header,
                data_dir: self.data_dir,
            },
            portal: PortalConfig {
                brand_dir: self.brand_dir,
                public_documentation: self.public_documentation,
            },
            ops: OpsConfig {
                metrics_bind: self.metrics_bind.0,
                redis_url: self.redis_url.filter(|u| !u.trim().is_empty()),
            },
            production: ProductionConfig {
                upstream_accounts: self.production_upstream_accounts,
                upstream_payments: self.production_upstream_payments,
                upstream_timeout: StdDuration::from_secs(self.production_upstream_timeout_seconds.max(1)),
            },
            gateway: GatewayConfig {
                sandbox_rate: self.sandbox_rate,
                sandbox_burst: self.sandbox_burst,
                token_rate: self.token_rate,
                access_cache_ttl: StdDuration::from_secs(self.access_cache_seconds),
                access_token_lifetime: time::Duration::seconds(self.access_token_seconds.clamp(60, 86_400) as i64),
                bankid_simulated: self.bankid != "off",
            },
        }
    }
}

impl MailConfig {
    /// Whether mails go to the dev mailbox (readable by anyone who reaches
    /// the portal, so only on a developer's machine or when asked for), or
    /// why the portal cannot start: without SMTP and away from this machine
    /// the reset links would be readable by everyone, or go nowhere.
    pub fn dev_mailbox_for(&self, public_url: &Url) -> anyhow::Result<bool> {
        if self.smtp_url.is_some() {
            return Ok(false);
        }
        let local = match public_url.host() {
            Some(url::Host::Domain(d)) => d == "localhost" || d.ends_with(".localhost"),
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        };
        match self.dev_mailbox {
            Some(true) => Ok(true),
            None if local => Ok(true),
            _ => anyhow::bail!(
                "no SMTP server is set (DEVPORTAL_SMTP_URL) and the portal is served at {public_url}: \
                 set DEVPORTAL_SMTP_URL, or DEVPORTAL_DEV_MAILBOX=true to show every mail at /dev/mailbox \
                 to anyone who can reach the portal"
            ),
        }
    }
}

/// Hides the password part of a URL, for logs and `Debug`.
pub fn redact_url(url: &str) -> String {
    match Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("REDACTED"));
            u.to_string()
        }
        Ok(u) => u.to_string(),
        Err(_) => "[unparsable URL]".into(),
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("database_url", &redact_url(&self.database_url))
            .field("bind", &self.bind)
            .field("public_url", &self.public_url.as_ref().map(Url::as_str))
            .field("smtp_url", &self.mail.smtp_url.as_deref().map(redact_url))
            .field("mail_from", &self.mail.from)
            .field("session_idle", &self.session_idle)
            .field("session_max", &self.session_max)
            .field("verify_link_ttl", &self.verify_link_ttl)
            .field("reset_link_ttl", &self.reset_link_ttl)
            .field("signin_attempts_per_minute", &self.signin_attempts_per_minute)
            .field("trust_forwarded_for", &self.trust_forwarded_for)
            .field("hash_cost", &self.hash_cost)
            .field("gateway", &self.gateway)
            .field("secret_key", &self.secret_key.as_ref().map(|_| "[set]"))
            .field("tls", &self.tls)
            .field("production", &self.production)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listener_is_an_address_or_off() -> Result<(), std::net::AddrParseError> {
        assert_eq!("off".parse::<Listen>()?, Listen(None));
        assert_eq!(
            "127.0.0.1:8443".parse::<Listen>()?,
            Listen(Some(SocketAddr::from(([127, 0, 0, 1], 8443))))
        );
        assert!("8443".parse::<Listen>().is_err());
        Ok(())
    }

    #[test]
    fn debug_hides_passwords_in_urls() {
        assert_eq!(
            redact_url("postgres://app:s3cret@db:5432/portal"),
            "postgres://app:REDACTED@db:5432/portal"
        );
        assert!(!redact_url("smtps://u:hunter2@mail.example.com").contains("hunter2"));
    }
}
