//! The Payments API (PIS), `/sandbox/payments/1.0.0`: payments and periodic
//! payments per product, and signing baskets. Payments are stored per
//! application and customer; an internal transfer settles at once and moves
//! money between the customer's accounts as that application sees them.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use time::Date;

use super::call::{Call, Payments};
use super::dto::*;
use super::error::{ErrorDto, GatewayError};
use crate::domain::sandbox::payments::{self, PaymentOrder, Product, Status, kyc, under_16};
use crate::domain::sandbox::{Customer, Money, Refusal};
use crate::services::{Services, sandbox};
use crate::storage::sandbox::{self as store, StoredPayment};

const BASE: &str = "/sandbox/payments/1.0.0";
const FREQUENCIES: &[&str] = &["Daily", "Weekly", "EveryTwoWeeks", "Monthly", "Quarterly", "Annual"];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Service {
    Payments,
    Periodic,
}

impl Service {
    fn column(self) -> &'static str {
        match self {
            Service::Payments => "payments",
            Service::Periodic => "periodic-payments",
        }
    }

    fn path(self) -> &'static str {
        match self {
            Service::Payments => "Payments",
            Service::Periodic => "PeriodicPayments",
        }
    }
}

fn product(s: &str) -> Result<Product, GatewayError> {
    Product::parse(s).ok_or_else(|| {
        GatewayError::new(
            StatusCode::NOT_FOUND,
            "PRODUCT_UNKNOWN",
            format!("Unknown payment product {s:?}: use SepaCreditTransfers or CrossBorderCreditTransfers."),
        )
    })
}

async fn customer(svc: &Services, call: &Call<Payments>) -> Result<Customer, GatewayError> {
    Ok(sandbox::customer_for(svc, &call.access.application_id, &call.access.ssn).await?)
}

/// Every call but initiation refuses these customers outright.
fn refuse(c: &Customer) -> Result<(), GatewayError> {
    match c.refusal {
        Some(Refusal::InvalidKyc) => Err(kyc().into()),
        Some(Refusal::Under16) => Err(under_16().into()),
        None => Ok(()),
    }
}

fn body<T>(b: Result<Json<T>, JsonRejection>) -> Result<T, GatewayError> {
    b.map(|Json(v)| v)
        .map_err(|e| GatewayError::bad_request("FORMAT_ERROR", format!("The body cannot be read: {}", e.body_text())))
}

fn date(s: &str, name: &str) -> Result<Date, GatewayError> {
    let f = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(s, &f)
        .map_err(|_| GatewayError::bad_request("FORMAT_ERROR", format!("{name} must be a date like 2026-01-31.")))
}

async fn initiate(
    svc: &Services,
    call: &Call<Payments>,
    service: Service,
    product_name: &str,
    order: PaymentRequestDto,
) -> Result<(StatusCode, Json<PaymentInitiationDto>), GatewayError> {
    let product = product(product_name)?;
    let c = customer(svc, call).await?;
    let today = svc.now().date();
    let amount = Money::parse_positive(&order.instructed_amount.amount)
        .map_err(|m| GatewayError::bad_request("FORMAT_ERROR", m))?;
    let requested_execution_date = order
        .requested_execution_date
        .as_deref()
        .map(|d| date(d, "requestedExecutionDate"))
        .transpose()?;
    if service == Service::Periodic {
        let start = order.start_date.as_deref().ok_or_else(|| {
            GatewayError::bad_request("FORMAT_ERROR", "startDate is required for a periodic payment.")
        })?;
        date(start, "startDate")?;
        match order.frequency.as_deref() {
            Some(f) if FREQUENCIES.contains(&f) => {}
            _ => {
                return Err(GatewayError::bad_request(
                    "FORMAT_ERROR",
                    format!("frequency must be one of {}.", FREQUENCIES.join(", ")),
                ));
            }
        }
    }
    let domain_order = PaymentOrder {
        amount,
        currency: order.instructed_amount.currency.clone(),
        debtor_account: order.debtor_account.bban.clone(),
        creditor_account: order.creditor_account.as_ref().map(|a| a.bban.clone()),
        requested_execution_date,
    };
    let mut accepted = payments::initiate(&c, product, &domain_order, today)?;
    if service == Service::Periodic && accepted.status == Status::Acsc {
        // A standing order is received now and executed on its dates.
        accepted.status = Status::Rcvd;
        accepted.internal = false;
    }
    let id = Services::new_id();
    let stored = StoredPayment {
        id: id.clone(),
        application_id: call.access.application_id.to_string(),
        ssn: call.access.ssn.to_string(),
        service: service.column().into(),
        product: product.as_str().into(),
        status: accepted.status.code().into(),
        debtor_account: domain_order.debtor_account.clone(),
        creditor_account: domain_order.creditor_account.clone(),
        internal: accepted.internal,
        amount: amount.0,
        currency: domain_order.currency.clone(),
        request: serde_json::to_string(&order).map_err(|e| GatewayError::internal(e.into()))?,
        created_at: svc.now().unix_timestamp(),
    };
    {
        let mut conn = svc.db.conn().await?;
        store::insert_payment(conn.exec(), &stored, svc.now()).await?;
    }
    let href = format!("{BASE}/{}/{}/{id}", service.path(), product.as_str());
    Ok((
        StatusCode::CREATED,
        Json(PaymentInitiationDto {
            transaction_status: accepted.status.code().into(),
            payment_id: id,
            links: LinksDto {
                status: HrefDto {
                    href: format!("{href}/status"),
                },
                self_: HrefDto { href },
            },
        }),
    ))
}

async fn find(
    svc: &Services,
    call: &Call<Payments>,
    service: Service,
    product_name: &str,
    id: &str,
) -> Result<StoredPayment, GatewayError> {
    let product = product(product_name)?;
    let c = customer(svc, call).await?;
    refuse(&c)?;
    let mut conn = svc.db.conn().await?;
    store::find_payment(
        conn.exec(),
        &call.access.application_id,
        &call.access.ssn,
        service.column(),
        product.as_str(),
        id,
    )
    .await?
    .ok_or_else(|| GatewayError::not_found(&format!("Payment {id}")))
}

fn to_dto(p: StoredPayment) -> Result<PaymentDto, GatewayError> {
    let order: PaymentRequestDto = serde_json::from_str(&p.request).map_err(|e| GatewayError::internal(e.into()))?;
    Ok(PaymentDto {
        payment_id: p.id,
        payment_product: p.product,
        transaction_status: p.status,
        order,
    })
}

async fn cancel(
    svc: &Services,
    call: &Call<Payments>,
    service: Service,
    product_name: &str,
    id: &str,
) -> Result<Json<StatusDto>, GatewayError> {
    let p = find(svc, call, service, product_name, id).await?;
    let status = Status::parse(&p.status);
    if status.is_final() {
        return Err(GatewayError::new(
            StatusCode::CONFLICT,
            "CANCELLATION_INVALID",
            format!("The payment is {} and can no longer be cancelled.", status.code()),
        ));
    }
    let mut conn = svc.db.conn().await?;
    store::set_status(conn.exec(), &p.id, Status::Canc.code(), svc.now()).await?;
    Ok(Json(StatusDto {
        transaction_status: Status::Canc.code().into(),
    }))
}

type Created = Result<(StatusCode, Json<PaymentInitiationDto>), GatewayError>;
type Body = Result<Json<PaymentRequestDto>, JsonRejection>;

/// Initiates a payment.
#[utoipa::path(post, path = "/Payments/{paymentProduct}", tag = "Payments",
    params(("paymentProduct" = String, Path, description = "SepaCreditTransfers or CrossBorderCreditTransfers"), super::Headers),
    request_body = PaymentRequestDto, security(("bearer" = [])),
    responses((status = 201, body = PaymentInitiationDto), (status = 400, body = ErrorDto), (status = 401, body = ErrorDto),
              (status = 403, body = ErrorDto), (status = 404, body = ErrorDto), (status = 429, body = ErrorDto)))]
pub async fn create(State(svc): State<Services>, call: Call<Payments>, Path(p): Path<String>, b: Body) -> Created {
    initiate(&svc, &call, Service::Payments, &p, body(b)?).await
}

/// A payment.
#[utoipa::path(get, path = "/Payments/{paymentProduct}/{paymentId}", tag = "Payments",
    params(("paymentProduct" = String, Path), ("paymentId" = String, Path), super::Headers), security(("bearer" = [])),
    responses((status = 200, body = PaymentDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto), (status = 404, body = ErrorDto)))]
pub async fn get(
    State(svc): State<Services>,
    call: Call<Payments>,
    Path((p, id)): Path<(String, String)>,
) -> Result<Json<PaymentDto>, GatewayError> {
    Ok(Json(to_dto(find(&svc, &call, Service::Payments, &p, &id).await?)?))
}

/// Cancels a payment (status CANC).
#[utoipa::path(delete, path = "/Payments/{paymentProduct}/{paymentId}", tag = "Payments",
    params(("paymentProduct" = String, Path), ("paymentId" = String, Path), super::Headers), security(("bearer" = [])),
    responses((status = 200, body = StatusDto), (status = 401, body = ErrorDto), (status = 404, body = ErrorDto), (status = 409, body = ErrorDto)))]
pub async fn delete(
    State(svc): State<Services>,
    call: Call<Payments>,
    Path((p, id)): Path<(String, String)>,
) -> Result<Json<StatusDto>, GatewayError> {
    cancel(&svc, &call, Service::Payments, &p, &id).await
}

/// A payment's transaction status.
#[utoipa::path(get, path = "/Payments/{paymentProduct}/{paymentId}/status", tag = "Payments",
    params(("paymentProduct" = String, Path), ("paymentId" = String, Path), super::Headers), security(("bearer" = [])),
    responses((status = 200, body = StatusDto), (status = 401, body = ErrorDto), (status = 404, body = ErrorDto)))]
pub async fn status(
    State(svc): State<Services>,
    call: Call<Payments>,
    Path((p, id)): Path<(String, String)>,
) -> Result<Json<StatusDto>, GatewayError> {
    let found = find(&svc, &call, Service::Payments, &p, &id).await?;
    Ok(Json(StatusDto {
        transaction_status: found.status,
    }))
}

/// Initiates a periodic payment (standing order).
#[utoipa::path(post, path = "/PeriodicPayments/{paymentProduct}", tag = "Periodic payments",
    params(("paymentProduct" = String, Path), super::Headers), request_body = PaymentRequestDto, security(("bearer" = [])),
    responses((status = 201, body = PaymentInitiationDto), (status = 400, body = ErrorDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto)))]
pub async fn create_periodic(
    State(svc): State<Services>,
    call: Call<Payments>,
    Path(p): Path<String>,
    b: Body,
) -> Created {
    initiate(&svc, &call, Service::Periodic, &p, body(b)?).await
}

/// A periodic payment.
#[utoipa::path(get, path = "/PeriodicPayments/{paymentProduct}/{paymentId}", tag = "Periodic payments",
    params(("paymentProduct" = String, Path), ("paymentId" = String, Path), super::Headers), security(("bearer" = [])),
    responses((status = 200, body = PaymentDto), (status = 401, body = ErrorDto), (status = 404, body = ErrorDto)))]
pub async fn get_periodic(
    State(svc): State<Services>,
    call: Call<Payments>,
    Path((p, id)): Path<(String, String)>,
) -> Result<Json<PaymentDto>, GatewayError> {
    Ok(Json(to_dto(find(&svc, &call, Service::Periodic, &p, &id).await?)?))
}

/// Cancels a periodic payment.
#[utoipa::path(delete, path = "/PeriodicPayments/{paymentProduct}/{paymentId}", tag = "Periodic payments",
    params(("paymentProduct" = String, Path), ("paymentId" = String, Path), super::Headers), security(("bearer" = [])),
    responses((status = 200, body = StatusDto), (status = 401, body = ErrorDto), (status = 404, body = ErrorDto), (status = 409, body = ErrorDto)))]
pub async fn delete_periodic(
    State(svc): State<Services>,
    call: Call<Payments>,
    Path((p, id)): Path<(String, String)>,
) -> Result<Json<StatusDto>, GatewayError> {
    cancel(&svc, &call, Service::Periodic, &p, &id).await
}

/// A periodic payment's status.
#[utoipa::path(get, path = "/PeriodicPayments/{paymentProduct}/{paymentId}/status", tag = "Periodic payments",
    params(("paymentProduct" = String, Path), ("paymentId" = String, Path), super::Headers), security(("bearer" = [])),
    responses((status = 200, body = StatusDto), (status = 401, body = ErrorDto), (status = 404, body = ErrorDto)))]
pub async fn status_periodic(
    State(svc): State<Services>,
    call: Call<Payments>,
    Path((p, id)): Path<(String, String)>,
) -> Result<Json<StatusDto>, GatewayError> {
    let found = find(&svc, &call, Service::Periodic, &p, &id).await?;
    Ok(Json(StatusDto {
        transaction_status: found.status,
    }))
}

async fn check_basket_payments(svc: &Services, call: &Call<Payments>, ids: &[String]) -> Result<(), GatewayError> {
    if ids.is_empty() {
        return Err(GatewayError::bad_request(
            "FORMAT_ERROR",
            "paymentIds must list at least one payment.",
        ));
    }
    let c = customer(svc, call).await?;
    refuse(&c)?;
    let mut conn = svc.db.conn().await?;
    let owned = store::count_owned(conn.exec(), &call.access.application_id, &call.access.ssn, ids).await?;
    if owned != ids.len() as i64 {
        return Err(GatewayError::bad_request(
            "RESOURCE_UNKNOWN",
            "Some paymentIds are not payments of this customer made with this application.",
        ));
    }
    Ok(())
}

/// Creates a signing basket: several payments for one authorisation.
#[utoipa::path(post, path = "/SigningBasket", tag = "Signing baskets", params(super::Headers),
    request_body = BasketRequestDto, security(("bearer" = [])),
    responses((status = 201, body = BasketDto), (status = 400, body = ErrorDto), (status = 401, body = ErrorDto)))]
pub async fn create_basket(
    State(svc): State<Services>,
    call: Call<Payments>,
    b: Result<Json<BasketRequestDto>, JsonRejection>,
) -> Result<(StatusCode, Json<BasketDto>), GatewayError> {
    let b = body(b)?;
    check_basket_payments(&svc, &call, &b.payment_ids).await?;
    let id = Services::new_id();
    let ids = serde_json::to_string(&b.payment_ids).map_err(|e| GatewayError::internal(e.into()))?;
    let mut conn = svc.db.conn().await?;
    store::insert_basket(
        conn.exec(),
        &id,
        &call.access.application_id,
        &call.access.ssn,
        &ids,
        svc.now(),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(BasketDto {
            basket_id: id,
            payment_ids: b.payment_ids,
            transaction_status: "RCVD".into(),
        }),
    ))
}

async fn basket(svc: &Services, call: &Call<Payments>, id: &str) -> Result<BasketDto, GatewayError> {
    let c = customer(svc, call).await?;
    refuse(&c)?;
    let mut conn = svc.db.conn().await?;
    let (ids, status) = store::find_basket(conn.exec(), &call.access.application_id, &call.access.ssn, id)
        .await?
        .ok_or_else(|| GatewayError::not_found(&format!("Signing basket {id}")))?;
    let payment_ids = serde_json::from_str(&ids).map_err(|e| GatewayError::internal(e.into()))?;
    Ok(BasketDto {
        basket_id: id.into(),
        payment_ids,
        transaction_status: status,
    })
}

/// A signing basket.
#[utoipa::path(get, path = "/SigningBasket/{basketId}", tag = "Signing baskets",
    params(("basketId" = String, Path), super::Headers), security(("bearer" = [])),
    responses((status = 200, body = BasketDto), (status = 401, body = ErrorDto), (status = 404, body = ErrorDto)))]
pub async fn get_basket(
    State(svc): State<Services>,
    call: Call<Payments>,
    Path(id): Path<String>,
) -> Result<Json<BasketDto>, GatewayError> {
    Ok(Json(basket(&svc, &call, &id).await?))
}

/// Replaces the payments of a signing basket.
#[utoipa::path(put, path = "/SigningBasket/{basketId}", tag = "Signing baskets",
    params(("basketId" = String, Path), super::Headers), request_body = BasketRequestDto, security(("bearer" = [])),
    responses((status = 200, body = BasketDto), (status = 400, body = ErrorDto), (status = 401, body = ErrorDto), (status = 404, body = ErrorDto)))]
pub async fn update_basket(
    State(svc): State<Services>,
    call: Call<Payments>,
    Path(id): Path<String>,
    b: Result<Json<BasketRequestDto>, JsonRejection>,
) -> Result<Json<BasketDto>, GatewayError> {
    let b = body(b)?;
    let current = basket(&svc, &call, &id).await?;
    check_basket_payments(&svc, &call, &b.payment_ids).await?;
    let ids = serde_json::to_string(&b.payment_ids).map_err(|e| GatewayError::internal(e.into()))?;
    let mut conn = svc.db.conn().await?;
    store::update_basket(conn.exec(), &id, &ids, svc.now()).await?;
    Ok(Json(BasketDto {
        payment_ids: b.payment_ids,
        ..current
    }))
}
