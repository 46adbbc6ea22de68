//! The simulated BankID's orders (`bankid_orders`).

use time::OffsetDateTime;

use super::{Exec, Result, load, sql};

#[derive(Debug, Clone)]
pub struct StoredOrder {
    pub order_ref: String,
    pub auto_start_token: String,
    pub qr_start_token: String,
    pub qr_start_secret: String,
    pub required_pnr: Option<String>,
    pub user_visible_data: String,
    /// waiting, started, approved, cancelled
    pub progress: String,
    pub personal_number: Option<String>,
    pub started_at: OffsetDateTime,
}

load!(StoredOrder {
    order_ref,
    auto_start_token,
    qr_start_token,
    qr_start_secret,
    required_pnr,
    user_visible_data,
    progress,
    personal_number,
    started_at
} as COLUMNS);

pub async fn insert(ex: Exec<'_>, o: &StoredOrder) -> Result<()> {
    sql(format!(
        "INSERT INTO bankid_orders ({COLUMNS}, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)"
    ))
    .bind(&o.order_ref)
    .bind(&o.auto_start_token)
    .bind(&o.qr_start_token)
    .bind(&o.qr_start_secret)
    .bind(o.required_pnr.as_deref())
    .bind(&o.user_visible_data)
    .bind(&o.progress)
    .bind(o.personal_number.as_deref())
    .bind(o.started_at)
    .execute(ex)
    .await?;
    Ok(())
}

/// By `orderRef`, `qrStartToken` or `autoStartToken` (`column` names which).
pub async fn find(ex: Exec<'_>, column: &str, value: &str) -> Result<Option<StoredOrder>> {
    let column = match column {
        "qr_start_token" => "qr_start_token",
        "auto_start_token" => "auto_start_token",
        _ => "order_ref",
    };
    sql(format!("SELECT {COLUMNS} FROM bankid_orders WHERE {column} = $1"))
        .bind(value)
        .optional(ex)
        .await
}

/// Orders still open, started after `since`, newest first.
pub async fn open(ex: Exec<'_>, since: OffsetDateTime) -> Result<Vec<StoredOrder>> {
    sql(format!(
        "SELECT {COLUMNS} FROM bankid_orders WHERE progress IN ('waiting', 'started') AND started_at > $1 \
         ORDER BY started_at DESC LIMIT 50"
    ))
    .bind(since)
    .all(ex)
    .await
}

/// Moves an order on from one of `from`; false when it was no longer there.
pub async fn advance(
    ex: Exec<'_>,
    order_ref: &str,
    from: &[&str],
    to: &str,
    personal_number: Option<&str>,
    now: OffsetDateTime,
) -> Result<bool> {
    let from = from.iter().map(|s| format!("'{s}'")).collect::<Vec<_>>().join(", ");
    sql(format!(
        "UPDATE bankid_orders SET progress = $2, personal_number = COALESCE($3, personal_number), updated_at = $4 \
         WHERE order_ref = $1 AND progress IN ({from})"
    ))
    .bind(order_ref)
    .bind(to)
    .bind(personal_number)
    .bind(now)
    .execute_one(ex)
    .await
}
