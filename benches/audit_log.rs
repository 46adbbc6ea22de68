#![allow(clippy::unwrap_used)]
//! The audit log's reads over a large table: `cargo bench --bench audit_log`
//! (SQLite in a temporary file), or with
//! `DEVPORTAL_BENCH_DATABASE_URL=postgres://…/some_empty_db` for PostgreSQL.
//! Seeds 200,000 rows: 10 % failed sign-ins, 0.1 % disabled accounts, the
//! rest successful sign-ins, from 5,000 actors and 50,000 addresses.

use criterion::{Criterion, criterion_group, criterion_main};
use devportal::domain::audit::{Event, Filter};
use devportal::services::audit::csv_line;
use devportal::storage::{Db, audit, migrate};

const ROWS: i64 = 200_000;

async fn seeded() -> (Db, Option<tempfile::TempDir>) {
    let (url, dir) = match std::env::var("DEVPORTAL_BENCH_DATABASE_URL") {
        Ok(url) => (url, None),
        Err(_) => {
            let dir = tempfile::tempdir().unwrap();
            (format!("sqlite://{}/bench.db", dir.path().display()), Some(dir))
        }
    };
    let db = Db::connect(&url).await.unwrap();
    migrate::run(&db).await.unwrap();
    let columns =
        "INSERT INTO audit_log (at, event, actor_id, actor_email, client_addr, target_kind, target_id, detail)";
    let values = "SELECT 1700000000 + i * 60, \
        CASE WHEN i % 1000 = 0 THEN 'admin.account_disabled' WHEN i % 10 = 0 THEN 'sign_in.failed' ELSE 'sign_in.succeeded' END, \
        i % 5000, 'dev' || (i % 5000) || '@example.se', '10.' || (i % 200) || '.' || (i % 250) || '.7', \
        'user', CAST(i % 5000 AS TEXT), ''";
    match &db {
        Db::Sqlite(p) => {
            let sql = format!(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {ROWS}) {columns} {values} FROM n"
            );
            sqlx::query(&sql).execute(p).await.unwrap();
        }
        Db::Postgres(p) => {
            let sql = format!("{columns} {values} FROM generate_series(1, {ROWS}) AS s(i)");
            sqlx::query(&sql).execute(p).await.unwrap();
        }
    }
    (db, dir)
}

fn audit_log(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (db, _dir) = rt.block_on(seeded());
    let page = |filter: Filter, before: Option<i64>| {
        let db = db.clone();
        rt.block_on(async move {
            let mut conn = db.conn().await.unwrap();
            audit::page(conn.exec(), &filter, before, 101).await.unwrap()
        })
    };
    c.bench_function("audit page: newest 100, no filter", |b| {
        b.iter(|| page(Filter::default(), None))
    });
    c.bench_function("audit page: deep page (below the middle)", |b| {
        b.iter(|| page(Filter::default(), Some(ROWS / 2)))
    });
    c.bench_function("audit page: a rare event (0.1 %)", |b| {
        b.iter(|| {
            page(
                Filter {
                    event: Some(Event::AccountDisabled),
                    ..Filter::default()
                },
                None,
            )
        })
    });
    c.bench_function("audit page: one account's trail (actor or target)", |b| {
        b.iter(|| {
            page(
                Filter {
                    account: Some(4321),
                    ..Filter::default()
                },
                None,
            )
        })
    });
    c.bench_function("audit page: one actor's e-mail (substring)", |b| {
        b.iter(|| {
            page(
                Filter {
                    actor: "dev4321@".into(),
                    ..Filter::default()
                },
                None,
            )
        })
    });
    c.bench_function("audit page: client address prefix", |b| {
        b.iter(|| {
            page(
                Filter {
                    client: "10.199.249.".into(),
                    ..Filter::default()
                },
                None,
            )
        })
    });
    let mut group = c.benchmark_group("audit export");
    group.sample_size(10);
    group.bench_function("CSV of the 20,000 failed sign-ins, 1,000 rows a read", |b| {
        b.iter(|| {
            let db = db.clone();
            rt.block_on(async move {
                let filter = Filter {
                    event: Some(Event::SignInFailed),
                    ..Filter::default()
                };
                let (mut before, mut bytes) = (None, 0usize);
                loop {
                    let rows = {
                        let mut conn = db.conn().await.unwrap();
                        audit::page(conn.exec(), &filter, before, 1000).await.unwrap()
                    };
                    bytes += rows.iter().map(|r| csv_line(r).len()).sum::<usize>();
                    match rows.last() {
                        Some(last) if rows.len() == 1000 => before = Some(last.id),
                        _ => break bytes,
                    }
                }
            })
        })
    });
    group.finish();
}

criterion_group!(benches, audit_log);
criterion_main!(benches);
