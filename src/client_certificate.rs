//! Which client certificate a request came with: the one the TLS listener
//! verified in the handshake, or, on the plain listener behind a
//! TLS-terminating proxy, the one the proxy verified and passed on in a
//! header (only when `DEVPORTAL_CLIENT_CERT_HEADER` names it; a client could
//! send that header itself, so the proxy must remove it). The header may be
//! RFC 9440 (`:<base64 DER>:`), nginx's `$ssl_client_escaped_cert`
//! (URL-encoded PEM) or Envoy's `x-forwarded-client-cert` (`Cert="…"`).

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum_server::tls::TlsInfo;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::services::Services;

/// The leaf certificate (DER), if the request has one.
pub struct ClientCertificate(pub Option<Vec<u8>>);

/// Where the certificate came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// The TLS listener: the certificate of this connection's handshake.
    Tls,
    /// The plain listener: the trusted proxy's header, when configured.
    Plain,
}

impl ClientCertificate {
    pub fn of(parts: &Parts, svc: &Services) -> (Channel, Option<Vec<u8>>) {
        if let Some(info) = parts.extensions.get::<Arc<TlsInfo>>() {
            return (Channel::Tls, info.peer_certificates.first().cloned());
        }
        let Some(name) = &svc.config.tls.client_cert_header else {
            return (Channel::Plain, None);
        };
        let value = parts.headers.get(name).and_then(|v| v.to_str().ok());
        let cert = value.and_then(|v| {
            let decoded = from_header(v);
            if decoded.is_none() {
                tracing::warn!(header = %name, "the proxy's client certificate header is neither RFC 9440 (:base64:) nor URL-encoded PEM");
            }
            decoded
        });
        (Channel::Plain, cert)
    }
}

/// The certificate (DER) in a proxy's header, in any of the three forms.
pub fn from_header(value: &str) -> Option<Vec<u8>> {
    let value = value.trim();
    if value.starts_with(':') {
        return from_rfc9440(value);
    }
    let encoded = match value.split_once("Cert=\"") {
        Some((_, rest)) => rest.split('"').next()?,
        None => value,
    };
    let pem = percent_decode(encoded)?;
    let (_, parsed) = x509_parser::pem::parse_x509_pem(pem.as_bytes()).ok()?;
    (parsed.label == "CERTIFICATE").then_some(parsed.contents)
}

/// `:<base64 DER>:` (an RFC 8941 byte sequence).
pub fn from_rfc9440(value: &str) -> Option<Vec<u8>> {
    let inner = value.trim().strip_prefix(':')?.strip_suffix(':')?;
    STANDARD.decode(inner).ok().filter(|der| !der.is_empty())
}

/// `%XX` escapes undone (a literal `+` stays a `+`: PEM uses it).
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

impl FromRequestParts<Services> for ClientCertificate {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, svc: &Services) -> Result<Self, Self::Rejection> {
        Ok(ClientCertificate(ClientCertificate::of(parts, svc).1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_is_a_colon_wrapped_base64_byte_sequence() {
        assert_eq!(from_rfc9440(":AQID:"), Some(vec![1, 2, 3]));
        assert_eq!(from_rfc9440(" :AQID: "), Some(vec![1, 2, 3]));
        assert_eq!(from_rfc9440("AQID"), None, "no colons: not RFC 9440");
        assert_eq!(from_rfc9440(":not base64!:"), None);
        assert_eq!(from_rfc9440("::"), None);
    }

    #[test]
    fn nginx_and_envoy_send_url_encoded_pem() -> Result<(), Box<dyn std::error::Error>> {
        let key = rcgen::KeyPair::generate()?;
        let cert = rcgen::CertificateParams::new(vec!["tpp.example".to_string()])?.self_signed(&key)?;
        let escaped: String = cert
            .pem()
            .bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' => (b as char).to_string(),
                other => format!("%{other:02X}"),
            })
            .collect();
        assert_eq!(from_header(&escaped).as_deref(), Some(cert.der().as_ref()), "nginx");
        let xfcc = format!("By=spiffe://portal;Hash=abc;Cert=\"{escaped}\";Subject=\"CN=tpp\"");
        assert_eq!(from_header(&xfcc).as_deref(), Some(cert.der().as_ref()), "Envoy");
        let rfc = format!(":{}:", STANDARD.encode(cert.der()));
        assert_eq!(from_header(&rfc).as_deref(), Some(cert.der().as_ref()), "RFC 9440");
        assert_eq!(from_header("-----BEGIN CERTIFICATE-----%ZZ"), None);
        Ok(())
    }
}
