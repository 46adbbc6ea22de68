//! The simulated BankID: both BankID's servers (the orders a relying party
//! starts and collects) and the customer's phone (the portal's BankID
//! simulator picks an order, scans its QR code or opens it by its autostart
//! token, and approves as a personnummer or cancels). Orders live in the
//! database, so every instance sees the same ones. Not a real BankID:
//! every page that shows it says so.

use std::sync::Arc;

use time::{Duration, OffsetDateTime};

use super::{AuthRequest, BankId, BankIdError, Collect, Order};
use crate::clock::Clock;
use crate::domain::bankid::{self, Progress, QR_SCAN_WINDOW};
use crate::domain::personnummer::Personnummer;
use crate::storage::Db;
use crate::storage::bankid_orders::{self as store, StoredOrder};

pub const NOTICE: &str = "Simulated BankID: for testing, no real identification";

pub struct SimulatedBankId {
    db: Db,
    clock: Arc<dyn Clock>,
}

/// An order as the simulator (the phone) shows it.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PhoneOrder {
    pub order_ref: String,
    pub user_visible_data: String,
    /// `outstandingTransaction` (not opened) or `userSign` (opened).
    pub hint_code: &'static str,
    pub seconds_left: i64,
    /// Only this customer may approve (the TPP's `login_hint`).
    pub required_personal_number: Option<String>,
}

/// Why the phone cannot do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum PhoneError {
    #[error("No open BankID order matches.")]
    NoSuchOrder,
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<crate::storage::Error> for PhoneError {
    fn from(e: crate::storage::Error) -> Self {
        PhoneError::Internal(e.into())
    }
}

fn progress_of(o: &StoredOrder) -> Progress {
    match (o.progress.as_str(), &o.personal_number) {
        ("started", _) => Progress::Started,
        ("approved", Some(pnr)) => Progress::Approved {
            personal_number: pnr.clone(),
        },
        ("cancelled", _) => Progress::Cancelled,
        _ => Progress::Waiting,
    }
}

fn random_uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

impl SimulatedBankId {
    pub fn new(db: Db, clock: Arc<dyn Clock>) -> SimulatedBankId {
        SimulatedBankId { db, clock }
    }

    async fn order(&self, column: &str, value: &str) -> Result<Option<StoredOrder>, PhoneError> {
        let mut conn = self.db.conn().await?;
        Ok(store::find(conn.exec(), column, value).await?)
    }

    /// The order if it is still open to the phone at `now`.
    fn open_at(&self, o: StoredOrder, now: OffsetDateTime) -> Result<StoredOrder, PhoneError> {
        match bankid::collect(o.started_at, &progress_of(&o), now) {
            Collect::Pending(_) => Ok(o),
            Collect::Failed("startFailed") => Err(PhoneError::Refused(
                "The QR code was not scanned within 30 seconds; the order has ended.".into(),
            )),
            _ => Err(PhoneError::Refused("The order has ended.".into())),
        }
    }

    /// The open orders, newest first.
    pub async fn pending(&self) -> Result<Vec<PhoneOrder>, PhoneError> {
        let now = self.clock.now();
        let mut conn = self.db.conn().await?;
        let orders = store::open(conn.exec(), now - bankid::ORDER_LIFETIME).await?;
        Ok(orders
            .into_iter()
            .filter_map(|o| match bankid::collect(o.started_at, &progress_of(&o), now) {
                Collect::Pending(hint) => Some(PhoneOrder {
                    seconds_left: (o.started_at + bankid::ORDER_LIFETIME - now).whole_seconds(),
                    order_ref: o.order_ref,
                    user_visible_data: o.user_visible_data,
                    hint_code: hint,
                    required_personal_number: o.required_pnr,
                }),
                _ => None,
            })
            .collect())
    }

    /// The phone scans a QR code: it must be one this order showed in the
    /// last two seconds (the code changes every second), within the 30 s
    /// a QR code may be scanned.
    pub async fn scan(&self, qr: &str) -> Result<String, PhoneError> {
        let now = self.clock.now();
        let parts: Vec<&str> = qr.trim().split('.').collect();
        let [prefix, token, seconds, _] = parts[..] else {
            return Err(PhoneError::Refused("That is not a BankID QR code.".into()));
        };
        let Ok(seconds) = seconds.parse::<i64>() else {
            return Err(PhoneError::Refused("That is not a BankID QR code.".into()));
        };
        if prefix != "bankid" {
            return Err(PhoneError::Refused("That is not a BankID QR code.".into()));
        }
        let o = self
            .order("qr_start_token", token)
            .await?
            .ok_or(PhoneError::NoSuchOrder)?;
        let o = self.open_at(o, now)?;
        if bankid::qr_data(&o.qr_start_token, &o.qr_start_secret, seconds) != qr.trim() {
            return Err(PhoneError::Refused("The QR code is not genuine.".into()));
        }
        let elapsed = (now - o.started_at).whole_seconds();
        if !(elapsed - 2..=elapsed).contains(&seconds) || Duration::seconds(seconds) >= QR_SCAN_WINDOW {
            return Err(PhoneError::Refused(
                "The QR code is old: scan the one on the screen now.".into(),
            ));
        }
        self.open(&o.order_ref, now).await?;
        Ok(o.order_ref)
    }

    /// The app is opened on the same device with the autostart token.
    pub async fn autostart(&self, auto_start_token: &str) -> Result<String, PhoneError> {
        let now = self.clock.now();
        let o = self
            .order("auto_start_token", auto_start_token)
            .await?
            .ok_or(PhoneError::NoSuchOrder)?;
        let o = self.open_at(o, now)?;
        self.open(&o.order_ref, now).await?;
        Ok(o.order_ref)
    }

    async fn open(&self, order_ref: &str, now: OffsetDateTime) -> Result<(), PhoneError> {
        let mut conn = self.db.conn().await?;
        store::advance(conn.exec(), order_ref, &["waiting"], "started", None, now).await?;
        Ok(())
    }

    /// The customer identifies as `personal_number` (picking an order in the
    /// simulator stands for scanning it).
    pub async fn approve(&self, order_ref: &str, personal_number: &str) -> Result<String, PhoneError> {
        let now = self.clock.now();
        let pnr = Personnummer::parse(personal_number, now.date())
            .map_err(|m| PhoneError::Refused(format!("{m} ({personal_number:?})")))?
            .to_string();
        let o = self
            .order("order_ref", order_ref)
            .await?
            .ok_or(PhoneError::NoSuchOrder)?;
        let o = self.open_at(o, now)?;
        if o.required_pnr.as_deref().is_some_and(|r| r != pnr) {
            return Err(PhoneError::Refused(
                "This order is for another customer (the TPP named them with login_hint).".into(),
            ));
        }
        let mut conn = self.db.conn().await?;
        if !store::advance(
            conn.exec(),
            &o.order_ref,
            &["waiting", "started"],
            "approved",
            Some(&pnr),
            now,
        )
        .await?
        {
            return Err(PhoneError::Refused("The order has ended.".into()));
        }
        tracing::info!(order_ref = %o.order_ref, "simulated BankID order approved");
        Ok(pnr)
    }

    /// The customer cancels in the app.
    pub async fn cancel_on_phone(&self, order_ref: &str) -> Result<(), PhoneError> {
        let now = self.clock.now();
        let mut conn = self.db.conn().await?;
        if !store::advance(conn.exec(), order_ref, &["waiting", "started"], "cancelled", None, now).await? {
            return Err(PhoneError::NoSuchOrder);
        }
        Ok(())
    }
}

#[async_trait::async_trait]
impl BankId for SimulatedBankId {
    fn simulated(&self) -> bool {
        true
    }

    async fn auth(&self, req: AuthRequest) -> Result<Order, BankIdError> {
        let now = self.clock.now();
        let o = StoredOrder {
            order_ref: random_uuid(),
            auto_start_token: random_uuid(),
            qr_start_token: random_uuid(),
            qr_start_secret: random_uuid(),
            required_pnr: req.personal_number,
            user_visible_data: req.user_visible_data,
            progress: "waiting".into(),
            personal_number: None,
            started_at: now,
        };
        let mut conn = self.db.conn().await.map_err(anyhow::Error::from)?;
        store::insert(conn.exec(), &o).await.map_err(anyhow::Error::from)?;
        Ok(Order {
            order_ref: o.order_ref,
            auto_start_token: o.auto_start_token,
            qr_start_token: o.qr_start_token,
            qr_start_secret: o.qr_start_secret,
            started_at: now,
        })
    }

    async fn collect(&self, order_ref: &str) -> Result<Collect, BankIdError> {
        let o = match self.order("order_ref", order_ref).await {
            Ok(Some(o)) => o,
            Ok(None) => return Ok(Collect::Failed("cancelled")),
            Err(e) => return Err(BankIdError::Internal(anyhow::anyhow!("{e}"))),
        };
        Ok(bankid::collect(o.started_at, &progress_of(&o), self.clock.now()))
    }

    async fn cancel(&self, order_ref: &str) -> Result<(), BankIdError> {
        match self.cancel_on_phone(order_ref).await {
            Ok(()) | Err(PhoneError::NoSuchOrder) => Ok(()),
            Err(e) => Err(BankIdError::Internal(anyhow::anyhow!("{e}"))),
        }
    }
}
