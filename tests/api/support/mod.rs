//! What the tests share: the portal on a random port with its own database
//! and a real SMTP server (`app`, `smtp`), clients for its pages, its JSON
//! API and its sandbox gateway (`web_client`, `api_client`, `tpp`), direct
//! database access (`database`), a real browser (`chrome`), the OpenAPI
//! response check (`openapi`) and the test certificates (`fixture`).

pub mod api_client;
pub mod app;
pub mod chrome;
pub mod database;
pub mod instances;
pub mod mtls;
pub mod openapi;
pub mod psu;
pub mod smtp;
pub mod tpp;
pub mod web_client;

pub use api_client::*;
pub use app::*;
pub use database::*;
pub use web_client::*;

/// A file of tests/fixtures/certs (see its README for what each one is).
pub fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/certs")
            .join(name),
    )
    .unwrap()
}

/// `challenge` signed with the private key of a fixture certificate, as a
/// developer does with the command the page shows (the real `openssl`).
pub fn sign_with_fixture_key(key: &str, challenge: &str) -> String {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let key = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/certs")
        .join(key);
    let mut openssl = Command::new("openssl")
        .args(["dgst", "-sha256", "-sign"])
        .arg(key)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("openssl is installed");
    openssl.stdin.take().unwrap().write_all(challenge.as_bytes()).unwrap();
    let out = openssl.wait_with_output().unwrap();
    assert!(out.status.success());
    base64::Engine::encode(&base64::engine::general_purpose::STANDARD, out.stdout)
}
