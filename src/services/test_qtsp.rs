//! The portal as a test QTSP: its CA (made on first start, kept in the
//! database with its key sealed, so every instance signs with the same one
//! and the TLS listener trusts it), and the test certificates it issues to
//! an application. A test certificate's key is made here, handed out once
//! (PKCS#12 under the developer's passphrase, and PEM) and never stored.

use anyhow::Context;
use rcgen::{
    BasicConstraints, CertificateParams, CustomExtension, DnType, DnValue, ExtendedKeyUsagePurpose, IsCa, Issuer,
    KeyPair, KeyUsagePurpose, SerialNumber,
};
use rustls::pki_types::CertificateDer;
use time::{Duration, OffsetDateTime};
use x509_parser::prelude::{FromDer, X509Certificate};

use super::applications::Owned;
use super::{ServiceError, Services, audit};
use crate::domain::audit::{Actor, Entry, Event, Target};
use crate::domain::qwac::{self, encode};
use crate::domain::test_qtsp::{self, TestCertificate};
use crate::storage::{Db, test_qtsp as store};

/// The test CA: its certificate and what signs with it.
pub struct TestCa {
    der: Vec<u8>,
    issuer: Issuer<'static, KeyPair>,
}

impl TestCa {
    /// The CA certificate, for the TLS listener's trusted roots.
    pub fn certificate(&self) -> CertificateDer<'static> {
        CertificateDer::from(self.der.clone())
    }

    /// Whether this CA signed `der` (a test certificate, whatever it claims).
    pub fn issued(&self, der: &[u8]) -> bool {
        let (Ok((_, cert)), Ok((_, ca))) = (X509Certificate::from_der(der), X509Certificate::from_der(&self.der))
        else {
            return false;
        };
        cert.issuer() == ca.subject() && cert.verify_signature(Some(ca.public_key())).is_ok()
    }
}

/// The CA in the database, or a new one stored there (if two instances
/// start at once, both use the one stored first).
pub async fn load_or_create(db: &Db, sealer: &super::sealing::Sealer, now: OffsetDateTime) -> anyhow::Result<TestCa> {
    let mut conn = db.conn().await?;
    if store::ca(conn.exec()).await?.is_none() {
        let (der, key) = new_ca(now)?;
        let sealed = sealer.seal(&key.serialize_pem())?;
        store::insert_ca_if_absent(conn.exec(), &der, &sealed, now).await?;
    }
    let (der, sealed) = store::ca(conn.exec())
        .await?
        .context("the test CA was stored and is gone")?;
    let key =
        KeyPair::from_pem(&sealer.open(&sealed).context("opening the test CA's key")?).context("the test CA's key")?;
    let issuer = Issuer::from_ca_cert_der(&CertificateDer::from(der.clone()), key).context("the test CA")?;
    Ok(TestCa { der, issuer })
}

/// A CA that is not stored (for the command line, which issues nothing).
pub fn ephemeral(now: OffsetDateTime) -> anyhow::Result<TestCa> {
    let (der, key) = new_ca(now)?;
    let issuer = Issuer::from_ca_cert_der(&CertificateDer::from(der.clone()), key).context("the test CA")?;
    Ok(TestCa { der, issuer })
}

fn new_ca(now: OffsetDateTime) -> anyhow::Result<(Vec<u8>, KeyPair)> {
    let mut params = CertificateParams::new(Vec::<String>::new())?;
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.distinguished_name.push(DnType::CountryName, "SE");
    params
        .distinguished_name
        .push(DnType::OrganizationName, "Devportal test QTSP (not a real QTSP)");
    params
        .distinguished_name
        .push(DnType::CommonName, "Devportal Test QTSP CA");
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params.not_before = now - Duration::days(1);
    params.not_after = now + Duration::days(3650);
    let key = KeyPair::generate()?;
    let cert = params.self_signed(&key)?;
    Ok((cert.der().to_vec(), key))
}

/// A test certificate as handed out, once.
pub struct Issued {
    pub certificate: TestCertificate,
    pub certificate_pem: String,
    pub private_key_pem: String,
    /// The key and the chain, under the developer's passphrase.
    pub pkcs12: Vec<u8>,
}

/// Issues a test certificate for the application with these roles, the key
/// in a PKCS#12 file under `passphrase` (and in PEM, for curl's --key).
pub async fn issue(
    svc: &Services,
    app: &Owned,
    client_address: &str,
    roles: &[String],
    passphrase: &str,
    confirmation: Option<&str>,
) -> Result<Issued, ServiceError> {
    let roles = test_qtsp::check_request(roles, passphrase, confirmation).map_err(|e| {
        let field = match e {
            test_qtsp::Invalid::NoRole | test_qtsp::Invalid::UnknownRole(_) => "roles",
            test_qtsp::Invalid::ShortPassphrase => "passphrase",
            test_qtsp::Invalid::PassphrasesDiffer => "passphrase_confirmation",
        };
        ServiceError::invalid(field, e.to_string())
    })?;
    let dev = app.owner();
    let now = svc.now();
    let organization_id = test_qtsp::organization_id(dev.id);
    let key = KeyPair::generate().map_err(anyhow::Error::from)?;
    let params = leaf(&app.id, &dev.organization, &organization_id, &roles, now)?;
    let cert = params
        .signed_by(&key, &svc.test_ca.issuer)
        .map_err(anyhow::Error::from)?;
    let der = cert.der().to_vec();
    let parsed = qwac::from_pem_or_der(&der, now)
        .map_err(|r| anyhow::anyhow!("the test certificate does not read as a QWAC: {}", r.message))?;
    let certificate = TestCertificate {
        id: Services::new_id(),
        application_id: app.id.clone(),
        organization_id,
        roles: roles.iter().map(|r| r.to_string()).collect(),
        serial: parsed.serial,
        subject: parsed.subject,
        not_before: parsed.not_before,
        not_after: parsed.not_after,
        fingerprint: parsed.fingerprint,
        created_at: now,
    };
    let pkcs12 = pkcs12(&key, &der, &svc.test_ca.der, passphrase)?;
    let mut tx = svc.db.begin().await?;
    store::insert(tx.exec(), &certificate, &der).await?;
    let entry = Entry::new(
        Event::TestCertificateIssued,
        &Actor::of(dev, client_address),
        Target::application(&app.id),
        format!(
            "{} · {} · {} · SHA-256 {}",
            app.name,
            certificate.organization_id,
            certificate.roles.join(" "),
            certificate.fingerprint
        ),
    );
    audit::append(svc, tx.exec(), &entry).await?;
    tx.commit().await?;
    tracing::info!(user_id = dev.id, application_id = %app.id, fingerprint = %certificate.fingerprint, "test certificate issued");
    Ok(Issued {
        certificate,
        certificate_pem: cert.pem(),
        private_key_pem: key.serialize_pem(),
        pkcs12,
    })
}

/// The application's test certificates, newest first.
pub async fn of_application(svc: &Services, app: &Owned) -> Result<Vec<TestCertificate>, ServiceError> {
    let mut conn = svc.db.conn().await?;
    Ok(store::for_application(conn.exec(), &app.id).await?)
}

/// A QWAC-shaped certificate: the PSD2 qcStatements with `TEST` as the
/// authority, the organizationIdentifier, server and client authentication.
fn leaf(
    application_id: &str,
    organization: &str,
    organization_id: &str,
    roles: &[&'static str],
    now: OffsetDateTime,
) -> Result<CertificateParams, ServiceError> {
    let host = format!("{application_id}.test-tpp.invalid");
    let mut p = CertificateParams::new(vec![host.clone()]).map_err(anyhow::Error::from)?;
    p.distinguished_name.push(DnType::CountryName, "SE");
    let organization = if organization.trim().is_empty() {
        "Test TPP"
    } else {
        organization.trim()
    };
    p.distinguished_name
        .push(DnType::OrganizationName, DnValue::Utf8String(organization.to_string()));
    p.distinguished_name.push(
        DnType::CustomDnType(vec![2, 5, 4, 97]),
        DnValue::Utf8String(organization_id.to_string()),
    );
    p.distinguished_name.push(DnType::CommonName, host);
    let mut serial = [0u8; 16];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut serial);
    serial[0] &= 0x7f;
    p.serial_number = Some(SerialNumber::from_slice(&serial));
    // An hour back: a client whose clock is a little behind still accepts it.
    p.not_before = now - Duration::hours(1);
    p.not_after = now + test_qtsp::VALIDITY;
    p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth, ExtendedKeyUsagePurpose::ClientAuth];
    p.use_authority_key_identifier_extension = true;
    let codes: Vec<(u64, &str)> = roles
        .iter()
        .filter_map(|r| match *r {
            "PSP_AI" => Some(encode::PSP_AI),
            "PSP_PI" => Some(encode::PSP_PI),
            _ => None,
        })
        .collect();
    let statements = encode::qc_statements(
        encode::QC_TYPE_WEB,
        Some((&codes, test_qtsp::NCA_NAME, test_qtsp::NCA_ID)),
    );
    p.custom_extensions.push(CustomExtension::from_oid_content(
        &[1, 3, 6, 1, 5, 5, 7, 1, 3],
        statements,
    ));
    Ok(p)
}

/// PKCS#12 with the key, the certificate and the CA (PBES2 with AES-256 and
/// HMAC-SHA256, which OpenSSL 3, curl and Postman open).
fn pkcs12(key: &KeyPair, der: &[u8], ca_der: &[u8], passphrase: &str) -> Result<Vec<u8>, ServiceError> {
    use p12_keystore::{Certificate, KeyStore, KeyStoreEntry, PrivateKey, PrivateKeyChain};
    let wrap = |e: p12_keystore::error::Error| ServiceError::Internal(anyhow::anyhow!("PKCS#12: {e}"));
    let chain = PrivateKeyChain::new(
        qwac::fingerprint(der).replace(':', "").into_bytes(),
        PrivateKey::from_der(&key.serialize_der()).map_err(wrap)?,
        [
            Certificate::from_der(der).map_err(wrap)?,
            Certificate::from_der(ca_der).map_err(wrap)?,
        ],
    );
    let mut store = KeyStore::new();
    store.add_entry("test-qwac", KeyStoreEntry::PrivateKeyChain(chain));
    store.writer(passphrase).write().map_err(wrap)
}
