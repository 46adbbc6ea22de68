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

/// mimalloc, not glibc's malloc: with glibc the tokio workers waited on
/// its arena locks (a tenth of the samples under load), and its heaps kept
/// each sign-up's 19 MiB of Argon2 memory unless told otherwise. mimalloc
/// keeps a heap per thread (BENCHMARKS.md, "The allocator").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `purge_delay`, by its place in `mi_option_t` (the crate does
/// not name it; the test below checks the number by its default).
const MI_OPTION_PURGE_DELAY: i32 = 15;

unsafe extern "C" {
    fn mi_option_set(option: i32, value: std::ffi::c_long);
    #[cfg_attr(not(test), allow(dead_code))]
    fn mi_option_get(option: i32) -> std::ffi::c_long;
}

/// mimalloc 3 keeps freed memory for a second before it gives it back:
/// a sign-up's Argon2 block then stayed long enough to lift the peak to
/// 65 MiB for a load that needs 45. Freed memory now goes back at once
/// (a 10 ms delay still peaked at 63 MiB). Transparent huge pages are off
/// for the same reason (`no_thp` in Cargo.toml): a huge page touched by a
/// few bytes counts whole.
fn give_freed_memory_back_at_once() {
    // SAFETY: called before the runtime starts any thread (the setter is
    // not thread safe); an option only tunes the allocator.
    unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, 0) };
}

fn main() -> anyhow::Result<()> {
    give_freed_memory_back_at_once();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the runtime")?
        .block_on(run())
}

async fn run() -> anyhow::Result<()> {
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

#[cfg(test)]
mod tests {
    #[test]
    fn the_purge_delay_option_is_the_one_set() {
        // Tests do not run main(), so the option has mimalloc 3's default
        // purge delay, 1000 ms: another number means the option's place
        // changed with a new libmimalloc-sys.
        // SAFETY: reads an option; no test changes allocator options.
        let delay = unsafe { super::mi_option_get(super::MI_OPTION_PURGE_DELAY) };
        assert_eq!(
            delay,
            1000,
            "option {} is not purge_delay",
            super::MI_OPTION_PURGE_DELAY
        );
    }
}
