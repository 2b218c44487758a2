//! Runbooks: failover, failback and drills, run step by step with confirmation.

pub mod spec;
