//! The `devportal` command: `serve` (the default) and `migrate`.

use std::sync::Arc;

use anyhow::Context;
use clap::{Parser, Subcommand};
use devportal::clock::SystemClock;
use devportal::config::{Settings, redact_url};
use devportal::startup::Application;
use devportal::storage::{Db, migrate};
use tracing_subscriber::EnvFilter;

/// Developer portal and sandbox for a bank's open-banking (PSD2) APIs.
///
/// Every option can also be set by the environment variable named with it.
#[derive(Parser)]
#[command(name = "devportal", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    settings: Settings,
}

#[derive(Subcommand)]
enum Command {
    /// Run the portal (the default): migrate, then serve HTTP.
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Bank admins.
    #[command(subcommand)]
    Admin(AdminCommand),
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create a verified admin account. The password comes from
    /// DEVPORTAL_ADMIN_PASSWORD, or is asked for.
    Create {
        #[arg(long)]
        email: String,
        /// First and last name.
        #[arg(long)]
        name: String,
    },
    /// Make an existing account an admin.
    Promote {
        #[arg(long)]
        email: String,
    },
}

/// glibc keeps a freed large block (a password hash's 19 MiB of Argon2
/// memory) in the heap once it has raised its mmap threshold past it, so
/// every sign-up left the process ~19 MiB bigger. A fixed threshold sends
/// blocks over 1 MiB back to the system when freed; two arenas bound the
/// heap's spread over threads (BENCHMARKS.md, "Memory").
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn return_large_blocks_to_the_system() {
    const M_MMAP_THRESHOLD: i32 = -3;
    const M_ARENA_MAX: i32 = -8;
    unsafe extern "C" {
        fn mallopt(param: i32, value: i32) -> i32;
    }
    // SAFETY: mallopt only changes allocator settings; any value is allowed.
    unsafe {
        mallopt(M_MMAP_THRESHOLD, 1 << 20);
        mallopt(M_ARENA_MAX, 2);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn return_large_blocks_to_the_system() {}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    return_large_blocks_to_the_system();
    let cli = Cli::parse();
    let filter = EnvFilter::try_new(&cli.settings.log).unwrap_or_else(|_| EnvFilter::new("info"));
    let json_logs = cli.settings.log_format == "json";
    if json_logs {
        // One JSON object per line, with the request's span (request id,
        // route, account id) on every event inside it.
        tracing_subscriber::fmt()
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .with_env_filter(filter)
            .init();
    } else {
        tracing_subscriber::fmt().with_env_filter(filter).init();
    }
    let config = cli.settings.into_config();
    match cli.command.unwrap_or(Command::Serve) {
        Command::Migrate => {
            let db = Db::connect(&config.database_url).await?;
            migrate::run(&db).await.context("applying migrations")?;
            println!("Migrations applied to {}.", redact_url(&config.database_url));
            Ok(())
        }
        Command::Admin(cmd) => {
            let svc = devportal::startup::offline_services(config).await?;
            match cmd {
                AdminCommand::Create { email, name } => {
                    let password = match std::env::var("DEVPORTAL_ADMIN_PASSWORD") {
                        Ok(p) if !p.is_empty() => p,
                        _ => rpassword::prompt_password(format!("Password for {email} (12 to 128 characters): "))
                            .context("reading the password")?,
                    };
                    devportal::services::admin::create(&svc, &email, &name, &password).await?;
                    println!("Admin {email} created. Sign in at {}signin", svc.base_url);
                }
                AdminCommand::Promote { email } => {
                    devportal::services::admin::promote(&svc, &email).await?;
                    println!("{email} is an admin now.");
                }
            }
            Ok(())
        }
        Command::Serve => {
            // Not the whole configuration: it holds secrets (the sealing key,
            // credentials in the SMTP and Redis URLs).
            tracing::info!(
                database = %redact_url(&config.database_url),
                bind = %config.bind,
                tls = ?config.tls.bind,
                metrics = ?config.ops.metrics_bind,
                redis = config.ops.redis_url.is_some(),
                bankid_simulated = config.gateway.bankid_simulated,
                "starting"
            );
            let app = Application::build(config, Arc::new(SystemClock)).await?;
            let mailbox = app.services.dev_mailbox;
            if json_logs {
                // Every line of stdout is a JSON object for the log pipeline.
                tracing::info!(url = %app.url(), tls = ?app.tls_addr(), dev_mailbox = mailbox, "devportal is running");
                return app.run().await;
            }
            println!("Devportal is running. Open {} in your browser.", app.url());
            if let Some(tls) = app.tls_addr() {
                println!("Mutual TLS (production calls, test certificates): https://{tls}");
            }
            if mailbox {
                println!(
                    "No SMTP server is set (DEVPORTAL_SMTP_URL): mails are kept at {}dev/mailbox",
                    app.url()
                );
            }
            app.run().await
        }
    }
}
