//! drconsole: a terminal operations console for multi-region AWS disaster recovery.

pub mod app;
pub mod backend;
pub mod cli;
pub mod config;
pub mod model;
pub mod poll;
pub mod readiness;
pub mod runbook;
pub mod status;
pub mod ui;
