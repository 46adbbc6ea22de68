//! `GET /api/v1/apis`: the catalogue.

use axum::Json;
use axum::extract::{Query, State};
use serde::{Deserialize, Serialize};

use super::ApiError;
use super::auth::ApiUser;
use crate::domain::catalogue::{Api, Environment};
use crate::services::{Services, catalogue};

#[derive(Serialize, utoipa::ToSchema)]
pub struct ApiDto {
    /// Use this as `api_id` to subscribe.
    #[schema(example = "accounts-sandbox")]
    pub id: String,
    pub name: String,
    pub version: String,
    #[schema(example = "sandbox")]
    pub environment: String,
    pub base_path: String,
    pub summary: String,
    pub tags: Vec<String>,
    /// False for an API that is announced but not live.
    pub subscribable: bool,
}

impl From<&Api> for ApiDto {
    fn from(a: &Api) -> Self {
        ApiDto {
            subscribable: a.is_subscribable(),
            id: a.slug.clone(),
            name: a.name.clone(),
            version: a.version.clone(),
            environment: a.environment.as_str().into(),
            base_path: a.base_path.clone(),
            summary: a.summary.clone(),
            tags: a.tags.clone(),
        }
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct ListQuery {
    /// Part of a name or tag, any case.
    #[serde(default)]
    q: String,
    /// `sandbox` or `production`.
    #[serde(default)]
    environment: String,
}

/// The bank's APIs, each in a Sandbox and a Production version.
#[utoipa::path(get, path = "/api/v1/apis", operation_id = "listApis", tag = "apis", params(ListQuery),
    security(("personal_access_token" = [])),
    responses((status = 200, body = [ApiDto]), (status = 401, body = super::error::ErrorBody)))]
pub async fn list(
    State(svc): State<Services>,
    _user: ApiUser,
    Query(q): Query<ListQuery>,
) -> Result<Json<Vec<ApiDto>>, ApiError> {
    let apis = catalogue::search(&svc, &q.q, Environment::parse(&q.environment)).await?;
    Ok(Json(apis.iter().map(|a| ApiDto::from(&**a)).collect()))
}
