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
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_new(&cli.settings.log).unwrap_or_else(|_| EnvFilter::new("info")))
        .init();
    let config = cli.settings.into_config();
    match cli.command.unwrap_or(Command::Serve) {
        Command::Migrate => {
            let db = Db::connect(&config.database_url).await?;
            migrate::run(&db).await.context("applying migrations")?;
            println!("Migrations applied to {}.", redact_url(&config.database_url));
            Ok(())
        }
        Command::Serve => {
            tracing::info!(?config, "starting");
            let mailbox = config.mail.smtp_url.is_none();
            let app = Application::build(config, Arc::new(SystemClock)).await?;
            println!("Devportal is running. Open {} in your browser.", app.url());
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
