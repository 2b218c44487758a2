//! The commands on several estates: `check` each file, `status` of the fleet, a runbook over
//! every estate (`run`), and the console's fleet overview.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use drconsole::backend::Backend;
use drconsole::backend::aws::AwsFleet;
use drconsole::backend::fleet::{FleetBackend, PerEstate};
use drconsole::backend::sim::{SimClock, Simulator};
use drconsole::cli::{Cli, Command};
use drconsole::config::Estate;
use drconsole::exit::{self, Failure};
use drconsole::runbook::Pace;
use drconsole::runbook::batch::plan::{plan_all, render_plans};
use drconsole::runbook::batch::{BatchMember, SharedOut, run_batch};
use drconsole::status::fleet::{render_fleet_text, take_fleet};

/// The estates and how they are read.
pub struct FleetTarget {
    pub estates: Vec<Estate>,
    pub fleet: Arc<dyn FleetBackend>,
    /// Each estate's simulator, in simulation.
    pub simulators: Vec<Arc<Simulator>>,
}

pub async fn dispatch(cli: &Cli, paths: &[PathBuf]) -> Result<i32, Failure> {
    if let Some(Command::Check) = &cli.command {
        let mut text = String::new();
        for p in paths {
            let estate = drconsole::runbook::load_estate(p).map_err(Failure::estate)?;
            text.push_str(&super::summary(&p.display().to_string(), &estate));
        }
        super::print_out(&text)?;
        return Ok(exit::CHECK_VALID);
    }
    if let Some(Command::IamPolicy { .. }) = &cli.command {
        return Err(Failure::usage(
            "iam-policy prints the policy of one estate: pass one --config FILE",
        ));
    }
    if let Some(Command::Approve { .. }) = &cli.command {
        return Err(Failure::usage(
            "approve is about one estate's run: pass its --config FILE",
        ));
    }
    let estates = load_all(paths)?;
    match &cli.command {
        Some(Command::Status { json }) => {
            let target = connect(cli, estates).await?;
            let snap = take_fleet(&target.estates, target.fleet.as_ref()).await;
            let text = if *json {
                let json = serde_json::to_string_pretty(&snap).map_err(Failure::internal)?;
                format!("{json}\n")
            } else {
                render_fleet_text(&snap)
            };
            super::print_out(&text)?;
            Ok(snap.exit_code())
        }
        Some(Command::Run {
            name, concurrency, ..
        }) => {
            if cli.read_only {
                return Err(Failure::usage("--read-only: runbooks are not available"));
            }
            // A runbook an estate does not have is a usage error before anything runs.
            for e in &estates {
                if drconsole::runbook::defaults::resolve(e, name).is_none() {
                    return Err(Failure::usage(format!(
                        "estate {} has no runbook named {name:?}",
                        e.name
                    )));
                }
            }
            let target = connect(cli, estates).await?;
            let opts = super::run_options(cli, pace_of(cli, &target));
            if !opts.yes && !opts.dry_run {
                // Not confirmed: every estate's plan, as the console shows it before its
                // typed confirmation, and nothing called.
                let plans = plan_all(&members(&target), name, opts.pace).await;
                super::print_out(&format!(
                    "not confirmed: showing each estate's plan only (run again with --yes to \
                     make these calls)\n\n{}",
                    render_plans(&plans)
                ))?;
                return Ok(exit::RUN_PLAN_ONLY);
            }
            let out: SharedOut = Arc::new(Mutex::new(Box::new(std::io::stdout())));
            let result = run_batch(
                members(&target),
                Vec::new(),
                name,
                opts,
                usize::from(*concurrency),
                out,
                None,
            )
            .await;
            Ok(result.code())
        }
        Some(Command::Check)
        | Some(Command::IamPolicy { .. })
        | Some(Command::Approve { .. })
        | Some(Command::Completions { .. })
        | Some(Command::Man { .. })
        | Some(Command::Serve { .. })
        | Some(Command::Audit { .. })
        | Some(Command::Report { .. }) => Ok(exit::OK),
        Some(Command::Init(args)) => super::init_cmd::run(args).await,
        None => {
            let theme = super::console_theme(cli)?;
            let target = connect(cli, estates).await?;
            super::fleet_console(cli, target, theme).await?;
            Ok(exit::OK)
        }
    }
}

/// Every estate's members of a batch.
pub fn members(target: &FleetTarget) -> Vec<BatchMember> {
    target
        .estates
        .iter()
        .enumerate()
        .map(|(i, e)| BatchMember {
            estate: Arc::new(e.clone()),
            backend: target.fleet.backend(i),
        })
        .collect()
}

/// Every estate file, each validated; two estates of one name are refused (journals, audit
/// lines and reports are kept by name).
fn load_all(paths: &[PathBuf]) -> Result<Vec<Estate>, Failure> {
    let mut estates: Vec<Estate> = Vec::new();
    for p in paths {
        let e = drconsole::runbook::load_estate(p).map_err(Failure::estate)?;
        if estates.iter().any(|o| o.name == e.name) {
            return Err(Failure::estate(format!(
                "{}: estate name {:?} is used by another estate file: each estate needs its own name",
                p.display(),
                e.name
            )));
        }
        estates.push(e);
    }
    Ok(estates)
}

async fn connect(cli: &Cli, estates: Vec<Estate>) -> Result<FleetTarget, Failure> {
    if cli.simulate {
        let simulators: Vec<Arc<Simulator>> = estates
            .iter()
            .enumerate()
            .map(|(i, e)| {
                Simulator::new(
                    e.clone(),
                    cli.seed.wrapping_add(i as u64),
                    SimClock::scaled(cli.sim_speed),
                )
            })
            .collect();
        let backends: Vec<Arc<dyn Backend>> = simulators
            .iter()
            .map(|s| s.clone() as Arc<dyn Backend>)
            .collect();
        return Ok(FleetTarget {
            fleet: Arc::new(PerEstate::new(&estates, backends)),
            estates,
            simulators,
        });
    }
    let fleet = AwsFleet::connect(&estates).await;
    Ok(FleetTarget {
        estates,
        fleet: Arc::new(fleet),
        simulators: Vec::new(),
    })
}

pub fn pace_of(cli: &Cli, target: &FleetTarget) -> Pace {
    if target.simulators.is_empty() {
        Pace::REAL
    } else {
        Pace {
            scale: cli.sim_speed,
        }
    }
}
