//! Devportal: the developer portal and sandbox for a bank's PSD2 APIs.
//!
//! Dependencies run one way: `web` → `services` → `domain` ← `storage`;
//! `mail` delivers what services put in the outbox.

pub mod api_reference;
pub mod bankid;
pub mod brand;
pub mod client_address;
pub mod client_certificate;
pub mod clock;
pub mod code_samples;
pub mod config;
pub mod domain;
pub mod error;
pub mod files;
pub mod gateway;
pub mod mail;
pub mod metrics;
pub mod openapi;
pub mod postman;
pub mod production_bank;
pub mod services;
pub mod startup;
pub mod storage;
pub mod tls;
pub mod web;
