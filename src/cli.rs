//! The command line.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::error::ErrorKind;
use clap::{Parser, Subcommand};

use crate::exit::Failure;

#[derive(Debug, Parser)]
#[command(
    name = "drconsole",
    version,
    about = "Terminal operations console for multi-region AWS disaster recovery",
    long_about = "Shows the primary and standby regions side by side and runs failover and \
                  failback runbooks step by step. Without an estate file it runs on a built-in \
                  simulated estate.",
    after_long_help = EXIT_CODES
)]
pub struct Cli {
    /// Estate file (else $DRCONSOLE_CONFIG, else $XDG_CONFIG_HOME/drconsole/config.toml, else
    /// every estates/*.toml there). Repeat it, or name a directory (every *.toml in it), for
    /// several estates: the console opens on the fleet overview.
    #[arg(long, global = true)]
    pub config: Vec<PathBuf>,

    /// Theme: dark, light, high-contrast, or a path to a theme file.
    #[arg(long, global = true, default_value = "dark")]
    pub theme: String,

    /// Run the simulator even when an estate file is found (it then simulates that estate).
    #[arg(long, global = true)]
    pub simulate: bool,

    /// Simulator clock speed, from 0.1 to 1000: 10 makes a five-minute promotion take thirty
    /// seconds.
    #[arg(long, global = true, default_value_t = 1.0, value_parser = sim_speed)]
    pub sim_speed: f64,

    /// Simulator seed (any number from 0 to 2^64 - 1): the same seed gives the same run.
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

    /// Run without the shared run lock (`[coordination]`) when its table cannot be reached;
    /// audited. This machine's lock is still taken.
    #[arg(long, global = true)]
    pub no_lock: bool,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The exit codes, as `--help` lists them (`crate::exit` names each one).
pub(crate) const EXIT_CODES: &str = "\
Exit codes:
  0   done: run completed or nothing to do, status ready, check valid
  1   run: a step failed or the run stopped (resumable); status: degraded or split brain
  2   run: plan printed, nothing called (no --yes); status: unreadable
  3   run: refused an irreversible or write-discarding step without its flag
  4   run: another operator holds the run lock
  5   the credentials belong to another account than the estate file pins
  64  usage: unknown flag or command, bad flag value, unknown runbook, console without a terminal
  69  AWS could not be set up
  70  internal error
  74  a state file, journal or output cannot be read or written
  78  the estate file is missing, unreadable or invalid (console: or the theme)";

/// Bounds of `--sim-speed`. Below 0.1 a promotion takes hours and the simulated clock barely
/// moves; above 1000 a whole failover passes between two screen refreshes, and the sleeps it
/// schedules become too short to be anything but a busy loop. Zero, negative, NaN and
/// infinite speeds stop, reverse or break the simulated clock.
pub const SIM_SPEED_MIN: f64 = 0.1;
pub const SIM_SPEED_MAX: f64 = 1000.0;

fn sim_speed(text: &str) -> Result<f64, String> {
    let expected = format!("expected a number from {SIM_SPEED_MIN} to {SIM_SPEED_MAX}");
    let value: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("{expected}, found {text:?}"))?;
    if value.is_finite() && (SIM_SPEED_MIN..=SIM_SPEED_MAX).contains(&value) {
        Ok(value)
    } else {
        Err(format!("{expected}, found {text}"))
    }
}

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

/// `drconsole init`: where the estate is, what describes it, where to write it.
#[derive(Debug, Clone, clap::Args)]
pub struct InitArgs {
    /// The region that serves traffic (e.g. us-east-1).
    #[arg(long, value_name = "REGION")]
    pub primary: String,
    /// The region failed over to.
    #[arg(long, value_name = "REGION")]
    pub standby: String,
    /// Terraform state: the JSON of `terraform show -json`, or a terraform.tfstate (v4).
    /// Repeat it for one state per region.
    #[arg(long, value_name = "FILE", required_unless_present_any = ["tag", "stack", "primary_stack", "standby_stack"])]
    pub terraform_state: Vec<PathBuf>,
    /// Find the estate by tag, in both regions: the resources carrying every tag given
    /// (repeatable; Auto Scaling groups by their own tag filter, Route 53 records by the load
    /// balancer they point at).
    #[arg(long, value_name = "KEY=VALUE")]
    pub tag: Vec<String>,
    /// Find the estate in the CloudFormation (or CDK) stack of this name in both regions.
    #[arg(long, value_name = "NAME")]
    pub stack: Option<String>,
    /// The primary region's stack, when the two are named differently (with --standby-stack).
    #[arg(long, value_name = "NAME")]
    pub primary_stack: Option<String>,
    /// The standby region's stack (with --primary-stack).
    #[arg(long, value_name = "NAME")]
    pub standby_stack: Option<String>,
    /// Where to write the estate (`-`: standard output); default NAME.toml.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Write the file even when something required is missing, with the gaps marked.
    #[arg(long)]
    pub draft: bool,
    /// Replace an existing file.
    #[arg(long)]
    pub force: bool,
    /// The estate's name (default: from the primary database, cluster or group).
    #[arg(long)]
    pub name: Option<String>,
    /// AWS profile for the primary region (also written into the estate).
    #[arg(long, value_name = "PROFILE")]
    pub primary_profile: Option<String>,
    /// AWS profile for the standby region (also written into the estate).
    #[arg(long, value_name = "PROFILE")]
    pub standby_profile: Option<String>,
    /// Endpoint for every AWS call, both regions: a local emulator or a VPC endpoint (also
    /// written into the estate).
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
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

/// What the command line asks for.
#[derive(Debug)]
pub enum Invocation {
    /// A command to run.
    Run(Box<Cli>),
    /// `--help` or `--version`: clap's text to print on standard output, then exit 0.
    Print(clap::Error),
}

impl Cli {
    /// Parses `args` (the program name first). A usage error is a [`Failure`] with
    /// [`crate::exit::USAGE`] and one line: clap's message, its tips, and the usage.
    pub fn invocation<I, T>(args: I) -> Result<Invocation, Failure>
    where
        I: IntoIterator<Item = T>,
        T: Into<OsString> + Clone,
    {
        match Cli::try_parse_from(args) {
            Ok(cli) => Ok(Invocation::Run(Box::new(cli))),
            Err(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => {
                Ok(Invocation::Print(e))
            }
            Err(e) => Err(Failure::usage(usage_line(&e))),
        }
    }
}

/// clap's error as one line without styling: `unexpected argument '--jsn' found (tip: a
/// similar argument exists: '--json'); usage: drconsole status [OPTIONS]`.
fn usage_line(e: &clap::Error) -> String {
    let text = e.render().to_string();
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = lines.next().unwrap_or("invalid command line");
    let mut out = first.strip_prefix("error: ").unwrap_or(first).to_string();
    for line in lines {
        if line.starts_with("tip: ") {
            out.push_str(&format!(" ({line})"));
        } else if let Some(usage) = line.strip_prefix("Usage: ") {
            out.push_str(&format!("; usage: {usage}"));
        }
    }
    out.push_str("; --help lists every flag");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Cli, String> {
        Cli::try_parse_from(std::iter::once("drconsole").chain(args.iter().copied()))
            .map_err(|e| e.to_string())
    }

    #[test]
    fn sim_speed_is_finite_and_within_bounds() {
        for ok in ["0.1", "1", "10", "1000", "1e3", "2.5"] {
            let cli = parse(&["--sim-speed", ok]).unwrap_or_else(|e| panic!("{ok}: {e}"));
            assert_eq!(cli.sim_speed, ok.parse::<f64>().unwrap());
        }
        for bad in [
            "0", "-1", "0.09", "NaN", "nan", "inf", "-inf", "1e7", "1000.5", "fast", "",
        ] {
            let err = match parse(&[&format!("--sim-speed={bad}")]) {
                Ok(cli) => panic!("{bad:?} accepted as {}", cli.sim_speed),
                Err(e) => e,
            };
            assert!(err.contains("--sim-speed"), "{bad}: {err}");
            assert!(err.contains("0.1") && err.contains("1000"), "{bad}: {err}");
        }
        assert_eq!(parse(&[]).expect("defaults").sim_speed, 1.0);
    }

    fn usage_error(args: &[&str]) -> Failure {
        match Cli::invocation(std::iter::once("drconsole").chain(args.iter().copied())) {
            Err(f) => f,
            Ok(i) => panic!("{args:?} accepted: {i:?}"),
        }
    }

    #[test]
    fn a_usage_error_is_one_plain_line_with_code_64() {
        for (args, words) in [
            (&["--bogus"][..], &["'--bogus'", "usage: drconsole"][..]),
            (
                &["status", "--jsn"],
                &["'--jsn'", "'--json'", "drconsole status"],
            ),
            (&["--sim-speed", "0"], &["--sim-speed", "0.1 to 1000"]),
            (&["frobnicate"], &["'frobnicate'"]),
            (&["run"], &["<NAME>"]),
        ] {
            let f = usage_error(args);
            assert_eq!(f.code, crate::exit::USAGE, "{args:?}");
            assert!(!f.message.contains('\n'), "{args:?}: {:?}", f.message);
            assert!(!f.message.contains('\u{1b}'), "{args:?}: {:?}", f.message);
            assert!(
                !f.message.starts_with("error:"),
                "{args:?}: {:?}",
                f.message
            );
            for w in words {
                assert!(
                    f.message.contains(w),
                    "{args:?}: {w} not in {:?}",
                    f.message
                );
            }
        }
    }

    #[test]
    fn help_lists_every_exit_code() {
        use crate::exit::*;
        for code in [
            OK,
            RUN_STOPPED,
            RUN_PLAN_ONLY,
            RUN_REFUSED,
            LOCK_HELD,
            ACCOUNT_MISMATCH,
            USAGE,
            AWS_UNAVAILABLE,
            INTERNAL,
            IO,
            CONFIG,
        ] {
            let row = format!("\n  {code:<3} ");
            assert!(EXIT_CODES.contains(&row), "{code} not in --help");
        }
        assert_eq!(
            EXIT_CODES.lines().count(),
            12,
            "a code in --help that exit.rs lacks"
        );
    }

    #[test]
    fn help_and_version_are_printed_not_failures() {
        for args in [&["--help"][..], &["-V"], &["status", "--help"], &["help"]] {
            let all = std::iter::once("drconsole").chain(args.iter().copied());
            match Cli::invocation(all) {
                Ok(Invocation::Print(_)) => {}
                other => panic!("{args:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn config_repeats_and_concurrency_is_bounded() {
        let cli = parse(&["status", "--config", "a.toml", "--config", "dir/"]).expect("parsed");
        assert_eq!(
            cli.config,
            [PathBuf::from("a.toml"), PathBuf::from("dir/")],
            "every --config, in order"
        );
        assert!(parse(&[]).expect("defaults").config.is_empty());
        let run = |args: &[&str]| match parse(args).map(|c| c.command) {
            Ok(Some(Command::Run { concurrency, .. })) => Ok(concurrency),
            other => Err(format!("{other:?}")),
        };
        assert_eq!(run(&["run", "failover"]), Ok(4));
        assert_eq!(run(&["run", "failover", "--concurrency", "8"]), Ok(8));
        assert!(run(&["run", "failover", "--concurrency", "0"]).is_err());
    }

    #[test]
    fn seed_takes_any_unsigned_64_bit_number() {
        for ok in ["0", "7", "18446744073709551615"] {
            let cli = parse(&["--seed", ok]).unwrap_or_else(|e| panic!("{ok}: {e}"));
            assert_eq!(cli.seed, ok.parse::<u64>().unwrap());
        }
        for bad in ["-1", "18446744073709551616", "1.5", "seven"] {
            assert!(parse(&[&format!("--seed={bad}")]).is_err(), "{bad}");
        }
    }
}
