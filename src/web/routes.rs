//! Every page of the portal and its handler, in one table: the whole URL
//! space at a glance. The JSON API, the gateway, the OpenAPI documents,
//! health and assets keep their own routers (see `web::app`).

use axum::Router;
use axum::response::Redirect;
use axum::routing::{get, post};

use super::admin::{Admin, audit, developers, mail, requests};
use super::{
    applications, auth, bank, bankid_simulator, certificates, confirm, console, console_bankid, contact, dashboard,
    data_export, keys, legal, mailbox, my_consents, pages, personal_tokens, sandbox, store, subscriptions,
    test_certificates,
};
use crate::services::Services;

/// The pages; the dev mailbox only when no SMTP server is configured.
pub fn pages(dev_mailbox: bool) -> Router<Services> {
    let router = Router::new()
        // Public pages and the account.
        .route("/", get(pages::home))
        .route("/profile", get(pages::profile))
        .route("/dashboard", get(dashboard::show))
        .route("/legal/privacy", get(legal::privacy))
        .route("/legal/terms", get(legal::terms))
        .route("/legal/approve", get(legal::approve_page).post(legal::approve))
        // Sign-up, sign-in, password.
        .route("/signup", get(auth::signup_page).post(auth::signup))
        .route("/signup/check-email", get(auth::check_email_page))
        .route("/verify-email", get(auth::verify_email))
        .route("/verify-email/resend", post(auth::resend_verification))
        .route("/signin", get(auth::signin_page).post(auth::signin))
        .route("/signout", post(auth::signout))
        .route("/password/forgot", get(auth::forgot_page).post(auth::forgot))
        .route("/password/forgot/sent", get(auth::forgot_sent_page))
        .route("/password/reset", get(auth::reset_page).post(auth::reset))
        // The bank's pages for its customer: authorization, BankID, consent.
        .route("/oauth2/authorize", get(bank::authorize))
        .route("/bank/authorize/{id}", get(bank::identify))
        .route("/bank/authorize/{id}/status", get(bank::status))
        .route("/bank/authorize/{id}/cancel", post(bank::cancel))
        .route("/bank/authorize/{id}/consent", get(bank::consent).post(bank::decide))
        .route(
            "/bankid-simulator",
            get(bankid_simulator::show).post(bankid_simulator::act),
        )
        .route("/my-consents", get(my_consents::show))
        .route("/my-consents/sign-in", post(my_consents::sign_in))
        .route("/my-consents/sign-out", post(my_consents::sign_out))
        .route("/my-consents/{id}/revoke", post(my_consents::revoke))
        // The catalogue (the store is its page) and the console.
        .route("/apis", get(store::list))
        .route("/apis/{slug}", get(store::show))
        .route("/apis/{slug}/subscribe", post(store::subscribe))
        .route("/apis/{slug}/console", get(console::form).post(console::execute))
        .route("/apis/{slug}/console/authorize", post(console_bankid::start))
        .route("/console/authorized", get(console_bankid::back))
        // Applications and what hangs on them.
        .route("/applications", get(applications::list).post(applications::create))
        .route("/applications/new", get(applications::new_form))
        .route("/applications/{id}", get(applications::show))
        .route(
            "/applications/{id}/edit",
            get(applications::edit_form).post(applications::update),
        )
        .route(
            "/applications/{id}/delete",
            get(applications::delete_page).post(applications::delete),
        )
        .route("/applications/{id}/sandbox-keys", post(keys::generate))
        .route("/applications/{id}/sandbox-keys/new", get(keys::shown))
        .route("/applications/{id}/sandbox-keys/secret", post(keys::regenerate))
        .route(
            "/applications/{id}/sandbox-keys/revoke",
            get(confirm::revoke_keys).post(keys::revoke),
        )
        .route("/applications/{id}/production-keys", post(keys::generate_production))
        .route("/applications/{id}/certificate", post(certificates::register))
        .route("/applications/{id}/certificate/confirm", post(certificates::confirm))
        .route(
            "/applications/{id}/certificate/delete",
            get(confirm::delete_certificate).post(certificates::delete),
        )
        .route("/applications/{id}/test-certificates", post(test_certificates::create))
        .route("/applications/{id}/test-certificates/new", get(test_certificates::new))
        .route(
            "/applications/{id}/sandbox/reset",
            get(confirm::reset_sandbox).post(sandbox::reset),
        )
        // Subscriptions.
        .route("/subscriptions", get(subscriptions::list))
        .route("/subscriptions/{id}", get(subscriptions::show))
        .route(
            "/subscriptions/{id}/delete",
            get(confirm::unsubscribe).post(subscriptions::unsubscribe),
        )
        // Profile changes go through a message to the bank; personal access tokens.
        .route("/contact", get(contact::form).post(contact::send))
        .route("/verify-email-change", get(contact::confirm_email))
        .route("/profile/data.json", get(data_export::download))
        .route("/profile/tokens", post(personal_tokens::create))
        .route("/profile/tokens/{id}/revoke", post(personal_tokens::revoke))
        // The bank admin area (404 to anyone but an admin).
        .route("/admin", get(|_: Admin| async { Redirect::to("/admin/requests") }))
        .route("/admin/requests", get(requests::inbox))
        .route("/admin/requests/{id}", get(requests::detail))
        .route("/admin/requests/{id}/start", post(requests::start))
        .route("/admin/requests/{id}/apply", post(requests::apply))
        .route("/admin/requests/{id}/reject", post(requests::reject))
        .route("/admin/developers", get(developers::search))
        .route("/admin/developers/{id}", get(developers::developer))
        .route("/admin/developers/{id}/disable", post(developers::disable))
        .route("/admin/developers/{id}/enable", post(developers::enable))
        .route(
            "/admin/developers/{id}/subscriptions/{sub}/block",
            post(developers::block),
        )
        .route(
            "/admin/developers/{id}/subscriptions/{sub}/unblock",
            post(developers::unblock),
        )
        .route("/admin/audit", get(audit::browse))
        .route("/admin/audit.csv", get(audit::export))
        .route("/admin/mail", get(mail::undelivered))
        .route("/admin/mail/{id}/send-again", post(mail::send_again));
    if dev_mailbox {
        return router
            .route("/dev/mailbox", get(mailbox::list))
            .route("/dev/mailbox.json", get(mailbox::list_json))
            .route("/dev/mailbox/{id}", get(mailbox::show))
            .route("/dev/mailbox/{id}/html", get(mailbox::show_html));
    }
    router
}
