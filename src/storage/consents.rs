//! The `consents` table. The access (what may be read) is kept as JSON in
//! the Berlin Group shape.

use serde_json::{Value, json};
use time::{Date, OffsetDateTime};

use super::row::Load;
use super::{Error, Exec, Result, Row, sql};
use crate::domain::catalogue::Environment;
use crate::domain::consent::{Access, Consent, Status};

const COLUMNS: &str = "id, application_id, environment, status, access, recurring, valid_until, frequency_per_day, \
                       ssn, created_at, updated_at, chosen_accounts, last_used_at";

fn corrupt(column: &str, value: impl ToString) -> Error {
    Error::Corrupt {
        column: column.into(),
        value: value.to_string(),
    }
}

/// The access as stored (and as the API shows it).
pub fn access_json(a: &Access) -> Value {
    let refs = |list: &Vec<String>| list.iter().map(|b| json!({"bban": b})).collect::<Vec<_>>();
    match a {
        Access::Accounts {
            accounts,
            balances,
            transactions,
        } => json!({"accounts": refs(accounts), "balances": refs(balances), "transactions": refs(transactions)}),
        Access::AvailableAccounts { with_balances: true } => json!({"availableAccounts": "allAccountsWithBalances"}),
        Access::AvailableAccounts { with_balances: false } => json!({"availableAccounts": "allAccounts"}),
        Access::AllPsd2 => json!({"allPsd2": "allAccounts"}),
    }
}

pub fn access_from(v: &Value) -> Option<Access> {
    let list = |name: &str| -> Vec<String> {
        v[name]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| r["bban"].as_str().map(str::to_string))
            .collect()
    };
    if v["allPsd2"].is_string() {
        return Some(Access::AllPsd2);
    }
    if let Some(a) = v["availableAccounts"].as_str() {
        return Some(Access::AvailableAccounts {
            with_balances: a == "allAccountsWithBalances",
        });
    }
    v.is_object().then(|| Access::Accounts {
        accounts: list("accounts"),
        balances: list("balances"),
        transactions: list("transactions"),
    })
}

impl Load for Consent {
    fn load(r: &Row) -> Result<Self> {
        let status: String = r.get("status")?;
        let access: String = r.get("access")?;
        let valid_until: String = r.get("valid_until")?;
        let environment: String = r.get("environment")?;
        let frequency: i64 = r.get("frequency_per_day")?;
        let f = time::macros::format_description!("[year]-[month]-[day]");
        Ok(Consent {
            id: r.get("id")?,
            application_id: r.get("application_id")?,
            environment: Environment::parse(&environment).ok_or_else(|| corrupt("environment", &environment))?,
            status: Status::parse(&status).ok_or_else(|| corrupt("status", &status))?,
            access: serde_json::from_str(&access)
                .ok()
                .and_then(|v| access_from(&v))
                .ok_or_else(|| corrupt("access", &access))?,
            recurring: r.get("recurring")?,
            valid_until: Date::parse(&valid_until, &f).map_err(|_| corrupt("valid_until", &valid_until))?,
            frequency_per_day: u8::try_from(frequency).map_err(|_| corrupt("frequency_per_day", frequency))?,
            ssn: r.get("ssn")?,
            chosen_accounts: {
                let chosen: Option<String> = r.get("chosen_accounts")?;
                match chosen {
                    Some(c) => Some(serde_json::from_str(&c).map_err(|_| corrupt("chosen_accounts", &c))?),
                    None => None,
                }
            },
            last_used_at: r.get("last_used_at")?,
            created_at: r.get("created_at")?,
            updated_at: r.get("updated_at")?,
        })
    }
}

pub async fn insert(ex: Exec<'_>, c: &Consent) -> Result<()> {
    let chosen = c.chosen_accounts.as_ref().map(|a| json!(a).to_string());
    sql(format!(
        "INSERT INTO consents ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
    ))
    .bind(&c.id)
    .bind(&c.application_id)
    .bind(c.environment.as_str())
    .bind(c.status.as_str())
    .bind(access_json(&c.access).to_string())
    .bind(c.recurring)
    .bind(c.valid_until.to_string())
    .bind(i64::from(c.frequency_per_day))
    .bind(c.ssn.as_deref())
    .bind(c.created_at)
    .bind(c.updated_at)
    .bind(chosen.as_deref())
    .bind(c.last_used_at)
    .execute(ex)
    .await?;
    Ok(())
}

/// The application's consent with this id.
pub async fn find(ex: Exec<'_>, application_id: &str, id: &str) -> Result<Option<Consent>> {
    sql(format!(
        "SELECT {COLUMNS} FROM consents WHERE id = $1 AND application_id = $2"
    ))
    .bind(id)
    .bind(application_id)
    .optional(ex)
    .await
}

/// Moves a consent from one status to another; false when it no longer had `from`.
pub async fn set_status(ex: Exec<'_>, id: &str, from: Status, to: Status, now: OffsetDateTime) -> Result<bool> {
    sql("UPDATE consents SET status = $3, updated_at = $4 WHERE id = $1 AND status = $2")
        .bind(id)
        .bind(from.as_str())
        .bind(to.as_str())
        .bind(now)
        .execute_one(ex)
        .await
}

/// A consent by id, whichever application it is (the bank's pages find it
/// from the authorization request, which names the application).
pub async fn by_id(ex: Exec<'_>, id: &str) -> Result<Option<Consent>> {
    sql(format!("SELECT {COLUMNS} FROM consents WHERE id = $1"))
        .bind(id)
        .optional(ex)
        .await
}

/// The customer authorised it: valid, theirs, with the accounts they picked.
pub async fn authorise(
    ex: Exec<'_>,
    id: &str,
    ssn: &str,
    chosen: Option<&[String]>,
    now: OffsetDateTime,
) -> Result<bool> {
    let chosen = chosen.map(|a| json!(a).to_string());
    sql(
        "UPDATE consents SET status = 'valid', ssn = $2, chosen_accounts = $3, updated_at = $4 \
         WHERE id = $1 AND status = 'received'",
    )
    .bind(id)
    .bind(ssn)
    .bind(chosen.as_deref())
    .bind(now)
    .execute_one(ex)
    .await
}

/// The customer's consents (both environments), newest first.
pub async fn for_customer(ex: Exec<'_>, ssn: &str) -> Result<Vec<Consent>> {
    sql(format!(
        "SELECT {COLUMNS} FROM consents WHERE ssn = $1 ORDER BY created_at DESC"
    ))
    .bind(ssn)
    .all(ex)
    .await
}

/// The application's consents, newest first.
pub async fn for_application(ex: Exec<'_>, application_id: &str) -> Result<Vec<Consent>> {
    sql(format!(
        "SELECT {COLUMNS} FROM consents WHERE application_id = $1 ORDER BY created_at DESC LIMIT 100"
    ))
    .bind(application_id)
    .all(ex)
    .await
}

/// Notes a read with the consent (at most once a minute, to spare writes).
pub async fn touch(ex: Exec<'_>, id: &str, now: OffsetDateTime) -> Result<()> {
    sql("UPDATE consents SET last_used_at = $2 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $3)")
        .bind(id)
        .bind(now)
        .bind(now - time::Duration::minutes(1))
        .execute(ex)
        .await?;
    Ok(())
}
