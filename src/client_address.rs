//! Who is calling, as far as the network says: the pages, the JSON API and
//! the gateway all record it (audit log) and limit by it (rate limits).

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;

use crate::services::Services;

/// The client's address: the TCP peer, or the last `X-Forwarded-For` entry
/// when the portal runs behind a trusted load balancer.
pub struct ClientAddr(pub String);

impl FromRequestParts<Services> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, svc: &Services) -> Result<Self, Self::Rejection> {
        if svc.config.trust_forwarded_for {
            let forwarded = parts
                .headers
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.rsplit(',').next())
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty());
            if let Some(ip) = forwarded {
                return Ok(ClientAddr(ip));
            }
        }
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip().to_string());
        Ok(ClientAddr(peer.unwrap_or_else(|| "unknown".into())))
    }
}
