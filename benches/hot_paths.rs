#![allow(clippy::unwrap_used)]
//! The functions on every sandbox call and token request:
//! `cargo bench --bench hot_paths`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use devportal::domain::personnummer::Personnummer;
use devportal::domain::sandbox::customer;
use devportal::domain::secret::{SecretToken, hash_secret};
use devportal::gateway::dto::{AccountDto, AccountListDto};
use devportal::services::rate_limits::TokenBuckets;
use time::macros::date;

fn hot_paths(c: &mut Criterion) {
    let today = date!(2026 - 11 - 24);
    c.bench_function("personnummer parse (10-digit form)", |b| {
        b.iter(|| Personnummer::parse(black_box("550506-3676"), today))
    });
    c.bench_function("hash a presented token (SHA-256)", |b| {
        let token = SecretToken::generate();
        b.iter(|| hash_secret(black_box(token.expose())))
    });
    c.bench_function("generate a token (256 bits, OS RNG)", |b| b.iter(SecretToken::generate));
    let pnr = Personnummer::parse("195505063676", today).unwrap();
    c.bench_function("build a test user's customer", |b| {
        b.iter(|| customer(black_box(&pnr), today))
    });
    let generated = Personnummer::parse("199001011239", today).unwrap();
    c.bench_function("build a generated customer", |b| {
        b.iter(|| customer(black_box(&generated), today))
    });
    let cust = customer(&pnr, today);
    c.bench_function("GET /Accounts body to JSON", |b| {
        b.iter(|| {
            let list = AccountListDto {
                accounts: cust
                    .accounts
                    .iter()
                    .map(|a| AccountDto::new(a, &cust.name, true))
                    .collect(),
            };
            serde_json::to_vec(black_box(&list)).unwrap()
        })
    });
    let buckets = TokenBuckets::new(1e9, 1e9);
    c.bench_function("token bucket take", |b| {
        b.iter(|| buckets.take(black_box("application")))
    });
}

criterion_group!(benches, hot_paths);
criterion_main!(benches);
