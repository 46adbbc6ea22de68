#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

//! The one integration-test binary: the portal over real HTTP, with its own
//! database per test and a real SMTP server.

mod admin;
mod applications;
mod audit;
mod authorization;
mod branding;
mod browser_journeys;
mod catalogue;
mod certificates;
mod consents;
mod console;
mod customer_authorization;
mod dashboard;
mod decoupled;
mod documentation;
mod faults;
mod form_errors;
mod json_api;
mod mail_delivery;
mod migrations_and_settings;
mod mtls;
mod my_consents;
mod operations;
mod pages_security;
mod password_reset;
mod postman;
mod privacy;
mod production;
mod races;
mod retention;
mod sandbox_accounts;
mod sandbox_openapi;
mod sandbox_payments;
mod sign_in;
mod sign_up;
mod support;
mod test_certificates;
mod text_rules;
mod token_endpoint;
mod two_instances;
