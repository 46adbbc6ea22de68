//! The TLS listener's configuration. The server certificate is the one
//! configured, or a self-signed one for localhost made on first start (so a
//! fresh machine serves both listeners). Client certificates are verified
//! against the configured QTSP roots and the portal's own test CA, and are
//! optional at the handshake: a connection without one is accepted, and only
//! the routes that need one refuse the request. A certificate that is
//! presented but expired or from an unknown issuer ends the handshake with
//! TLS's own alert (RFC 8705 leaves that to the TLS layer).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::WebPkiClientVerifier;
use rustls::{RootCertStore, ServerConfig};

use crate::config::TlsConfig;

/// The rustls configuration of the TLS listener; `test_ca` is the portal's
/// test QTSP, whose certificates the sandbox accepts.
pub fn server_config(tls: &TlsConfig, test_ca: &[CertificateDer<'static>]) -> anyhow::Result<Arc<ServerConfig>> {
    let (chain, key) = server_identity(tls)?;
    let mut roots = RootCertStore::empty();
    if let Some(path) = &tls.client_ca {
        let bundle = CertificateDer::pem_file_iter(path)
            .with_context(|| format!("reading DEVPORTAL_MTLS_CLIENT_CA {}", path.display()))?;
        for cert in bundle {
            roots
                .add(cert.with_context(|| format!("a certificate in {}", path.display()))?)
                .with_context(|| format!("a CA certificate in {}", path.display()))?;
        }
    }
    for ca in test_ca {
        roots.add(ca.clone()).context("the test CA")?;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = if roots.is_empty() {
        WebPkiClientVerifier::no_client_auth()
    } else {
        WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone())
            .allow_unauthenticated()
            .build()
            .context("the client certificate verifier")?
    };
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context("TLS versions")?
        .with_client_cert_verifier(verifier)
        .with_single_cert(chain, key)
        .context("the TLS server certificate and key")?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

type Identity = (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>);

/// The configured certificate and key, or the self-signed pair.
fn server_identity(tls: &TlsConfig) -> anyhow::Result<Identity> {
    let (cert, key) = match (&tls.cert, &tls.key) {
        (Some(cert), Some(key)) => (cert.clone(), key.clone()),
        (None, None) => self_signed(&tls.data_dir)?,
        _ => anyhow::bail!("set both DEVPORTAL_TLS_CERT and DEVPORTAL_TLS_KEY, or neither"),
    };
    let chain = CertificateDer::pem_file_iter(&cert)
        .with_context(|| format!("reading {}", cert.display()))?
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("a certificate in {}", cert.display()))?;
    anyhow::ensure!(!chain.is_empty(), "{} holds no certificate", cert.display());
    let key = PrivateKeyDer::from_pem_file(&key).with_context(|| format!("reading the key {}", key.display()))?;
    Ok((chain, key))
}

/// `<data>/tls/localhost.pem` and `.key`, made on first use.
fn self_signed(data_dir: &Path) -> anyhow::Result<(PathBuf, PathBuf)> {
    let dir = data_dir.join("tls");
    let (cert, key) = (dir.join("localhost.pem"), dir.join("localhost.key"));
    if cert.exists() && key.exists() {
        return Ok((cert, key));
    }
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let made = rcgen::generate_simple_self_signed(vec!["localhost".to_string(), "127.0.0.1".to_string()])
        .context("making a self-signed certificate")?;
    crate::files::write_private(&key, made.signing_key.serialize_pem().as_bytes())
        .with_context(|| format!("writing {}", key.display()))?;
    std::fs::write(&cert, made.cert.pem()).with_context(|| format!("writing {}", cert.display()))?;
    tracing::warn!(
        certificate = %cert.display(),
        "no DEVPORTAL_TLS_CERT/DEVPORTAL_TLS_KEY: made a self-signed certificate for localhost; clients must trust it \
         (curl --cacert) or be told not to check (curl -k). Set both for a real server certificate."
    );
    Ok((cert, key))
}
