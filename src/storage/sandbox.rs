//! Payments and signing baskets made in the sandbox, per application and customer.

use time::OffsetDateTime;

use super::{Exec, Result, load, sql};

#[derive(Debug, Clone)]
pub struct StoredPayment {
    pub id: String,
    pub application_id: String,
    pub ssn: String,
    pub service: String,
    pub product: String,
    pub status: String,
    pub debtor_account: String,
    pub creditor_account: Option<String>,
    pub internal: bool,
    pub amount: i64,
    pub currency: String,
    pub request: String,
    pub created_at: i64,
}

load!(StoredPayment {
    id,
    application_id,
    ssn,
    service,
    product,
    status,
    debtor_account,
    creditor_account,
    internal,
    amount,
    currency,
    request,
    created_at
} as COLUMNS);

pub async fn insert_payment(ex: Exec<'_>, p: &StoredPayment, now: OffsetDateTime) -> Result<()> {
    sql(format!(
        "INSERT INTO sandbox_payments ({COLUMNS}, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)"
    ))
    .bind(&p.id)
    .bind(&p.application_id)
    .bind(&p.ssn)
    .bind(&p.service)
    .bind(&p.product)
    .bind(&p.status)
    .bind(&p.debtor_account)
    .bind(&p.creditor_account)
    .bind(p.internal)
    .bind(p.amount)
    .bind(&p.currency)
    .bind(&p.request)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

/// A payment of this application and customer, in this service and product.
pub async fn find_payment(
    ex: Exec<'_>,
    application_id: &str,
    ssn: &str,
    service: &str,
    product: &str,
    id: &str,
) -> Result<Option<StoredPayment>> {
    sql(format!(
        "SELECT {COLUMNS} FROM sandbox_payments WHERE id = $1 AND application_id = $2 AND ssn = $3 AND service = $4 AND product = $5"
    ))
    .bind(id)
    .bind(application_id)
    .bind(ssn)
    .bind(service)
    .bind(product)
    .optional(ex)
    .await
}

/// A payment of the application initiated with a client token, before a
/// customer authorised it.
pub async fn waiting_payment(ex: Exec<'_>, application_id: &str, id: &str) -> Result<Option<StoredPayment>> {
    sql(format!(
        "SELECT {COLUMNS} FROM sandbox_payments WHERE id = $1 AND application_id = $2 AND ssn = ''"
    ))
    .bind(id)
    .bind(application_id)
    .optional(ex)
    .await
}

/// The customer authorised a waiting payment: it is theirs, with its new status.
pub async fn authorise(
    ex: Exec<'_>,
    id: &str,
    ssn: &str,
    status: &str,
    internal: bool,
    now: OffsetDateTime,
) -> Result<bool> {
    sql(
        "UPDATE sandbox_payments SET ssn = $2, status = $3, internal = $4, updated_at = $5 \
         WHERE id = $1 AND ssn = '' AND status = 'RCVD'",
    )
    .bind(id)
    .bind(ssn)
    .bind(status)
    .bind(internal)
    .bind(now)
    .execute_one(ex)
    .await
}

/// Moves a payment from one status to another; false when it no longer has
/// the `from` status (a concurrent change won).
pub async fn set_status(ex: Exec<'_>, id: &str, from: &str, to: &str, now: OffsetDateTime) -> Result<bool> {
    sql("UPDATE sandbox_payments SET status = $3, updated_at = $4 WHERE id = $1 AND status = $2")
        .bind(id)
        .bind(from)
        .bind(to)
        .bind(now)
        .execute_one(ex)
        .await
}

/// Settled internal transfers, which move money between the customer's accounts.
pub async fn settled_internal(ex: Exec<'_>, application_id: &str, ssn: &str) -> Result<Vec<StoredPayment>> {
    sql(format!(
        "SELECT {COLUMNS} FROM sandbox_payments WHERE application_id = $1 AND ssn = $2 AND internal = TRUE \
         AND status = 'ACSC' ORDER BY created_at, id"
    ))
    .bind(application_id)
    .bind(ssn)
    .all(ex)
    .await
}

/// How many of `ids` are payments of this application and customer.
pub async fn count_owned(mut ex: Exec<'_>, application_id: &str, ssn: &str, ids: &[String]) -> Result<i64> {
    let mut n = 0;
    for id in ids {
        let c: i64 = sql("SELECT COUNT(*) FROM sandbox_payments WHERE id = $1 AND application_id = $2 AND ssn = $3")
            .bind(id)
            .bind(application_id)
            .bind(ssn)
            .scalar(ex.reborrow())
            .await?;
        n += c;
    }
    Ok(n)
}

pub async fn insert_basket(
    ex: Exec<'_>,
    id: &str,
    application_id: &str,
    ssn: &str,
    payment_ids: &str,
    now: OffsetDateTime,
) -> Result<()> {
    sql(
        "INSERT INTO sandbox_baskets (id, application_id, ssn, payment_ids, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, 'RCVD', $5, $5)",
    )
    .bind(id)
    .bind(application_id)
    .bind(ssn)
    .bind(payment_ids)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

/// (payment ids as JSON, status) of a basket of this application and customer.
pub async fn find_basket(ex: Exec<'_>, application_id: &str, ssn: &str, id: &str) -> Result<Option<(String, String)>> {
    sql("SELECT payment_ids, status FROM sandbox_baskets WHERE id = $1 AND application_id = $2 AND ssn = $3")
        .bind(id)
        .bind(application_id)
        .bind(ssn)
        .optional(ex)
        .await
}

pub async fn update_basket(ex: Exec<'_>, id: &str, payment_ids: &str, now: OffsetDateTime) -> Result<()> {
    sql("UPDATE sandbox_baskets SET payment_ids = $2, updated_at = $3 WHERE id = $1")
        .bind(id)
        .bind(payment_ids)
        .bind(now)
        .execute(ex)
        .await?;
    Ok(())
}

/// Returns an application's sandbox to the documented state.
pub async fn reset(mut ex: Exec<'_>, application_id: &str) -> Result<u64> {
    let a = sql("DELETE FROM sandbox_baskets WHERE application_id = $1")
        .bind(application_id)
        .execute(ex.reborrow())
        .await?;
    let b = sql("DELETE FROM sandbox_payments WHERE application_id = $1")
        .bind(application_id)
        .execute(ex)
        .await?;
    Ok(a + b)
}
