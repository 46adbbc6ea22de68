//! The Payments API (PIS), `/sandbox/payments/1.0.0`: payments and periodic
//! payments per product, and signing baskets. This file reads requests and
//! maps answers; the use cases are in `services::sandbox_payments`.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use time::Date;

use super::call::{Call, Payments};
use super::dto::*;
use super::error::{ErrorDto, GatewayError};
use crate::domain::sandbox::Money;
use crate::domain::sandbox::payments::{FREQUENCIES, PaymentOrder, PaymentService, Product};
use crate::services::Services;
use crate::services::sandbox_payments::{self, Basket, Initiation, PaymentError, PaymentRef, StoredPayment};

const BASE: &str = "/sandbox/payments/1.0.0";

fn path(service: PaymentService) -> &'static str {
    match service {
        PaymentService::Payments => "Payments",
        PaymentService::Periodic => "PeriodicPayments",
    }
}

impl From<PaymentError> for GatewayError {
    fn from(e: PaymentError) -> Self {
        match e {
            PaymentError::Refused(r) => r.into(),
            PaymentError::NotFound(what) => GatewayError::not_found(&what),
            PaymentError::NotCancellable(status) => GatewayError::new(
                StatusCode::CONFLICT,
                "CANCELLATION_INVALID",
                format!("The payment is {} and can no longer be cancelled.", status.code()),
            ),
            PaymentError::UnknownPayments => GatewayError::bad_request(
                "RESOURCE_UNKNOWN",
                "Some paymentIds are not payments of this customer made with this application.",
            ),
            PaymentError::Internal(e) => GatewayError::internal(e),
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

fn payment<'a>(service: PaymentService, product_name: &str, id: &'a str) -> Result<PaymentRef<'a>, GatewayError> {
    Ok(PaymentRef {
        service,
        product: product(product_name)?,
        id,
    })
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

/// Reads the request body into the service's terms (formats only; the rules are the service's).
fn initiation(service: PaymentService, product: Product, order: PaymentRequestDto) -> Result<Initiation, GatewayError> {
    let amount = Money::parse_positive(&order.instructed_amount.amount)
        .map_err(|m| GatewayError::bad_request("FORMAT_ERROR", m))?;
    let requested_execution_date = order
        .requested_execution_date
        .as_deref()
        .map(|d| date(d, "requestedExecutionDate"))
        .transpose()?;
    if service == PaymentService::Periodic {
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
    Ok(Initiation {
        service,
        product,
        order: PaymentOrder {
            amount,
            currency: order.instructed_amount.currency.clone(),
            debtor_account: order.debtor_account.bban.clone(),
            creditor_account: order.creditor_account.as_ref().map(|a| a.bban.clone()),
            requested_execution_date,
        },
        request_json: serde_json::to_string(&order).map_err(|e| GatewayError::internal(e.into()))?,
    })
}

async fn initiate(
    svc: &Services,
    call: &Call<Payments>,
    service: PaymentService,
    product_name: &str,
    order: PaymentRequestDto,
) -> Result<(StatusCode, Json<PaymentInitiationDto>), GatewayError> {
    only_its_payment(call, None)?;
    let product = product(product_name)?;
    let initiation = initiation(service, product, order)?;
    let (id, status) = sandbox_payments::initiate(svc, call.party(), initiation).await?;
    let href = format!("{BASE}/{}/{}/{id}", path(service), product.as_str());
    Ok((
        StatusCode::CREATED,
        Json(PaymentInitiationDto {
            transaction_status: status.code().into(),
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

/// A PIS token (`PIS:<paymentId>`) acts on its payment and nothing else.
fn only_its_payment(call: &Call<Payments>, id: Option<&str>) -> Result<(), GatewayError> {
    match call.access.payment_id() {
        Some(own) if Some(own) != id => Err(GatewayError::new(
            StatusCode::FORBIDDEN,
            "SCOPE_INVALID",
            format!("This token authorizes payment {own} only."),
        )),
        _ => Ok(()),
    }
}

async fn find(
    svc: &Services,
    call: &Call<Payments>,
    service: PaymentService,
    product_name: &str,
    id: &str,
) -> Result<StoredPayment, GatewayError> {
    only_its_payment(call, Some(id))?;
    Ok(sandbox_payments::find(svc, call.party(), payment(service, product_name, id)?).await?)
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
    service: PaymentService,
    product_name: &str,
    id: &str,
) -> Result<Json<StatusDto>, GatewayError> {
    only_its_payment(call, Some(id))?;
    let status = sandbox_payments::cancel(svc, call.party(), payment(service, product_name, id)?).await?;
    Ok(Json(StatusDto {
        transaction_status: status.code().into(),
    }))
}

fn basket_dto(b: Basket) -> BasketDto {
    BasketDto {
        basket_id: b.id,
        payment_ids: b.payment_ids,
        transaction_status: b.status,
    }
}

fn basket_ids(ids: Vec<String>) -> Result<Vec<String>, GatewayError> {
    if ids.is_empty() {
        return Err(GatewayError::bad_request(
            "FORMAT_ERROR",
            "paymentIds must list at least one payment.",
        ));
    }
    Ok(ids)
}

type Created = Result<(StatusCode, Json<PaymentInitiationDto>), GatewayError>;
type Body = Result<Json<PaymentRequestDto>, JsonRejection>;

/// Initiates a payment.
#[utoipa::path(post, path = "/Payments/{paymentProduct}", tag = "Payments",
    params(("paymentProduct" = super::dto::PaymentProduct, Path), super::Headers),
    request_body = PaymentRequestDto, security(("bearer" = [])),
    responses((status = 201, body = PaymentInitiationDto), (status = 400, body = ErrorDto), (status = 401, body = ErrorDto),
              (status = 403, body = ErrorDto), (status = 404, body = ErrorDto), (status = 429, body = ErrorDto)))]
pub async fn create(State(svc): State<Services>, call: Call<Payments>, Path(p): Path<String>, b: Body) -> Created {
    initiate(&svc, &call, PaymentService::Payments, &p, body(b)?).await
}

/// A payment.
#[utoipa::path(get, path = "/Payments/{paymentProduct}/{paymentId}", tag = "Payments",
    params(("paymentProduct" = super::dto::PaymentProduct, Path), ("paymentId" = String, Path), super::Headers), security(("bearer" = [])),
    responses((status = 200, body = PaymentDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto), (status = 404, body = ErrorDto)))]
pub async fn get(
    State(svc): State<Services>,
    call: Call<Payments>,
    Path((p, id)): Path<(String, String)>,
) -> Result<Json<PaymentDto>, GatewayError> {
    Ok(Json(to_dto(
        find(&svc, &call, PaymentService::Payments, &p, &id).await?,
    )?))
}

/// Cancels a payment (status CANC).
#[utoipa::path(delete, path = "/Payments/{paymentProduct}/{paymentId}", tag = "Payments",
    params(("paymentProduct" = super::dto::PaymentProduct, Path), ("paymentId" = String, Path), super::Headers), security(("bearer" = [])),
    responses((status = 200, body = StatusDto), (status = 401, body = ErrorDto), (status = 404, body = ErrorDto), (status = 409, body = ErrorDto)))]
pub async fn delete(
    State(svc): State<Services>,
    call: Call<Payments>,
    Path((p, id)): Path<(String, String)>,
) -> Result<Json<StatusDto>, GatewayError> {
    cancel(&svc, &call, PaymentService::Payments, &p, &id).await
}

/// A payment's transaction status.
#[utoipa::path(get, path = "/Payments/{paymentProduct}/{paymentId}/status", tag = "Payments",
    params(("paymentProduct" = super::dto::PaymentProduct, Path), ("paymentId" = String, Path), super::Headers), security(("bearer" = [])),
    responses((status = 200, body = StatusDto), (status = 401, body = ErrorDto), (status = 404, body = ErrorDto)))]
pub async fn status(
    State(svc): State<Services>,
    call: Call<Payments>,
    Path((p, id)): Path<(String, String)>,
) -> Result<Json<StatusDto>, GatewayError> {
    let found = find(&svc, &call, PaymentService::Payments, &p, &id).await?;
    Ok(Json(StatusDto {
        transaction_status: found.status,
    }))
}

/// Initiates a periodic payment (standing order).
#[utoipa::path(post, path = "/PeriodicPayments/{paymentProduct}", tag = "Periodic payments",
    params(("paymentProduct" = super::dto::PaymentProduct, Path), super::Headers), request_body = PaymentRequestDto, security(("bearer" = [])),
    responses((status = 201, body = PaymentInitiationDto), (status = 400, body = ErrorDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto)))]
pub async fn create_periodic(
    State(svc): State<Services>,
    call: Call<Payments>,
    Path(p): Path<String>,
    b: Body,
) -> Created {
    initiate(&svc, &call, PaymentService::Periodic, &p, body(b)?).await
}

/// A periodic payment.
#[utoipa::path(get, path = "/PeriodicPayments/{paymentProduct}/{paymentId}", tag = "Periodic payments",
    params(("paymentProduct" = super::dto::PaymentProduct, Path), ("paymentId" = String, Path), super::Headers), security(("bearer" = [])),
    responses((status = 200, body = PaymentDto), (status = 401, body = ErrorDto), (status = 404, body = ErrorDto)))]
pub async fn get_periodic(
    State(svc): State<Services>,
    call: Call<Payments>,
    Path((p, id)): Path<(String, String)>,
) -> Result<Json<PaymentDto>, GatewayError> {
    Ok(Json(to_dto(
        find(&svc, &call, PaymentService::Periodic, &p, &id).await?,
    )?))
}

/// Cancels a periodic payment.
#[utoipa::path(delete, path = "/PeriodicPayments/{paymentProduct}/{paymentId}", tag = "Periodic payments",
    params(("paymentProduct" = super::dto::PaymentProduct, Path), ("paymentId" = String, Path), super::Headers), security(("bearer" = [])),
    responses((status = 200, body = StatusDto), (status = 401, body = ErrorDto), (status = 404, body = ErrorDto), (status = 409, body = ErrorDto)))]
pub async fn delete_periodic(
    State(svc): State<Services>,
    call: Call<Payments>,
    Path((p, id)): Path<(String, String)>,
) -> Result<Json<StatusDto>, GatewayError> {
    cancel(&svc, &call, PaymentService::Periodic, &p, &id).await
}

/// A periodic payment's status.
#[utoipa::path(get, path = "/PeriodicPayments/{paymentProduct}/{paymentId}/status", tag = "Periodic payments",
    params(("paymentProduct" = super::dto::PaymentProduct, Path), ("paymentId" = String, Path), super::Headers), security(("bearer" = [])),
    responses((status = 200, body = StatusDto), (status = 401, body = ErrorDto), (status = 404, body = ErrorDto)))]
pub async fn status_periodic(
    State(svc): State<Services>,
    call: Call<Payments>,
    Path((p, id)): Path<(String, String)>,
) -> Result<Json<StatusDto>, GatewayError> {
    let found = find(&svc, &call, PaymentService::Periodic, &p, &id).await?;
    Ok(Json(StatusDto {
        transaction_status: found.status,
    }))
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
    let ids = basket_ids(body(b)?.payment_ids)?;
    only_its_payment(&call, None)?;
    let basket = sandbox_payments::create_basket(&svc, call.party(), ids).await?;
    Ok((StatusCode::CREATED, Json(basket_dto(basket))))
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
    Ok(Json(basket_dto(
        sandbox_payments::basket(&svc, call.party(), &id).await?,
    )))
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
    let ids = basket_ids(body(b)?.payment_ids)?;
    Ok(Json(basket_dto(
        sandbox_payments::update_basket(&svc, call.party(), &id, ids).await?,
    )))
}
