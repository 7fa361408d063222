//! HTTP-level tests of the shop monolith: one real server per test, real SQLite file.
//!
//! These tests are the contract an extracted service must keep: each domain's file covers
//! every route of that domain, its happy path and its main error cases.

mod support;

mod app;
mod cart;
mod catalog;
mod customers;
mod inventory;
mod notifications;
mod orders;
mod payments;
mod readme;
mod shipping;
