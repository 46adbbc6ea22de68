//! Payments and signing baskets made in the sandbox, per application and customer.

use time::OffsetDateTime;

use super::{Exec, Result, on_backend, unix};

#[derive(Debug, Clone, sqlx::FromRow)]
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

const COLUMNS: &str = "id, application_id, ssn, service, product, status, debtor_account, creditor_account, \
                       internal, amount, currency, request, created_at";

pub async fn insert_payment(ex: Exec<'_>, p: &StoredPayment, now: OffsetDateTime) -> Result<()> {
    let sql = format!(
        "INSERT INTO sandbox_payments ({COLUMNS}, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)"
    );
    on_backend!(ex, |c| {
        sqlx::query(&sql)
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
            .bind(unix(now))
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
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
    let sql = format!(
        "SELECT {COLUMNS} FROM sandbox_payments WHERE id = $1 AND application_id = $2 AND ssn = $3 AND service = $4 AND product = $5"
    );
    on_backend!(ex, |c| {
        sqlx::query_as(&sql)
            .bind(id)
            .bind(application_id)
            .bind(ssn)
            .bind(service)
            .bind(product)
            .fetch_optional(c)
            .await
    })
}

pub async fn set_status(ex: Exec<'_>, id: &str, status: &str, now: OffsetDateTime) -> Result<()> {
    let sql = "UPDATE sandbox_payments SET status = $2, updated_at = $3 WHERE id = $1";
    on_backend!(ex, |c| sqlx::query(sql)
        .bind(id)
        .bind(status)
        .bind(unix(now))
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Settled internal transfers, which move money between the customer's accounts.
pub async fn settled_internal(ex: Exec<'_>, application_id: &str, ssn: &str) -> Result<Vec<StoredPayment>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM sandbox_payments WHERE application_id = $1 AND ssn = $2 AND internal = TRUE \
         AND status = 'ACSC' ORDER BY created_at, id"
    );
    on_backend!(ex, |c| sqlx::query_as(&sql)
        .bind(application_id)
        .bind(ssn)
        .fetch_all(c)
        .await)
}

/// How many of `ids` are payments of this application and customer.
pub async fn count_owned(ex: Exec<'_>, application_id: &str, ssn: &str, ids: &[String]) -> Result<i64> {
    let mut n = 0;
    let mut ex = ex;
    for id in ids {
        let sql = "SELECT COUNT(*) FROM sandbox_payments WHERE id = $1 AND application_id = $2 AND ssn = $3";
        let c: i64 = on_backend!(ex.reborrow(), |c| sqlx::query_scalar(sql)
            .bind(id)
            .bind(application_id)
            .bind(ssn)
            .fetch_one(c)
            .await)?;
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
    let sql = "INSERT INTO sandbox_baskets (id, application_id, ssn, payment_ids, status, created_at, updated_at) \
               VALUES ($1, $2, $3, $4, 'RCVD', $5, $5)";
    on_backend!(ex, |c| {
        sqlx::query(sql)
            .bind(id)
            .bind(application_id)
            .bind(ssn)
            .bind(payment_ids)
            .bind(unix(now))
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// (payment ids as JSON, status) of a basket of this application and customer.
pub async fn find_basket(ex: Exec<'_>, application_id: &str, ssn: &str, id: &str) -> Result<Option<(String, String)>> {
    let sql = "SELECT payment_ids, status FROM sandbox_baskets WHERE id = $1 AND application_id = $2 AND ssn = $3";
    on_backend!(ex, |c| sqlx::query_as(sql)
        .bind(id)
        .bind(application_id)
        .bind(ssn)
        .fetch_optional(c)
        .await)
}

pub async fn update_basket(ex: Exec<'_>, id: &str, payment_ids: &str, now: OffsetDateTime) -> Result<()> {
    let sql = "UPDATE sandbox_baskets SET payment_ids = $2, updated_at = $3 WHERE id = $1";
    on_backend!(ex, |c| sqlx::query(sql)
        .bind(id)
        .bind(payment_ids)
        .bind(unix(now))
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Returns an application's sandbox to the documented state.
pub async fn reset(ex: Exec<'_>, application_id: &str) -> Result<u64> {
    let mut ex = ex;
    let a = on_backend!(ex.reborrow(), |c| sqlx::query(
        "DELETE FROM sandbox_baskets WHERE application_id = $1"
    )
    .bind(application_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    let b = on_backend!(ex, |c| sqlx::query(
        "DELETE FROM sandbox_payments WHERE application_id = $1"
    )
    .bind(application_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(a + b)
}
