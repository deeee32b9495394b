//! Black-box tests: the real server on port 0 with a temporary store, driven over real HTTP.
//! Every response of the suite passes through `helpers::Client::send`, which fails the test if a
//! body carries a password hash or a `password` field.

#![allow(
    clippy::unwrap_used,
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "a test binary: a failed unwrap is a failed test, output is the test's own, and its\n              numbers are small"
)]

mod client_dashboards;
mod conditional;
mod cors;
mod dashboards;
mod errors;
mod folders;
mod groups;
mod health;
mod helpers;
mod https;
mod login;
mod metrics;
mod permissions;
mod platform;
mod process;
mod query;
mod reference;
mod reliability;
mod roles;
mod scale_out;
mod sessions;
mod settings;
mod tokens;
mod transfer;
mod users;
mod v09_users;
mod v09_writes;
mod web;
