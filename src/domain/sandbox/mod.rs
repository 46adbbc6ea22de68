//! The sandbox bank: customers, accounts and transactions for the bank's
//! documented test users, and a customer made up deterministically from any
//! other valid personnummer. Pure data; the gateway serves it.

pub mod customers;
pub mod money;
pub mod payments;

pub use customers::{Account, Customer, Refusal, Transaction, TransactionStatus, customer};
pub use money::Money;
