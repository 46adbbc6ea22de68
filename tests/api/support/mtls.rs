//! The portal with its TLS listener on (a random port, its self-signed
//! server certificate in a folder of the test's own, client certificates
//! from the fixtures' test QTSP), and HTTPS clients with or without a
//! client certificate, over real TLS (reqwest with rustls).

use std::path::{Path, PathBuf};

use devportal::config::Config;

use super::app::{Mail, TestApp, spawn_app_configured};

pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/certs")
}

/// A portal whose TLS listener trusts the fixtures' test QTSP; `tweak`
/// has the last word.
pub async fn spawn_tls_app(data_dir: &Path, tweak: impl FnOnce(&mut Config)) -> TestApp {
    let data_dir = data_dir.to_path_buf();
    spawn_app_configured(Mail::Smtp, move |c| {
        c.tls.bind = Some(std::net::SocketAddr::from(([127, 0, 0, 1], 0)));
        c.tls.data_dir = data_dir;
        c.tls.client_ca = Some(fixtures_dir().join("test-qtsp-ca.pem"));
        tweak(c);
    })
    .await
}

/// An HTTPS client that trusts the portal's self-signed certificate in
/// `data_dir` and presents `identity` (certificate and key, PEM), if any.
pub fn https_client(data_dir: &Path, identity: Option<&[u8]>) -> reqwest::Client {
    let server = std::fs::read(data_dir.join("tls/localhost.pem")).unwrap();
    let mut builder = reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(&server).unwrap());
    if let Some(pem) = identity {
        builder = builder.identity(reqwest::Identity::from_pem(pem).unwrap());
    }
    builder.build().unwrap()
}

/// A fixture certificate with its key, as one PEM (what `Identity` takes).
pub fn fixture_identity(cert: &str, key: &str) -> Vec<u8> {
    let mut pem = std::fs::read(fixtures_dir().join(cert)).unwrap();
    pem.extend(std::fs::read(fixtures_dir().join(key)).unwrap());
    pem
}
