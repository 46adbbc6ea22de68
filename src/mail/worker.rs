//! Delivers the outbox. Each mail is leased before sending so that several
//! instances never send the same one; a failure schedules a retry with
//! exponential backoff, so an SMTP outage delays mail and loses none.

use std::time::Duration;

use anyhow::Context;
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::{MailConfig, redact_url};
use crate::domain::mail::StoredMail;
use crate::services::{Services, outbox};

enum Transport {
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        from: Mailbox,
    },
    /// No SMTP server configured: mail is marked delivered and read at /dev/mailbox.
    DevMailbox,
}

pub struct Worker {
    svc: Services,
    config: MailConfig,
    transport: Transport,
}

impl Worker {
    pub fn new(svc: Services) -> anyhow::Result<Worker> {
        let config = svc.config.mail.clone();
        let transport = match &config.smtp_url {
            Some(url) => {
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .with_context(|| format!("reading DEVPORTAL_SMTP_URL {}", redact_url(url)))?
                    .timeout(Some(config.smtp_timeout))
                    .build();
                let from = config
                    .from
                    .parse()
                    .with_context(|| format!("reading DEVPORTAL_MAIL_FROM {:?}", config.from))?;
                Transport::Smtp { transport, from }
            }
            None => Transport::DevMailbox,
        };
        Ok(Worker { svc, config, transport })
    }

    /// Runs until `stop` says so; a mail being sent is finished and marked
    /// first, so a shutdown never leaves a sent mail to be sent again.
    pub async fn run(self, mut stop: tokio::sync::watch::Receiver<bool>) {
        while !*stop.borrow() {
            match self.deliver_next().await {
                Ok(true) => continue,
                Ok(false) => {}
                Err(e) => tracing::error!(error = %format!("{e:#}"), "mail worker"),
            }
            tokio::select! {
                _ = self.svc.mail.woken() => {}
                _ = tokio::time::sleep(self.config.poll_interval) => {}
                _ = stop.changed() => {}
            }
        }
    }

    /// Delivers one due mail; false when none is due.
    async fn deliver_next(&self) -> anyhow::Result<bool> {
        let Some(mail) = outbox::claim_due(&self.svc).await? else {
            return Ok(false);
        };
        match self.send(&mail).await {
            Ok(via) => {
                outbox::delivered(&self.svc, mail.id, via).await?;
                tracing::info!(mail_id = mail.id, via, "mail delivered");
            }
            Err(Failure::Permanent(e)) if mail.attempts >= outbox::PERMANENT_TRIES => {
                self.svc.metrics.mail_failures.inc();
                let error = format!("{e:#}");
                tracing::error!(mail_id = mail.id, attempts = mail.attempts, %error, "mail refused for good; given up");
                outbox::give_up(&self.svc, mail.id, &error).await?;
            }
            Err(Failure::Permanent(e) | Failure::Transient(e)) => {
                self.svc.metrics.mail_failures.inc();
                let delay = backoff(&self.config, mail.attempts);
                let error = format!("{e:#}");
                tracing::warn!(mail_id = mail.id, attempts = mail.attempts, retry_in_s = delay.as_secs_f64(), %error, "mail not delivered; will retry");
                outbox::retry_later(&self.svc, mail.id, &error, delay).await?;
            }
        }
        Ok(true)
    }

    async fn send(&self, mail: &StoredMail) -> Result<&'static str, Failure> {
        match &self.transport {
            Transport::DevMailbox => Ok("dev-mailbox"),
            Transport::Smtp { transport, from } => {
                let to: Mailbox = mail
                    .recipient
                    .parse()
                    .context("recipient address")
                    .map_err(Failure::Permanent)?;
                // A stable Message-ID from the outbox row: if a crash makes
                // the worker send a mail twice, receivers can tell.
                let domain = from.email.domain().to_string();
                let message = Message::builder()
                    .message_id(Some(format!("<outbox-{}@{domain}>", mail.id)))
                    .from(from.clone())
                    .to(to)
                    .subject(&mail.subject)
                    .multipart(MultiPart::alternative_plain_html(
                        mail.body_text.clone(),
                        mail.body_html.clone(),
                    ))
                    .context("building the message")
                    .map_err(Failure::Permanent)?;
                // The whole exchange is bounded: a server that stops answering
                // must not hold the worker (lettre bounds only some steps).
                let sent = tokio::time::timeout(self.config.smtp_timeout, transport.send(message))
                    .await
                    .map_err(|_| Failure::Transient(anyhow::anyhow!("SMTP: no answer in time")))?;
                match sent {
                    Ok(_) => Ok("smtp"),
                    // A 5xx answer: the server will not take this mail.
                    Err(e) if e.is_permanent() => Err(Failure::Permanent(anyhow::Error::new(e).context("SMTP"))),
                    Err(e) => Err(Failure::Transient(anyhow::Error::new(e).context("SMTP"))),
                }
            }
        }
    }
}

/// Why a mail did not go out.
enum Failure {
    /// Worth trying again later (the server is down, a 4xx answer).
    Transient(anyhow::Error),
    /// The server refused the mail itself (a 5xx answer, a bad address).
    Permanent(anyhow::Error),
}

/// retry_base × 2^(attempts−1), at most retry_max.
fn backoff(config: &MailConfig, attempts: i64) -> Duration {
    let exp = attempts.clamp(1, 20) as u32 - 1;
    config
        .retry_base
        .saturating_mul(2u32.saturating_pow(exp))
        .min(config.retry_max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let c = MailConfig {
            smtp_url: None,
            dev_mailbox: None,
            from: String::new(),
            retry_base: Duration::from_secs(5),
            retry_max: Duration::from_secs(60),
            poll_interval: Duration::from_secs(1),
            smtp_timeout: Duration::from_secs(20),
        };
        let delays: Vec<u64> = (1..=6).map(|a| backoff(&c, a).as_secs()).collect();
        assert_eq!(delays, vec![5, 10, 20, 40, 60, 60]);
    }
}
