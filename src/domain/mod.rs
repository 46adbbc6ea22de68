//! Types and rules of the portal. Nothing here knows HTTP or SQL; a value of
//! a domain type is valid by construction (parse, don't validate).

pub mod application;
pub mod audit;
pub mod authorization;
pub mod bankid;
pub mod catalogue;
pub mod consent;
pub mod contact;
pub mod email;
pub mod journey;
pub mod mail;
pub mod password;
pub mod personal_token;
pub mod personnummer;
pub mod profile;
pub mod qwac;
pub mod sandbox;
pub mod sandbox_users;
pub mod secret;
pub mod test_qtsp;
pub mod text;
pub mod user;
pub mod validation;
