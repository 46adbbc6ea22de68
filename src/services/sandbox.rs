//! The dynamic sandbox: customers as one application sees them (with the
//! internal transfers it settled), payments it makes, and resetting it all.

use std::sync::Arc;

use time::{Date, OffsetDateTime};

use super::applications::Owned;
use super::rate_limits::{self, RetryAfter};
use super::{ServiceError, Services};
use crate::domain::sandbox::customers::customer_for_ssn;
use crate::domain::sandbox::{Customer, Money, Transaction, TransactionStatus};
use crate::storage::sandbox;

/// The customer behind `ssn`, with this application's settled internal
/// transfers applied to balances and history; from memory unless the
/// application changed its sandbox since (see [`super::sandbox_state`]).
pub async fn customer_for(svc: &Services, application_id: &str, ssn: &str) -> anyhow::Result<Arc<Customer>> {
    let today = svc.now().date();
    let generation = match svc.sandbox_state.get(application_id, ssn, today) {
        Ok(c) => return Ok(c),
        Err(generation) => generation,
    };
    let c = Arc::new(build(svc, application_id, ssn, today).await?);
    svc.sandbox_state.put(application_id, ssn, today, generation, c.clone());
    Ok(c)
}

async fn build(svc: &Services, application_id: &str, ssn: &str, today: Date) -> anyhow::Result<Customer> {
    let mut c = customer_for_ssn(ssn, today).map_err(|m| anyhow::anyhow!("stored personnummer {ssn}: {m}"))?;
    if c.refusal.is_some() {
        return Ok(c);
    }
    let transfers = {
        let mut conn = svc.db.conn().await?;
        sandbox::settled_internal(conn.exec(), application_id, ssn).await?
    };
    for t in transfers {
        let date = OffsetDateTime::from_unix_timestamp(t.created_at)
            .map(|d| d.date())
            .unwrap_or(today);
        let legs = [
            (t.debtor_account.as_str(), -t.amount),
            (t.creditor_account.as_deref().unwrap_or(""), t.amount),
        ];
        for (account, amount) in legs {
            if let Some(a) = c.account_mut(account) {
                a.booked = Money(a.booked.0 + amount);
                a.transactions.insert(
                    0,
                    Transaction {
                        id: format!("{}-{}", t.id, if amount < 0 { "out" } else { "in" }),
                        booking_date: date,
                        amount: Money(amount),
                        currency: "SEK",
                        status: TransactionStatus::Booked,
                        kind: "Internal transfer",
                        description: "Överföring mellan egna konton".into(),
                    },
                );
            }
        }
    }
    Ok(c)
}

/// Announces, in the transaction that changes an application's sandbox
/// payments, that its customers must be built again (every instance);
/// [`forget`] does it here after the commit.
pub async fn changed(ex: crate::storage::Exec<'_>, application_id: &str) -> crate::storage::Result<()> {
    super::access::announce(ex, super::access::Change::Sandbox(application_id)).await
}

/// After the commit of a change to the application's sandbox payments.
pub fn forget(svc: &Services, application_id: &str) {
    svc.sandbox_state.evict_application(application_id);
}

/// Whose sandbox a call acts in: the access token's application and customer.
#[derive(Debug, Clone, Copy)]
pub struct Party<'a> {
    pub application_id: &'a str,
    /// Empty for a client token: no customer yet.
    pub ssn: &'a str,
}

impl Party<'_> {
    /// Whether a customer is known (a client token acts before one is).
    pub fn has_customer(&self) -> bool {
        !self.ssn.is_empty()
    }
}

/// PSD2: without the customer present (no `PSU-IP-Address`), an account may
/// be read four times a day per application and customer; with the customer
/// present, without limit.
pub async fn account_read(
    svc: &Services,
    party: Party<'_>,
    account: &str,
    customer_present: bool,
) -> anyhow::Result<Result<(), RetryAfter>> {
    if customer_present {
        return Ok(Ok(()));
    }
    let bucket = format!("psd2-unattended:{}:{}:{account}", party.application_id, party.ssn);
    rate_limits::hit(svc, &bucket, UNATTENDED_READS_PER_DAY, 86_400).await
}

/// A consent's `frequencyPerDay`: unattended reads of an account a day
/// with this consent; with the customer present, without limit.
pub async fn consent_read(
    svc: &Services,
    consent: &crate::domain::consent::Consent,
    account: &str,
    customer_present: bool,
) -> anyhow::Result<Result<(), RetryAfter>> {
    if customer_present {
        return Ok(Ok(()));
    }
    let bucket = format!("consent-unattended:{}:{account}", consent.id);
    rate_limits::hit(svc, &bucket, i64::from(consent.frequency_per_day), 86_400).await
}

/// How often PSD2 lets an application read an account without the customer present.
pub const UNATTENDED_READS_PER_DAY: i64 = 4;

/// Deletes the application's sandbox payments and baskets: its customers are
/// back to the documented state.
pub async fn reset(svc: &Services, app: &Owned) -> Result<u64, ServiceError> {
    let dev = app.owner();
    let mut tx = svc.db.begin().await?;
    let n = sandbox::reset(tx.exec(), &app.id).await?;
    changed(tx.exec(), &app.id).await?;
    tx.commit().await?;
    forget(svc, &app.id);
    tracing::info!(user_id = dev.id, application_id = %app.id, removed = n, "sandbox reset");
    Ok(n)
}
