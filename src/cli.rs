//! The command line.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "drconsole",
    version,
    about = "Terminal operations console for multi-region AWS disaster recovery",
    long_about = "Shows the primary and standby regions side by side and runs failover and \
                  failback runbooks step by step. Without an estate file it runs on a built-in \
                  simulated estate."
)]
pub struct Cli {
    /// Estate file (else $DRCONSOLE_CONFIG, else $XDG_CONFIG_HOME/drconsole/config.toml).
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,

    /// Theme: dark, light, high-contrast, or a path to a theme file.
    #[arg(long, global = true, default_value = "dark")]
    pub theme: String,

    /// Run the simulator even when an estate file is found (it then simulates that estate).
    #[arg(long, global = true)]
    pub simulate: bool,

    /// Simulator clock speed: 10 makes a five-minute promotion take thirty seconds.
    #[arg(long, global = true, default_value_t = 1.0)]
    pub sim_speed: f64,

    /// Simulator seed: the same seed gives the same run.
    #[arg(long, global = true, default_value_t = 7)]
    pub seed: u64,

    /// Remove every action: monitoring only.
    #[arg(long, global = true)]
    pub read_only: bool,

    /// Runbooks show every step's plan and call nothing.
    #[arg(long, global = true)]
    pub dry_run: bool,

    /// Audit log, JSON lines (default: audit.jsonl in the state directory).
    #[arg(long, global = true)]
    pub audit_log: Option<PathBuf>,

    /// Where run journals and drill reports go (default: $XDG_STATE_HOME/drconsole).
    #[arg(long, global = true)]
    pub state_dir: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate an estate file and print a summary.
    Check,
    /// Print one snapshot of both regions; exit 0 ready, 1 degraded, 2 unreadable.
    Status {
        /// JSON with every field the dashboard shows.
        #[arg(long)]
        json: bool,
    },
    /// Run a runbook without the console, printing its live log.
    Run {
        /// `failover`, `failback`, or a runbook written in the estate file.
        name: String,
        /// Confirm every reversible step. Without it only the plan is printed.
        #[arg(long)]
        yes: bool,
        /// Also confirm irreversible steps (promote a replica, global failover).
        #[arg(long)]
        allow_irreversible: bool,
    },
    /// Print a least-privilege IAM policy for the estate.
    IamPolicy {
        /// Include the actions runbooks need to change things.
        #[arg(long)]
        operate: bool,
    },
}
