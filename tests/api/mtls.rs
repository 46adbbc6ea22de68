//! The TLS listener over real TLS: client certificates verified in the
//! handshake and seen by the portal, connections without one accepted,
//! unknown or expired ones refused by TLS itself; the RFC 9440 header of a
//! trusted proxy honoured on the plain listener only when configured; the
//! self-signed server certificate made once and kept.

use base64::Engine;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose,
};
use serde_json::Value;

use crate::support::mtls::{fixture_identity, fixtures_dir, https_client, spawn_tls_app};

async fn check(client: &reqwest::Client, base: &str) -> Result<Value, reqwest::Error> {
    client.get(format!("{base}/mtls/check")).send().await?.json().await
}

#[tokio::test]
async fn the_tls_listener_sees_the_verified_client_certificate_and_accepts_connections_without_one() {
    let data = tempfile::tempdir().unwrap();
    let app = spawn_tls_app(data.path(), |c| {
        c.tls.client_cert_header = Some("client-cert".parse().unwrap());
    })
    .await;
    let tls = app.tls_base.clone().unwrap();
    let with = https_client(data.path(), Some(&fixture_identity("qwac-ai-pi.pem", "qwac-ai-pi.key")));
    let seen = check(&with, &tls).await.unwrap();
    assert_eq!(
        (seen["channel"].as_str(), seen["presented"].as_bool()),
        (Some("tls"), Some(true))
    );
    assert_eq!(seen["certificate"]["qwac"]["organization_id"], "PSDSE-FINA-900001");
    assert_eq!(
        seen["certificate"]["qwac"]["roles"],
        serde_json::json!(["PSP_AI", "PSP_PI"])
    );

    let without = https_client(data.path(), None);
    let seen = check(&without, &tls).await.unwrap();
    assert_eq!(seen["presented"], false, "no certificate, still served: {seen}");

    // On the TLS listener the proxy header means nothing, even when configured.
    let der = pem_to_der(&std::fs::read(fixtures_dir().join("qwac-pi-only.pem")).unwrap());
    let spoofed = without
        .get(format!("{tls}/mtls/check"))
        .header(
            "client-cert",
            format!(":{}:", base64::engine::general_purpose::STANDARD.encode(&der)),
        )
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(spoofed["presented"], false);
}

#[tokio::test]
async fn an_expired_certificate_or_one_from_an_unknown_issuer_ends_the_handshake() {
    let data = tempfile::tempdir().unwrap();
    let (trusted_ca, trusted) = ca("Trusted Test QTSP");
    let (_, stranger) = ca("Unknown QTSP");
    // The bundle holds several roots: the fixtures' QTSP and one made here.
    let bundle = data.path().join("qtsp-roots.pem");
    let mut roots = std::fs::read(fixtures_dir().join("test-qtsp-ca.pem")).unwrap();
    roots.extend(trusted_ca.as_bytes());
    std::fs::write(&bundle, roots).unwrap();
    let app = spawn_tls_app(data.path(), move |c| c.tls.client_ca = Some(bundle)).await;
    let tls = app.tls_base.clone().unwrap();
    let now = time::OffsetDateTime::now_utc();

    let valid = leaf(&trusted, now - time::Duration::days(1), now + time::Duration::days(30));
    let seen = check(&https_client(data.path(), Some(&valid)), &tls).await.unwrap();
    assert_eq!(seen["presented"], true, "a second root in the bundle is trusted too");
    assert_eq!(
        seen["certificate"]["qwac"]["refused"], "not_qualified",
        "seen, though not a QWAC"
    );

    let expired = leaf(&trusted, now - time::Duration::days(60), now - time::Duration::days(1));
    let refused = check(&https_client(data.path(), Some(&expired)), &tls).await;
    assert!(
        refused.is_err(),
        "an expired certificate is refused in the handshake: {refused:?}"
    );

    let unknown = leaf(&stranger, now - time::Duration::days(1), now + time::Duration::days(30));
    let refused = check(&https_client(data.path(), Some(&unknown)), &tls).await;
    assert!(
        refused.is_err(),
        "an unknown issuer is refused in the handshake: {refused:?}"
    );
}

#[tokio::test]
async fn the_proxy_header_is_honoured_on_the_plain_listener_only_when_configured() {
    let der = pem_to_der(&std::fs::read(fixtures_dir().join("qwac-ai-pi.pem")).unwrap());
    let header = format!(":{}:", base64::engine::general_purpose::STANDARD.encode(&der));
    for (configured, seen_by_portal) in [(false, false), (true, true)] {
        let data = tempfile::tempdir().unwrap();
        let app = spawn_tls_app(data.path(), move |c| {
            c.tls.client_cert_header = configured.then(|| "client-cert".parse().unwrap());
        })
        .await;
        let seen: Value = reqwest::Client::new()
            .get(format!("{}/mtls/check", app.base))
            .header("client-cert", &header)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(seen["channel"], "proxy");
        assert_eq!(seen["presented"], seen_by_portal, "header setting {configured}: {seen}");
        if seen_by_portal {
            assert_eq!(seen["certificate"]["qwac"]["organization_id"], "PSDSE-FINA-900001");
        }
    }
}

#[tokio::test]
async fn a_first_start_makes_a_self_signed_server_certificate_and_later_starts_keep_it() {
    let data = tempfile::tempdir().unwrap();
    let first = spawn_tls_app(data.path(), |_| {}).await;
    first.shut_down().await;
    let made = std::fs::read(data.path().join("tls/localhost.pem")).unwrap();
    let key = data.path().join("tls/localhost.key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let second = spawn_tls_app(data.path(), |_| {}).await;
    assert_eq!(std::fs::read(data.path().join("tls/localhost.pem")).unwrap(), made);
    // And clients that trust it reach the second instance.
    let seen = check(&https_client(data.path(), None), second.tls_base.as_ref().unwrap()).await;
    assert!(seen.is_ok(), "{seen:?}");
}

fn pem_to_der(pem: &[u8]) -> Vec<u8> {
    let text = String::from_utf8(pem.to_vec()).unwrap();
    let body: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD.decode(body).unwrap()
}

/// A CA made here: its certificate (PEM) and what signs with it.
fn ca(name: &str) -> (String, Issuer<'static, KeyPair>) {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, name);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let key = KeyPair::generate().unwrap();
    let cert = params.self_signed(&key).unwrap();
    (cert.pem(), Issuer::new(params, key))
}

/// A client certificate (and its key, PEM) valid from `from` to `to`.
fn leaf(issuer: &Issuer<'static, KeyPair>, from: time::OffsetDateTime, to: time::OffsetDateTime) -> Vec<u8> {
    let mut params = CertificateParams::new(vec!["tpp.example".to_string()]).unwrap();
    params.distinguished_name.push(DnType::CommonName, "tpp.example");
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    params.not_before = from;
    params.not_after = to;
    let key = KeyPair::generate().unwrap();
    let cert = params.signed_by(&key, issuer).unwrap();
    format!("{}{}", cert.pem(), key.serialize_pem()).into_bytes()
}

#[tokio::test]
async fn a_configured_server_certificate_is_served_and_half_a_pair_refuses_to_start() {
    let data = tempfile::tempdir().unwrap();
    let (ca_pem, issuer) = ca("Bank Server CA");
    let mut params = CertificateParams::new(vec!["127.0.0.1".to_string(), "mtls.bank.example".to_string()]).unwrap();
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let key = KeyPair::generate().unwrap();
    let cert = params.signed_by(&key, &issuer).unwrap();
    let (cert_file, key_file) = (data.path().join("server.pem"), data.path().join("server.key"));
    std::fs::write(&cert_file, cert.pem()).unwrap();
    std::fs::write(&key_file, key.serialize_pem()).unwrap();

    let (c, k) = (cert_file.clone(), key_file.clone());
    let app = spawn_tls_app(data.path(), move |config| {
        config.tls.cert = Some(c);
        config.tls.key = Some(k);
        config.tls.public_url = Some("https://mtls.bank.example/".parse().unwrap());
    })
    .await;
    assert!(
        !data.path().join("tls/localhost.pem").exists(),
        "no self-signed certificate is made"
    );
    let client = reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(ca_pem.as_bytes()).unwrap())
        .build()
        .unwrap();
    let seen = check(&client, app.tls_base.as_ref().unwrap()).await;
    assert!(
        seen.is_ok(),
        "the configured certificate is what clients verify: {seen:?}"
    );
    // TPPs are sent to the public address, not the listener's.
    let metadata: Value = reqwest::get(format!("{}/.well-known/oauth-authorization-server", app.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        metadata["mtls_endpoint_aliases"]["token_endpoint"],
        "https://mtls.bank.example/oauth2/token"
    );

    let why = crate::support::refusal_to_start(None, move |config| {
        config.tls.bind = Some(std::net::SocketAddr::from(([127, 0, 0, 1], 0)));
        config.tls.cert = Some(cert_file);
    })
    .await;
    assert!(
        why.unwrap_or_default()
            .contains("DEVPORTAL_TLS_CERT and DEVPORTAL_TLS_KEY")
    );
}
