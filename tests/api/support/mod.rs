//! What the tests share: the portal on a random port with its own database
//! and a real SMTP server (`app`, `smtp`), clients for its pages, its JSON
//! API and its sandbox gateway (`web_client`, `api_client`, `tpp`), direct
//! database access (`database`), a real browser (`chrome`), the OpenAPI
//! response check (`openapi`) and the test certificates (`fixture`).

pub mod api_client;
pub mod app;
pub mod chrome;
pub mod database;
pub mod openapi;
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
