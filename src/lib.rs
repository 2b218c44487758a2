//! drconsole: a terminal operations console for multi-region AWS disaster recovery.

// BackendError carries region, operation, resource and AWS code so that every failure can be
// acted on; it is built once per failed call, never in a hot loop, so its size is no cost.
#![allow(clippy::result_large_err)]

pub mod app;
pub mod backend;
pub mod cli;
pub mod config;
pub mod console;
pub mod evaluate;
pub mod exit;
pub mod init;
pub mod manual;
pub mod model;
pub mod poll;
pub mod posture;
pub mod readiness;
pub mod runbook;
pub mod serve;
pub mod status;
pub mod timefmt;
pub mod ui;
