//! Integration tests over real HTTP: the app bound on port 0, on SQLite and on PostgreSQL
//! (`PORTCULLIS_TEST_DATABASE_URL`, one fresh database per test).

// A test fails by panicking.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod helpers;

mod audit;
mod auth;
mod authzen;
mod console;
mod decisions;
mod hostile;
mod identity;
mod keys;
mod objects;
mod openapi;
mod operations;
mod restart;
mod storage;
mod tenants;
mod transfer;
mod upgrade;
mod users;
