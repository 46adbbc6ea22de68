//! The ceiling for benchmarks on this machine: bare axum answering "hello"
//! on the same tokio runtime Devportal uses (`benches/peers.sh`).
//! `cargo run --release --example hello -- 127.0.0.1:18083`

use axum::{Router, routing::get};

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:18083".into());
    let app = Router::new().route("/", get(|| async { "hello" }));
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("hello on {addr}");
    axum::serve(listener, app).await
}
