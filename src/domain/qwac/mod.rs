//! An eIDAS QWAC for PSD2 (ETSI TS 119 495): parsed from PEM or DER and
//! accepted only when it is a valid, qualified website certificate with PSD2
//! roles and an organization ID. Every refusal has a stable code and a
//! message that says what to upload instead.

pub mod encode;
pub mod possession;
pub mod qc_statements;

use ::time::OffsetDateTime;
use sha2::{Digest, Sha256};
use x509_parser::prelude::{AttributeTypeAndValue, FromDer, Pem, X509Certificate, X509Version};

pub use qc_statements::{Psd2Statement, QcType, Role};

/// An accepted QWAC.
#[derive(Debug, Clone)]
pub struct Qwac {
    /// e.g. PSDSE-FINA-900001
    pub organization_id: String,
    pub organization_name: String,
    pub country: String,
    pub nca_name: String,
    pub nca_id: String,
    pub roles: Vec<Role>,
    pub serial: String,
    pub issuer: String,
    pub subject: String,
    pub not_before: OffsetDateTime,
    pub not_after: OffsetDateTime,
    /// SHA-256 of the DER, upper-case hex pairs joined by ':'.
    pub fingerprint: String,
    pub der: Vec<u8>,
    /// Certificates after the first in a chain, which were not used.
    pub ignored_in_chain: usize,
}

impl Qwac {
    pub fn has_role(&self, code: &str) -> bool {
        self.roles.iter().any(|r| r.code() == Some(code))
    }
}

/// A QWAC as registered for an application, with its place in the history.
#[derive(Debug, Clone)]
pub struct Registered {
    pub id: String,
    pub application_id: String,
    pub qwac: Qwac,
    pub active: bool,
    pub registered_at: OffsetDateTime,
    pub ended_at: Option<OffsetDateTime>,
    /// What the developer signs with the certificate's key (see `possession`).
    pub challenge: String,
    /// When the developer proved they hold the key; until then the
    /// registration blocks nobody else from registering the certificate.
    pub confirmed_at: Option<OffsetDateTime>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: &'static str,
    pub message: String,
}

fn refuse(code: &'static str, message: impl Into<String>) -> Refusal {
    Refusal {
        code,
        message: message.into(),
    }
}

const ORGANIZATION_IDENTIFIER: &str = "2.5.4.97";

fn date(t: OffsetDateTime) -> String {
    let f = ::time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    t.format(&f).unwrap_or_default()
}

/// Reads the upload (PEM, possibly a chain, or DER) and checks it.
pub fn from_pem_or_der(bytes: &[u8], now: OffsetDateTime) -> Result<Qwac, Refusal> {
    let text = std::str::from_utf8(bytes).unwrap_or("");
    if text.contains("PRIVATE KEY-----") {
        return Err(refuse(
            "private_key_not_accepted",
            "This is a private key. Never share a private key, not with the bank either: it was not stored. \
             Upload the certificate (QWAC) itself, the part that starts with -----BEGIN CERTIFICATE-----.",
        ));
    }
    if text.contains("CERTIFICATE REQUEST-----") {
        return Err(refuse(
            "csr_not_accepted",
            "This is a certificate signing request (CSR), not a certificate. Upload the QWAC your QTSP issued for it.",
        ));
    }
    let (der, ignored) = if text.contains("-----BEGIN") {
        let mut certs = Vec::new();
        for pem in Pem::iter_from_buffer(bytes) {
            match pem {
                Ok(p) if p.label == "CERTIFICATE" => certs.push(p.contents),
                Ok(_) => {}
                Err(_) => return Err(not_a_certificate()),
            }
        }
        let mut certs = certs.into_iter();
        let first = certs.next().ok_or_else(not_a_certificate)?;
        (first, certs.count())
    } else {
        (bytes.to_vec(), 0)
    };
    let (rest, cert) = X509Certificate::from_der(&der).map_err(|_| not_a_certificate())?;
    if !rest.is_empty() {
        return Err(not_a_certificate());
    }
    check(&cert, &der, now, ignored)
}

fn not_a_certificate() -> Refusal {
    refuse(
        "not_a_certificate",
        "This file is not an X.509 certificate. Upload the QWAC as PEM (-----BEGIN CERTIFICATE-----) or DER (.cer, .crt, .der).",
    )
}

fn check(cert: &X509Certificate<'_>, der: &[u8], now: OffsetDateTime, ignored: usize) -> Result<Qwac, Refusal> {
    if cert.version() != X509Version::V3 {
        return Err(refuse(
            "not_x509_v3",
            "This is not an X.509 version 3 certificate, which a QWAC must be.",
        ));
    }
    let from = OffsetDateTime::from_unix_timestamp(cert.validity().not_before.timestamp())
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let to = OffsetDateTime::from_unix_timestamp(cert.validity().not_after.timestamp())
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    if now < from {
        return Err(refuse(
            "not_yet_valid",
            format!(
                "This certificate is not valid yet: it is valid from {} to {}. Upload one that is valid now.",
                date(from),
                date(to)
            ),
        ));
    }
    if now > to {
        return Err(refuse(
            "expired",
            format!(
                "This certificate has expired: it was valid from {} to {}. Upload your current QWAC.",
                date(from),
                date(to)
            ),
        ));
    }
    let not_qualified = || {
        refuse(
            "not_qualified",
            "This is not a qualified certificate (it has no eIDAS QcCompliance statement). Upload the QWAC a qualified \
             trust service provider (QTSP) issued to your organization.",
        )
    };
    let statements = cert
        .iter_extensions()
        .find(|e| e.oid.to_id_string() == qc_statements::QC_STATEMENTS)
        .ok_or_else(not_qualified)?;
    let statements = qc_statements::decode(statements.value).map_err(|m| {
        refuse(
            "not_qualified",
            format!("The certificate's qcStatements cannot be read: {m}."),
        )
    })?;
    if !statements.compliance {
        return Err(not_qualified());
    }
    if !statements.types.contains(&QcType::Web) {
        return Err(if statements.types.contains(&QcType::Eseal) {
            refuse(
                "not_qwac",
                "This is a seal certificate (QSealC). Upload your website certificate (QWAC), the one for TLS.",
            )
        } else {
            refuse(
                "not_qwac",
                "This qualified certificate is not a website certificate (QWAC). Upload your QWAC.",
            )
        });
    }
    let psd2 = match statements.psd2 {
        Some(p) if !p.roles.is_empty() => p,
        _ => {
            return Err(refuse(
                "no_psd2_roles",
                "This QWAC has no PSD2 roles (no PSD2 statement). Production access needs a PSD2 QWAC naming your \
                 roles (PSP_AI, PSP_PI, …) and your national competent authority.",
            ));
        }
    };
    let subject = cert.subject();
    let org_id = subject
        .iter_attributes()
        .find(|a| a.attr_type().to_id_string() == ORGANIZATION_IDENTIFIER)
        .and_then(|a| a.as_str().ok().map(str::to_string))
        .ok_or_else(|| {
            refuse(
                "no_organization_identifier",
                "This QWAC has no organizationIdentifier in its subject, so it carries no organization ID. A PSD2 \
                 QWAC has one like PSDSE-FINA-12345.",
            )
        })?;
    if !is_psd2_organization_id(&org_id) {
        return Err(refuse(
            "bad_organization_identifier",
            format!(
                "The organizationIdentifier {org_id:?} is not a PSD2 organization ID (PSD + country + NCA + number, like PSDSE-FINA-12345)."
            ),
        ));
    }
    let first = |it: &mut dyn Iterator<Item = &AttributeTypeAndValue<'_>>| {
        it.next().and_then(|a| a.as_str().ok()).unwrap_or("").to_string()
    };
    let fingerprint = fingerprint(der);
    Ok(Qwac {
        organization_id: org_id,
        organization_name: first(&mut subject.iter_organization()),
        country: first(&mut subject.iter_country()),
        nca_name: psd2.nca_name,
        nca_id: psd2.nca_id,
        roles: psd2.roles,
        serial: cert.raw_serial_as_string(),
        issuer: cert.issuer().to_string(),
        subject: subject.to_string(),
        not_before: from,
        not_after: to,
        fingerprint,
        der: der.to_vec(),
        ignored_in_chain: ignored,
    })
}

/// `PSD` + ISO 3166 country + `-` + NCA (2–8 capitals) + `-` + number.
/// SHA-256 of a certificate's DER, as `AB:CD:…` (how the portal shows and stores it).
pub fn fingerprint(der: &[u8]) -> String {
    Sha256::digest(der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// The certificate's thumbprint as RFC 8705 binds tokens to it (`x5t#S256`):
/// base64url without padding of the SHA-256 of the DER.
pub fn x5t_s256(der: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(der))
}

pub fn is_psd2_organization_id(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("PSD") else {
        return false;
    };
    let mut parts = rest.splitn(3, '-');
    let (Some(cc), Some(nca), Some(number)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    cc.len() == 2
        && cc.chars().all(|c| c.is_ascii_uppercase())
        && (2..=8).contains(&nca.len())
        && nca.chars().all(|c| c.is_ascii_uppercase())
        && !number.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn organization_ids_follow_ts_119_495() {
        assert!(is_psd2_organization_id("PSDSE-FINA-900001"));
        assert!(is_psd2_organization_id("PSDFI-FINFSA-900002"));
        for bad in [
            "VATSE-5560000000",
            "PSDSE-FINA-",
            "PSDse-FINA-1",
            "PSDSE-F-1",
            "PSDSE-FINANCIAL-1",
            "PSD-FINA-1",
        ] {
            assert!(!is_psd2_organization_id(bad), "{bad}");
        }
    }
}

#[cfg(test)]
mod fixture_tests {
    use super::*;

    fn read(name: &str) -> Result<Qwac, Refusal> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/certs")
            .join(name);
        assert!(path.exists(), "missing fixture {name}");
        from_pem_or_der(&std::fs::read(path).unwrap_or_default(), OffsetDateTime::now_utc())
    }

    #[test]
    fn every_fixture_gets_what_its_table_row_says() -> Result<(), Refusal> {
        let q = read("qwac-ai-pi.pem")?;
        assert_eq!(q.organization_id, "PSDSE-FINA-900001");
        assert!(q.has_role("PSP_AI") && q.has_role("PSP_PI"));
        assert_eq!(
            (q.nca_name.as_str(), q.nca_id.as_str()),
            ("Finansinspektionen", "SE-FINA")
        );
        assert_eq!(q.country, "SE");
        assert_eq!(q.fingerprint.len(), 95);

        let fi = read("qwac-ai.der")?;
        assert_eq!(fi.organization_id, "PSDFI-FINFSA-900002");
        assert!(fi.has_role("PSP_AI") && !fi.has_role("PSP_PI"));
        let pi = read("qwac-pi-only.pem")?;
        assert_eq!(pi.organization_id, "PSDSE-FINA-900006");
        assert!(pi.has_role("PSP_PI") && !pi.has_role("PSP_AI"));
        let chain = read("qwac-ai-pi-chain.pem")?;
        assert_eq!(chain.fingerprint, q.fingerprint, "the first certificate is the leaf");
        assert_eq!(chain.ignored_in_chain, 1);

        for (file, code) in [
            ("qsealc.pem", "not_qwac"),
            ("qwac-expired.pem", "expired"),
            ("qwac-not-yet-valid.pem", "not_yet_valid"),
            ("tls-no-qcstatements.pem", "not_qualified"),
            ("qwac-no-psd2-statement.pem", "no_psd2_roles"),
            ("qwac-no-organization-identifier.pem", "no_organization_identifier"),
            ("qwac-bad-organization-identifier.pem", "bad_organization_identifier"),
            ("private-key.pem", "private_key_not_accepted"),
            ("qwac-ai-pi.key", "private_key_not_accepted"),
            ("garbage.bin", "not_a_certificate"),
        ] {
            assert_eq!(read(file).unwrap_err().code, code, "{file}");
        }
        assert!(read("qsealc.pem").unwrap_err().message.contains("seal certificate"));
        assert!(read("qwac-expired.pem").unwrap_err().message.contains("valid from"));
        Ok(())
    }
}

#[cfg(test)]
mod generated_tests;
