//! The commands on one estate, or on the simulator's built-in estate when no file is found:
//! `check`, `iam-policy`, `run`, `approve`, `status` and the console, and how that estate is
//! read and reached.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use drconsole::backend::Backend;
use drconsole::backend::aws::AwsBackend;
use drconsole::backend::sim::{self, SimClock, Simulator};
use drconsole::cli::{Cli, Command};
use drconsole::config::Estate;
use drconsole::exit::{self, Failure};
use drconsole::runbook::headless::run_headless;

use crate::console_cmd::{console, console_theme};
use crate::run_cmd::{estate_sha256, pace_of, run_failure, run_options};
use crate::text_cmd::{evidence_command, generated, print_out, summary};
use crate::{approve_cmd, init_cmd};

/// What the console runs against.
pub(crate) struct Target {
    pub(crate) estate: Estate,
    pub(crate) backend: Arc<dyn Backend>,
    pub(crate) simulator: Option<Arc<Simulator>>,
}

/// The command on the estate file at `path` (`None`: no file was found).
pub(crate) async fn dispatch(cli: &Cli, path: Option<PathBuf>) -> Result<i32, Failure> {
    match &cli.command {
        Some(Command::Init(args)) => init_cmd::run(args).await,
        Some(Command::Check) => {
            let Some(path) = path else {
                return Err(Failure::config(
                    "no estate file: pass --config PATH, or set DRCONSOLE_CONFIG",
                ));
            };
            let estate = drconsole::runbook::load_estate(&path).map_err(Failure::estate)?;
            print_out(&summary(&path.display().to_string(), &estate))?;
            Ok(exit::CHECK_VALID)
        }
        Some(Command::IamPolicy { operate }) => {
            let estate = load_estate(path.as_deref())?;
            let policy = drconsole::backend::aws::iam_policy(&estate, *operate);
            let text = serde_json::to_string_pretty(&policy).map_err(Failure::internal)?;
            print_out(&format!("{text}\n"))?;
            Ok(exit::OK)
        }
        Some(Command::Run { name, .. }) => {
            if cli.read_only {
                return Err(Failure::usage("--read-only: runbooks are not available"));
            }
            let estate = load_estate(path.as_deref())?;
            let target = connect(cli, path.as_deref(), estate).await?;
            let mut opts = run_options(cli, pace_of(cli, &target));
            opts.estate_sha256 = estate_sha256(path.as_deref());
            let exit = run_headless(
                Arc::new(target.estate),
                target.backend,
                name,
                opts,
                std::io::stdout(),
            )
            .await
            .map_err(run_failure)?;
            Ok(exit.code)
        }
        Some(Command::Approve { .. }) => {
            let estate = load_estate(path.as_deref())?;
            let target = connect(cli, path.as_deref(), estate).await?;
            approve_cmd::run(cli, target.estate, target.backend).await
        }
        Some(command @ (Command::Completions { .. } | Command::Man { .. })) => generated(command),
        Some(Command::Serve { .. }) => Err(Failure::internal(
            "serve is dispatched before an estate is chosen",
        )),
        Some(c @ (Command::Audit { .. } | Command::Report { .. })) => evidence_command(cli, c),
        Some(Command::Status { json }) => {
            let estate = load_estate(path.as_deref())?;
            let target = connect(cli, path.as_deref(), estate).await?;
            let snap = drconsole::status::take_evaluated(
                &Arc::new(target.estate.clone()),
                &target.backend,
            )
            .await;
            let text = if *json {
                let json = serde_json::to_string_pretty(&snap).map_err(Failure::internal)?;
                format!("{json}\n")
            } else {
                drconsole::status::render_text(&snap)
            };
            print_out(&text)?;
            Ok(snap.exit_code())
        }
        None => {
            // Everything the user can get wrong is checked before the terminal is taken.
            let estate = load_estate(path.as_deref())?;
            let theme = console_theme(cli)?;
            let target = connect(cli, path.as_deref(), estate).await?;
            console(cli, target, theme).await?;
            Ok(exit::OK)
        }
    }
}

/// The estate file, or the simulator's built-in estate when there is none.
fn load_estate(path: Option<&Path>) -> Result<Estate, Failure> {
    match path {
        Some(p) => drconsole::runbook::load_estate(p).map_err(Failure::estate),
        None => Ok(sim::built_in_estate()),
    }
}

async fn connect(cli: &Cli, path: Option<&Path>, estate: Estate) -> Result<Target, Failure> {
    if path.is_none() || cli.simulate {
        let sim = Simulator::new(estate.clone(), cli.seed, SimClock::scaled(cli.sim_speed));
        return Ok(Target {
            estate,
            backend: sim.clone(),
            simulator: Some(sim),
        });
    }
    let aws = AwsBackend::connect(&estate).await;
    Ok(Target {
        estate,
        backend: Arc::new(aws),
        simulator: None,
    })
}
