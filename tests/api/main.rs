#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

//! The one integration-test binary: the portal over real HTTP, with its own
//! database per test and a real SMTP server.

mod admin;
mod applications;
mod audit;
mod authorization;
mod browser;
mod certificates;
mod console;
mod helpers;
mod json_api;
mod mail;
mod oauth;
mod openapi_check;
mod races;
mod reset;
mod sandbox_accounts;
mod sandbox_client;
mod sandbox_openapi;
mod sandbox_payments;
mod security;
mod signin;
mod signup;
mod smtp;
mod storage;
mod store;
