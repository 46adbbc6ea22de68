//! What a test reads or writes straight in the portal's database, past the
//! portal: to set up a state the pages cannot make, or to check what is
//! stored (hashes, audit rows, that nothing was left behind).

use super::app::TestApp;

impl TestApp {
    /// The one number a query answers (a COUNT).
    pub async fn count(&self, sql: &str) -> i64 {
        use devportal::storage::Db;
        match &self.svc.db {
            Db::Sqlite(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
            Db::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
        }
    }

    /// The first column, as text, of every row a query answers.
    pub async fn rows(&self, sql: &str) -> Vec<String> {
        use devportal::storage::Db;
        match &self.svc.db {
            Db::Sqlite(p) => sqlx::query_scalar(sql).fetch_all(p).await.unwrap(),
            Db::Postgres(p) => sqlx::query_scalar(sql).fetch_all(p).await.unwrap(),
        }
    }

    /// Runs a statement directly on the test database.
    pub async fn exec(&self, sql: &str) {
        use devportal::storage::Db;
        match &self.svc.db {
            Db::Sqlite(p) => sqlx::query(sql).execute(p).await.map(|_| ()).unwrap(),
            Db::Postgres(p) => sqlx::query(sql).execute(p).await.map(|_| ()).unwrap(),
        }
    }

    /// Runs one statement; the database's error as text if it refuses.
    pub async fn try_exec(&self, sql: &str) -> Result<(), String> {
        use devportal::storage::Db;
        let r = match &self.svc.db {
            Db::Sqlite(p) => sqlx::query(sql).execute(p).await.map(|_| ()),
            Db::Postgres(p) => sqlx::query(sql).execute(p).await.map(|_| ()),
        };
        r.map_err(|e| e.to_string())
    }

    /// The audit log, oldest first, read straight from the table.
    pub async fn audit_rows(&self) -> Vec<AuditRow> {
        use devportal::storage::Db;
        let sql = "SELECT event, actor_id, actor_email, client_addr, target_kind, target_id, detail FROM audit_log ORDER BY id";
        match &self.svc.db {
            Db::Sqlite(p) => sqlx::query_as(sql).fetch_all(p).await.unwrap(),
            Db::Postgres(p) => sqlx::query_as(sql).fetch_all(p).await.unwrap(),
        }
    }

    /// The audit rows of one event, oldest first.
    pub async fn audited(&self, event: &str) -> Vec<AuditRow> {
        self.audit_rows()
            .await
            .into_iter()
            .filter(|r| r.event == event)
            .collect()
    }

    /// Rows in every table of the schema (sessions included), by table name.
    pub async fn table_counts(&self) -> std::collections::BTreeMap<String, i64> {
        use devportal::storage::Db;
        let tables: Vec<String> = match &self.svc.db {
            Db::Sqlite(p) => sqlx::query_scalar(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations'",
            )
            .fetch_all(p)
            .await
            .unwrap(),
            Db::Postgres(p) => sqlx::query_scalar(
                "SELECT CASE WHEN table_schema = 'public' THEN table_name ELSE table_schema || '.' || table_name END \
                 FROM information_schema.tables WHERE table_schema IN ('public', 'tower_sessions') \
                 AND table_type = 'BASE TABLE' AND table_name <> '_sqlx_migrations'",
            )
            .fetch_all(p)
            .await
            .unwrap(),
        };
        let mut counts = std::collections::BTreeMap::new();
        for t in tables {
            let n = self.count(&format!("SELECT COUNT(*) FROM {t}")).await;
            counts.insert(t.replace("tower_sessions.session", "tower_sessions"), n);
        }
        counts
    }
}

/// One row of the audit log as a test reads it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AuditRow {
    pub event: String,
    pub actor_id: Option<i64>,
    pub actor_email: String,
    pub client_addr: String,
    pub target_kind: String,
    pub target_id: String,
    pub detail: String,
}
