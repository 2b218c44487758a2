//! The subcommands: what each one takes on the command line, and what `--help` says of it.

use std::path::PathBuf;

use clap::Subcommand;

use super::InitArgs;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate an estate file and print a summary.
    Check,
    /// Print one snapshot of both regions; exit 0 ready, 1 degraded or split brain, 2 unreadable.
    Status {
        /// JSON with every field the dashboard shows (schema: assets/status.schema.json).
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
        /// Also accept a step whose data loss is not known to be zero (a promotion, a global
        /// failover or a restore: lag above 0, replication stopped, or no lag reported):
        /// what `DISCARD` typed in the console accepts. With several estates, also an estate
        /// whose loss at its promotion is unknown.
        #[arg(long)]
        allow_data_loss: bool,
        /// Run again STEP, a program or function started by an earlier run of this runbook
        /// whose outcome is unknown (the run stopped while it ran); repeatable. Without it,
        /// such a run is refused before any change.
        #[arg(long, value_name = "STEP")]
        rerun_unknown: Vec<String>,
        /// Start a new run. Without it, an unfinished run of the runbook is resumed, and a
        /// runbook whose last run completed is not run again. Unfinished runs of the runbook
        /// are marked aborted (abandoned) in their journals and the audit log, unless the
        /// estate's run lock is held on this machine (a live run is never abandoned).
        #[arg(long)]
        new: bool,
        /// Take over the run lock from USER@HOST, whose lease has expired (a live lease
        /// cannot be taken); audited.
        #[arg(long, value_name = "USER@HOST")]
        take_over: Option<String>,
        /// With several estates: how many run at once (each estate's run is its own; one
        /// that fails never stops the others).
        #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
        concurrency: u16,
        /// A drill, not a real incident: recorded from the run's first audit line, stated by
        /// the report.
        #[arg(long)]
        drill: bool,
    },
    /// Approve another operator's step that waits for a second operator
    /// (`[coordination] approval`): prints its plan, then approves it when you type the step's
    /// id (or with `--plan SHA256`). Exit 0 approved, 1 nothing pending (none, timed out,
    /// already approved), 2 plan printed and nothing approved, 3 refused (your own step, or
    /// another plan than `--plan`), 64 the estate asks for no approvals, 69 the table cannot
    /// be reached.
    Approve {
        /// The run id (`drconsole run` and the console print it).
        run_id: String,
        /// The step waiting for approval (e.g. `3`).
        step: String,
        /// Approve only the plan with this SHA-256 (printed by this command and by the run):
        /// for a script, or without a terminal.
        #[arg(long, value_name = "SHA256")]
        plan: Option<String>,
    },
    /// The audit log: `audit verify [FILE]` checks its hash chain.
    Audit {
        #[command(subcommand)]
        action: AuditCommand,
    },
    /// Make a run's report again from its journal and the audit log, on standard output.
    Report {
        /// The run id (the journal's name in the state directory's `runs/`).
        run_id: String,
        #[arg(long, value_enum, default_value = "html")]
        format: crate::runbook::report::Format,
        /// First add a finding (free text) to the run: audited with your user and host, and
        /// written into the run's report.html and report.md again.
        #[arg(long, value_name = "TEXT")]
        finding: Option<String>,
    },
    /// Write an estate file from Terraform state, confirmed by reading AWS (read-only).
    Init(Box<InitArgs>),
    /// Poll and evaluate the runbooks without a terminal, serving OpenMetrics for Prometheus
    /// at /metrics (and /healthz). Read-only. Several estates: one `estate` label each.
    Serve {
        /// Address to listen on, e.g. 127.0.0.1:9464 (port 0 picks a free one).
        #[arg(long, value_name = "ADDR")]
        metrics: std::net::SocketAddr,
    },
    /// Print a least-privilege IAM policy for the estate.
    IamPolicy {
        /// Include the actions runbooks need to change things.
        #[arg(long)]
        operate: bool,
    },
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    ///
    /// bash: `drconsole completions bash > ~/.local/share/bash-completion/completions/drconsole`;
    /// zsh: into a directory of `$fpath` as `_drconsole`; fish: into
    /// `~/.config/fish/completions/drconsole.fish`.
    Completions {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: crate::manual::Shell,
    },
    /// Print the manual page (roff): `drconsole man | man -l -`.
    Man {
        /// A command whose own page to print (`drconsole man run`); without it, drconsole(1).
        command: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check the hash chain; print the first line that breaks it. Exit 0 intact, 1 broken
    /// (`file:line` says where), 2 intact up to an incomplete last line (a crash), 3 no
    /// chained line (written before chaining), 74 unreadable.
    Verify {
        /// The file (default: the audit log and the files rotated aside from it).
        file: Option<PathBuf>,
    },
}
