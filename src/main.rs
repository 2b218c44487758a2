use std::io::Write;
use std::sync::Arc;
use std::time::Instant;

use clap::Parser;
use color_eyre::eyre::{Result, WrapErr, eyre};
use tokio::sync::mpsc;

use drconsole::app::App;
use drconsole::backend::Backend;
use drconsole::backend::aws::AwsBackend;
use drconsole::backend::sim::{self, SimClock, Simulator};
use drconsole::cli::{Cli, Command};
use drconsole::config::{self, Estate};
use drconsole::console::{self, Loop};
use drconsole::poll::{self, PollControl, PollSettings};
use drconsole::runbook::Pace;
use drconsole::runbook::headless::{HeadlessOptions, run_headless};
use drconsole::runbook::{Journal, RunContext, RunMode};
use drconsole::ui::theme::Theme;

/// What the console runs against.
struct Target {
    estate: Estate,
    backend: Arc<dyn Backend>,
    simulator: Option<Arc<Simulator>>,
}

fn main() {
    let code = match real_main() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("drconsole: {e:?}");
            2
        }
    };
    std::process::exit(code);
}

fn real_main() -> Result<i32> {
    color_eyre::install()?;
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(dispatch(cli))
}

async fn dispatch(cli: Cli) -> Result<i32> {
    let path = config::locate(cli.config.as_deref());
    match &cli.command {
        Some(Command::Check) => {
            let Some(path) = path else {
                return Err(eyre!(
                    "no estate file: pass --config PATH, or set DRCONSOLE_CONFIG"
                ));
            };
            match drconsole::runbook::load_estate(&path) {
                Ok(estate) => {
                    print!("{}", summary(&path.display().to_string(), &estate));
                    Ok(0)
                }
                Err(e) => {
                    eprintln!("{e}");
                    Ok(1)
                }
            }
        }
        Some(Command::IamPolicy { operate }) => {
            let estate = load_estate(path.as_deref())?;
            let policy = drconsole::backend::aws::iam_policy(&estate, *operate);
            println!("{}", serde_json::to_string_pretty(&policy)?);
            Ok(0)
        }
        Some(Command::Run {
            name,
            yes,
            allow_irreversible,
            allow_data_loss,
            new,
        }) => {
            if cli.read_only {
                return Err(eyre!("--read-only: runbooks are not available"));
            }
            let target = connect(&cli, path.as_deref()).await?;
            let pace = pace_of(&cli, &target);
            let opts = HeadlessOptions {
                dry_run: cli.dry_run,
                yes: *yes,
                allow_irreversible: *allow_irreversible,
                allow_data_loss: *allow_data_loss,
                audit_path: cli.audit_log.clone(),
                state_dir: cli.state_dir.clone(),
                pace,
                new_run: *new,
            };
            let exit = run_headless(
                Arc::new(target.estate),
                target.backend,
                name,
                opts,
                std::io::stdout(),
            )
            .await
            .map_err(|e| eyre!("{e}"))?;
            Ok(exit.code)
        }
        Some(Command::Status { json }) => {
            let target = connect(&cli, path.as_deref()).await?;
            let snap = drconsole::status::take(&target.estate, target.backend.as_ref()).await;
            let mut out = std::io::stdout().lock();
            if *json {
                writeln!(out, "{}", serde_json::to_string_pretty(&snap)?)?;
            } else {
                write!(out, "{}", drconsole::status::render_text(&snap))?;
            }
            Ok(snap.exit_code())
        }
        None => {
            let target = connect(&cli, path.as_deref()).await?;
            console(&cli, target).await?;
            Ok(0)
        }
    }
}

fn load_estate(path: Option<&std::path::Path>) -> Result<Estate> {
    match path {
        Some(p) => drconsole::runbook::load_estate(p).map_err(|e| eyre!("{e}")),
        None => Ok(sim::built_in_estate()),
    }
}

async fn connect(cli: &Cli, path: Option<&std::path::Path>) -> Result<Target> {
    let estate = load_estate(path)?;
    if path.is_none() || cli.simulate {
        let sim = Simulator::new(estate.clone(), cli.seed, SimClock::scaled(cli.sim_speed));
        return Ok(Target {
            estate,
            backend: sim.clone(),
            simulator: Some(sim),
        });
    }
    let aws = AwsBackend::connect(&estate)
        .await
        .wrap_err("connecting to AWS")?;
    Ok(Target {
        estate,
        backend: Arc::new(aws),
        simulator: None,
    })
}

async fn console(cli: &Cli, target: Target) -> Result<()> {
    let mut theme = Theme::load(&cli.theme).map_err(|e| eyre!(e))?;
    if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
        theme = theme.without_color();
    }
    let mut app = App::new(
        target.estate.clone(),
        target.backend.mode(),
        target.simulator.is_some(),
        Instant::now(),
    );
    app.read_only = cli.read_only;
    app.dry_run = cli.dry_run;
    let runner = (!cli.read_only).then(|| {
        let mode = if cli.dry_run {
            RunMode::DryRun
        } else {
            RunMode::Live
        };
        let mut ctx = RunContext::new(
            Arc::new(target.estate.clone()),
            target.backend.clone(),
            mode,
        );
        if let Some(p) = &cli.audit_log {
            ctx.audit_path = p.clone();
        }
        if let Some(p) = &cli.state_dir {
            ctx.state_dir = p.clone();
        }
        ctx.pace = pace_of(cli, &target);
        ctx
    });
    if let Some(ctx) = &runner {
        // A console killed mid-run offers to resume it.
        app.unfinished = Journal::find_unfinished(&ctx.state_dir)
            .map_err(|e| eyre!("reading run journals in {}: {e}", ctx.state_dir.display()))?
            .filter(|j| j.estate == target.estate.name);
    }
    let (poll_tx, poll_rx) = mpsc::unbounded_channel();
    let (input_tx, input_rx) = mpsc::unbounded_channel();
    let control = PollControl::default();
    poll::spawn_all(
        target.backend.clone(),
        PollSettings::new(target.estate.poll_interval(), target.estate.call_timeout.0),
        control.clone(),
        poll_tx,
    );
    let event_loop = Loop {
        input: input_rx,
        polls: poll_rx,
        control,
        simulator: target.simulator,
        runner,
        run: None,
        theme,
    };
    console::run_interactive(event_loop, input_tx, &mut app).await
}

/// Runbook timeouts follow the simulator's clock when it runs faster than real time.
fn pace_of(cli: &Cli, target: &Target) -> Pace {
    match &target.simulator {
        Some(_) => Pace {
            scale: cli.sim_speed,
        },
        None => Pace::REAL,
    }
}

fn summary(path: &str, e: &Estate) -> String {
    let db = match &e.database {
        Some(d) => d.to_string(),
        None => "none".into(),
    };
    format!(
        "{path}: OK\n  estate         {}\n  primary        {}\n  standby        {}\n  poll interval  {} (call timeout {})\n  lag warning    {} · RPO budget {}\n  database       {db}\n  ECS services   {}\n  ASGs           {}\n  target groups  {}\n  DNS record     {}\n  health checks  {}\n  alarms         {}\n  runbooks       {}\n",
        e.name,
        e.primary.region,
        e.standby.region,
        e.poll_interval,
        e.call_timeout,
        e.lag_warning,
        e.rpo_budget,
        e.services().len(),
        e.asgs.len(),
        e.target_groups.len(),
        e.dns.as_ref().map(|d| d.record.as_str()).unwrap_or("none"),
        e.health_checks.len(),
        e.alarms.len(),
        if e.runbooks.is_empty() {
            "defaults (failover, reprotect, failback)".to_string()
        } else {
            e.runbooks.keys().cloned().collect::<Vec<_>>().join(", ")
        },
    )
}
