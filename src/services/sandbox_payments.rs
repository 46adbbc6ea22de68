//! Payments, standing orders and signing baskets in the sandbox, per
//! application and customer. The gateway reads the request and maps the
//! answer; the decisions (who may, which status, what may be cancelled) are
//! made here, each read-then-write in one transaction.

use time::Date;

use super::{Services, sandbox};
use crate::domain::sandbox::Customer;
use crate::domain::sandbox::payments::{self, PaymentOrder, PaymentService, Product, Refused, Status};
pub use crate::services::sandbox::Party;
pub use crate::storage::sandbox::StoredPayment;
use crate::storage::{self, sandbox as sandbox_store};

/// How a payment call can be refused.
#[derive(Debug, thiserror::Error)]
pub enum PaymentError {
    /// The customer or the order is refused, with the API's code.
    #[error("{}", .0.message)]
    Refused(Refused),
    /// No such payment or basket for this application and customer.
    #[error("{0} is not known for this customer")]
    NotFound(String),
    /// The payment is settled, cancelled or rejected.
    #[error("the payment is {0} and can no longer be cancelled")]
    NotCancellable(Status),
    /// Some listed payments are not this customer's with this application.
    #[error("unknown payments in the basket")]
    UnknownPayments,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<storage::Error> for PaymentError {
    fn from(e: storage::Error) -> Self {
        PaymentError::Internal(e.into())
    }
}

impl From<Refused> for PaymentError {
    fn from(r: Refused) -> Self {
        PaymentError::Refused(r)
    }
}

async fn customer(svc: &Services, party: Party<'_>) -> Result<std::sync::Arc<Customer>, PaymentError> {
    Ok(sandbox::customer_for(svc, party.application_id, party.ssn).await?)
}

/// Every call but initiation refuses some customers outright (a client
/// token's payments have no customer yet).
async fn serviceable(svc: &Services, party: Party<'_>) -> Result<(), PaymentError> {
    if !party.has_customer() {
        return Ok(());
    }
    Ok(payments::serviceable(&*customer(svc, party).await?)?)
}

/// A new payment as the API asked for it: the order, and the request as sent (kept to show it back).
pub struct Initiation {
    pub service: PaymentService,
    pub product: Product,
    pub order: PaymentOrder,
    pub request_json: String,
}

/// Initiates a payment; its id and status. An internal transfer settles at
/// once; a standing order is received now and runs on its dates. With a
/// client token (no customer yet) a payment is received and waits for the
/// customer to authorise it; the customer's rules apply then.
pub async fn initiate(svc: &Services, party: Party<'_>, i: Initiation) -> Result<(String, Status), PaymentError> {
    let today: Date = svc.now().date();
    let mut accepted = if party.has_customer() {
        let c = customer(svc, party).await?;
        payments::initiate(&c, i.product, &i.order, today)?
    } else {
        payments::Accepted {
            status: Status::Rcvd,
            internal: false,
        }
    };
    if i.service == PaymentService::Periodic && accepted.status == Status::Acsc {
        accepted.status = Status::Rcvd;
        accepted.internal = false;
    }
    let id = Services::new_id();
    let stored = StoredPayment {
        id: id.clone(),
        application_id: party.application_id.into(),
        ssn: party.ssn.into(),
        service: i.service.as_str().into(),
        product: i.product.as_str().into(),
        status: accepted.status.code().into(),
        debtor_account: i.order.debtor_account.clone(),
        creditor_account: i.order.creditor_account.clone(),
        internal: accepted.internal,
        amount: i.order.amount.0,
        currency: i.order.currency.clone(),
        request: i.request_json,
        created_at: svc.now().unix_timestamp(),
    };
    let mut tx = svc.db.begin().await?;
    sandbox_store::insert_payment(tx.exec(), &stored, svc.now()).await?;
    if stored.internal {
        // Settled at once: the customer's balances change.
        sandbox::changed(tx.exec(), party.application_id).await?;
    }
    tx.commit().await?;
    if stored.internal {
        sandbox::forget(svc, party.application_id);
    }
    Ok((id, accepted.status))
}

/// Which payment a call names: its service, product and id.
#[derive(Debug, Clone, Copy)]
pub struct PaymentRef<'a> {
    pub service: PaymentService,
    pub product: Product,
    pub id: &'a str,
}

async fn read_payment(
    ex: storage::Exec<'_>,
    party: Party<'_>,
    p: PaymentRef<'_>,
) -> Result<StoredPayment, PaymentError> {
    sandbox_store::find_payment(
        ex,
        party.application_id,
        party.ssn,
        p.service.as_str(),
        p.product.as_str(),
        p.id,
    )
    .await?
    .ok_or_else(|| PaymentError::NotFound(format!("Payment {}", p.id)))
}

/// A payment of this application and customer.
pub async fn find(svc: &Services, party: Party<'_>, payment: PaymentRef<'_>) -> Result<StoredPayment, PaymentError> {
    serviceable(svc, party).await?;
    let mut conn = svc.db.conn().await?;
    read_payment(conn.exec(), party, payment).await
}

/// Cancels a payment that is not final. The status is read and changed in one
/// transaction, and the change is conditional on the status read, so a
/// concurrent cancel or settlement cannot be overwritten.
pub async fn cancel(svc: &Services, party: Party<'_>, payment: PaymentRef<'_>) -> Result<Status, PaymentError> {
    serviceable(svc, party).await?;
    let mut tx = svc.db.begin().await?;
    let p = read_payment(tx.exec(), party, payment).await?;
    let status = storage::decode("sandbox_payments.status", &p.status, Status::parse)?;
    if status.is_final() {
        return Err(PaymentError::NotCancellable(status));
    }
    if !sandbox_store::set_status(tx.exec(), &p.id, status.code(), Status::Canc.code(), svc.now()).await? {
        // A concurrent cancel won since the read (SQLite's write lock rules it out;
        // PostgreSQL re-checks the row): cancelling is the only change a status sees here.
        return Err(PaymentError::NotCancellable(Status::Canc));
    }
    tx.commit().await?;
    Ok(Status::Canc)
}

/// Checks that `ids` are payments of this application and customer.
async fn check_basket_payments(ex: storage::Exec<'_>, party: Party<'_>, ids: &[String]) -> Result<(), PaymentError> {
    let owned = sandbox_store::count_owned(ex, party.application_id, party.ssn, ids).await?;
    if owned != ids.len() as i64 {
        return Err(PaymentError::UnknownPayments);
    }
    Ok(())
}

/// A signing basket: (payment ids, status).
pub struct Basket {
    pub id: String,
    pub payment_ids: Vec<String>,
    pub status: String,
}

/// Creates a signing basket over payments of this application and customer.
pub async fn create_basket(svc: &Services, party: Party<'_>, payment_ids: Vec<String>) -> Result<Basket, PaymentError> {
    serviceable(svc, party).await?;
    let id = Services::new_id();
    let ids = serde_json::to_string(&payment_ids).map_err(anyhow::Error::from)?;
    let mut tx = svc.db.begin().await?;
    check_basket_payments(tx.exec(), party, &payment_ids).await?;
    sandbox_store::insert_basket(tx.exec(), &id, party.application_id, party.ssn, &ids, svc.now()).await?;
    tx.commit().await?;
    Ok(Basket {
        id,
        payment_ids,
        status: Status::Rcvd.code().into(),
    })
}

async fn read_basket(ex: storage::Exec<'_>, party: Party<'_>, id: &str) -> Result<Basket, PaymentError> {
    let (ids, status) = sandbox_store::find_basket(ex, party.application_id, party.ssn, id)
        .await?
        .ok_or_else(|| PaymentError::NotFound(format!("Signing basket {id}")))?;
    let payment_ids = serde_json::from_str(&ids).map_err(anyhow::Error::from)?;
    Ok(Basket {
        id: id.into(),
        payment_ids,
        status,
    })
}

pub async fn basket(svc: &Services, party: Party<'_>, id: &str) -> Result<Basket, PaymentError> {
    serviceable(svc, party).await?;
    let mut conn = svc.db.conn().await?;
    read_basket(conn.exec(), party, id).await
}

/// Replaces the payments of a basket (read, checked and written in one transaction).
pub async fn update_basket(
    svc: &Services,
    party: Party<'_>,
    id: &str,
    payment_ids: Vec<String>,
) -> Result<Basket, PaymentError> {
    serviceable(svc, party).await?;
    let ids = serde_json::to_string(&payment_ids).map_err(anyhow::Error::from)?;
    let mut tx = svc.db.begin().await?;
    let current = read_basket(tx.exec(), party, id).await?;
    check_basket_payments(tx.exec(), party, &payment_ids).await?;
    sandbox_store::update_basket(tx.exec(), id, &ids, svc.now()).await?;
    tx.commit().await?;
    Ok(Basket { payment_ids, ..current })
}
