//! How runbooks start from the command line: the options of `drconsole run`, a console's run
//! context, its unfinished run, the simulator's pace, and why a headless run could not start.

use std::path::Path;
use std::sync::Arc;

use drconsole::cli::{Cli, Command};
use drconsole::config::Estate;
use drconsole::exit::{self, Failure};
use drconsole::runbook::headless::HeadlessOptions;
use drconsole::runbook::{Journal, Pace, RunContext, RunError, RunMode};

use crate::estate_cmd::Target;

/// The estate file's SHA-256, as the report states it.
pub(crate) fn estate_sha256(path: Option<&Path>) -> Option<String> {
    std::fs::read(path?)
        .ok()
        .map(|b| drconsole::runbook::audit::sha256_hex(&b))
}

/// Why a headless run could not start.
pub(crate) fn run_failure(e: RunError) -> Failure {
    match e {
        RunError::ReadOnly | RunError::UnknownRunbook(_) => Failure::usage(e.to_string()),
        RunError::Invalid(_) => Failure::config(e.to_string()),
        RunError::AlreadyFinished(_) => Failure::internal(e),
        RunError::AccountRefused(_) => Failure::new(exit::ACCOUNT_MISMATCH, e.to_string()),
    }
}

/// How an estate's console starts runs, as the command line says (`None`: read-only).
pub(crate) fn run_context(
    cli: &Cli,
    estate: &Estate,
    backend: Arc<dyn drconsole::backend::Backend>,
    pace: Pace,
) -> Option<RunContext> {
    (!cli.read_only).then(|| {
        let mode = if cli.dry_run {
            RunMode::DryRun
        } else {
            RunMode::Live
        };
        let mut ctx = RunContext::new(Arc::new(estate.clone()), backend, mode);
        if let Some(p) = &cli.audit_log {
            ctx.audit_path = p.clone();
        }
        if let Some(p) = &cli.state_dir {
            ctx.state_dir = p.clone();
        }
        ctx.pace = pace;
        ctx.lock.no_lock = cli.no_lock;
        ctx
    })
}

/// The estate's unfinished run, if its console was killed mid-run: offered for resuming.
pub(crate) fn unfinished(ctx: &RunContext) -> Result<Option<Journal>, Failure> {
    Journal::find_unfinished_of(&ctx.state_dir, &ctx.estate.name).map_err(|e| {
        Failure::io(format!(
            "reading run journals in {}: {e}",
            ctx.state_dir.display()
        ))
    })
}

/// What `drconsole run` was told (its flags and the global ones), for one estate or several.
pub(crate) fn run_options(cli: &Cli, pace: Pace) -> HeadlessOptions {
    let mut opts = HeadlessOptions {
        dry_run: cli.dry_run,
        audit_path: cli.audit_log.clone(),
        state_dir: cli.state_dir.clone(),
        pace,
        no_lock: cli.no_lock,
        ..HeadlessOptions::default()
    };
    if let Some(Command::Run {
        yes,
        allow_irreversible,
        allow_data_loss,
        rerun_unknown,
        new,
        take_over,
        drill,
        ..
    }) = &cli.command
    {
        opts.rerun_unknown = rerun_unknown.clone();
        opts.drill = *drill;
        opts.yes = *yes;
        opts.allow_irreversible = *allow_irreversible;
        opts.allow_data_loss = *allow_data_loss;
        opts.new_run = *new;
        opts.take_over = take_over.clone();
    }
    opts
}

/// Runbook timeouts follow the simulator's clock when it runs faster than real time.
pub(crate) fn pace_of(cli: &Cli, target: &Target) -> Pace {
    match &target.simulator {
        Some(_) => Pace {
            scale: cli.sim_speed,
        },
        None => Pace::REAL,
    }
}
