//! What an account has, for the dashboard's checklist: one read.

use super::row::load;
use super::{Exec, Result, sql};
use crate::domain::journey::Progress;

load!(Progress {
    applications,
    first_application,
    subscribed_application,
    keyed_application,
    served_calls,
    certificates,
    production_keys,
    production_subscriptions,
});

pub async fn progress(ex: Exec<'_>, developer_id: i64) -> Result<Progress> {
    sql("SELECT \
           (SELECT COUNT(*) FROM applications WHERE developer_id = $1) AS applications, \
           (SELECT id FROM applications WHERE developer_id = $1 ORDER BY created_at, id LIMIT 1) AS first_application, \
           (SELECT s.application_id FROM subscriptions s JOIN applications a ON a.id = s.application_id \
              JOIN apis p ON p.id = s.api_id WHERE a.developer_id = $1 AND p.environment = 'sandbox' \
              ORDER BY s.created_at LIMIT 1) AS subscribed_application, \
           (SELECT k.application_id FROM client_keys k JOIN applications a ON a.id = k.application_id \
              WHERE a.developer_id = $1 AND k.environment = 'sandbox' ORDER BY k.created_at LIMIT 1) AS keyed_application, \
           (SELECT COUNT(*) FROM api_usage u JOIN applications a ON a.id = u.application_id \
              WHERE a.developer_id = $1 AND u.calls > u.throttled) AS served_calls, \
           (SELECT COUNT(*) FROM certificates c WHERE c.developer_id = $1 AND c.active) AS certificates, \
           (SELECT COUNT(*) FROM client_keys k JOIN applications a ON a.id = k.application_id \
              WHERE a.developer_id = $1 AND k.environment = 'production') AS production_keys, \
           (SELECT COUNT(*) FROM subscriptions s JOIN applications a ON a.id = s.application_id \
              JOIN apis p ON p.id = s.api_id WHERE a.developer_id = $1 AND p.environment = 'production') \
              AS production_subscriptions")
    .bind(developer_id)
    .one(ex)
    .await
}
