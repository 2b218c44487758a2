//! drconsole: a terminal operations console for multi-region AWS disaster recovery.

pub mod backend;
pub mod config;
pub mod model;
pub mod runbook;
