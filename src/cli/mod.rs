//! The command line.

use std::path::PathBuf;

use clap::Parser;

mod command;
mod init;
mod parse;
#[cfg(test)]
mod tests;

pub use command::{AuditCommand, Command};
pub use init::InitArgs;
pub use parse::Invocation;

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
