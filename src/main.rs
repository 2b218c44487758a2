use std::io::{IsTerminal, Write};
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use color_eyre::config::HookBuilder;
use tokio::sync::mpsc;

use drconsole::app::App;
use drconsole::backend::Backend;
use drconsole::backend::aws::AwsBackend;
use drconsole::backend::sim::{self, SimClock, Simulator};
use drconsole::cli::{Cli, Command, Invocation};
use drconsole::config::{self, Estate};
use drconsole::console::{self, Loop};
use drconsole::exit::{self, Failure};
use drconsole::poll::{self, PollControl, PollSettings};
use drconsole::runbook::headless::{HeadlessOptions, run_headless};
use drconsole::runbook::{Journal, Pace, RunContext, RunError, RunMode};
use drconsole::ui::theme::Theme;

#[path = "approve_cmd.rs"]
mod approve_cmd;
#[path = "fleet_cmd.rs"]
mod fleet;
#[path = "init_cmd.rs"]
mod init_cmd;

/// What the console runs against.
struct Target {
    estate: Estate,
    backend: Arc<dyn Backend>,
    simulator: Option<Arc<Simulator>>,
}

/// Every exit code is named in `drconsole::exit`. A failure is reported on standard error in
/// one line (or the estate checker's excerpt), coloured only on a terminal without
/// `NO_COLOR`; only an internal error carries a location and, if asked for, a backtrace.
fn main() {
    let colour = exit::colour_allowed(
        std::io::stderr().is_terminal(),
        std::env::var_os("NO_COLOR").as_deref(),
    );
    let code = exit::guarded(|| match real_main(colour) {
        Ok(code) => code,
        Err(failure) => {
            let _ = failure.write_to(&mut std::io::stderr().lock(), colour);
            failure.code
        }
    });
    std::process::exit(code);
}

fn real_main(colour: bool) -> Result<i32, Failure> {
    // The panic hook (which the console wraps to restore the terminal first) and the report
    // of an internal error; colourless where error output is.
    let hooks = if colour {
        HookBuilder::default()
    } else {
        HookBuilder::blank()
    };
    hooks.install().map_err(Failure::internal)?;
    let cli = match Cli::invocation(std::env::args_os())? {
        Invocation::Run(cli) => cli,
        Invocation::Print(text) => {
            text.print()
                .map_err(|e| Failure::io(format!("writing to standard output: {e}")))?;
            return Ok(exit::OK);
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(Failure::internal)?;
    runtime.block_on(dispatch(*cli))
}

async fn dispatch(cli: Cli) -> Result<i32, Failure> {
    // Generated from the command line alone: no estate file is looked for.
    if let Some(command @ (Command::Completions { .. } | Command::Man { .. })) = &cli.command {
        return generated(command);
    }
    if let Some(Command::Init(args)) = &cli.command {
        return init_cmd::run(args).await;
    }
    // Local files only: no estate is read.
    if let Some(c @ (Command::Audit { .. } | Command::Report { .. })) = &cli.command {
        return evidence_command(&cli, c);
    }
    let paths = config::locate_all(&cli.config).map_err(Failure::estate)?;
    if let Some(Command::Serve { metrics }) = &cli.command {
        let opts = drconsole::serve::ServeOptions {
            addr: *metrics,
            simulate: cli.simulate,
            seed: cli.seed,
            sim_speed: cli.sim_speed,
            state_dir: cli.state_dir.clone(),
        };
        return drconsole::serve::command(&paths, opts).await;
    }
    if paths.len() > 1 {
        return fleet::dispatch(&cli, &paths).await;
    }
    let path = paths.into_iter().next();
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
            let target = connect(&cli, path.as_deref(), estate).await?;
            let mut opts = run_options(&cli, pace_of(&cli, &target));
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
            let target = connect(&cli, path.as_deref(), estate).await?;
            approve_cmd::run(&cli, target.estate, target.backend).await
        }
        Some(command @ (Command::Completions { .. } | Command::Man { .. })) => generated(command),
        Some(Command::Serve { .. }) => Err(Failure::internal(
            "serve is dispatched before an estate is chosen",
        )),
        Some(c @ (Command::Audit { .. } | Command::Report { .. })) => evidence_command(&cli, c),
        Some(Command::Status { json }) => {
            let estate = load_estate(path.as_deref())?;
            let target = connect(&cli, path.as_deref(), estate).await?;
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
            let mut theme = Theme::load(&cli.theme).map_err(Failure::config)?;
            if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
                theme = theme.without_color();
            }
            if !std::io::stdout().is_terminal() {
                return Err(Failure::usage(
                    "the console needs a terminal and standard output is not one; \
                     scripts use `drconsole status` or `drconsole run`",
                ));
            }
            let target = connect(&cli, path.as_deref(), estate).await?;
            console(&cli, target, theme).await?;
            Ok(exit::OK)
        }
    }
}

/// The estate file's SHA-256, as the report states it.
fn estate_sha256(path: Option<&Path>) -> Option<String> {
    std::fs::read(path?)
        .ok()
        .map(|b| drconsole::runbook::audit::sha256_hex(&b))
}

/// `drconsole audit verify` and `drconsole report`: the audit log and the run journals.
fn evidence_command(cli: &Cli, command: &Command) -> Result<i32, Failure> {
    let audit_log = cli
        .audit_log
        .clone()
        .unwrap_or_else(drconsole::runbook::default_audit_path);
    let state_dir = cli
        .state_dir
        .clone()
        .unwrap_or_else(drconsole::runbook::default_state_dir);
    match command {
        Command::Audit {
            action: drconsole::cli::AuditCommand::Verify { file },
        } => {
            let (text, code) =
                drconsole::runbook::audit::verify::command(file.as_deref(), &audit_log, &state_dir);
            print_out(&text)?;
            Ok(code)
        }
        Command::Report {
            run_id,
            format,
            finding,
        } => {
            if let Some(text) = finding {
                drconsole::runbook::report::add_finding(&state_dir, &audit_log, run_id, text)
                    .map_err(Failure::io)?;
            }
            let text =
                drconsole::runbook::report::regenerate(&state_dir, &audit_log, run_id, *format)
                    .map_err(Failure::io)?;
            print_out(&text)?;
            Ok(exit::OK)
        }
        _ => Err(Failure::usage("not an audit or report command")),
    }
}

/// The theme, checked with the terminal before the screen is taken.
pub(crate) fn console_theme(cli: &Cli) -> Result<Theme, Failure> {
    let mut theme = Theme::load(&cli.theme).map_err(Failure::config)?;
    if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
        theme = theme.without_color();
    }
    if !std::io::stdout().is_terminal() {
        return Err(Failure::usage(
            "the console needs a terminal and standard output is not one; \
             scripts use `drconsole status` or `drconsole run`",
        ));
    }
    Ok(theme)
}

/// The fleet overview on several estates.
pub(crate) async fn fleet_console(
    cli: &Cli,
    target: fleet::FleetTarget,
    theme: Theme,
) -> Result<(), Failure> {
    use drconsole::app::fleet::FleetApp;
    use drconsole::console::fleet::{FleetLoop, run_fleet_interactive};
    let now = Instant::now();
    let apps: Vec<App> = target
        .estates
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let backend = target.fleet.backend(i);
            let mut app = App::new(
                e.clone(),
                backend.mode().label(),
                !target.simulators.is_empty(),
                now,
            );
            app.read_only = cli.read_only;
            app.dry_run = cli.dry_run;
            if let Some(sim) = target.simulators.get(i) {
                app.faults = sim.faults();
            }
            app
        })
        .collect();
    // Each estate runs its runbooks as its own console would: its lock, its account pins.
    let pace = fleet::pace_of(cli, &target);
    let runners: Vec<Option<RunContext>> = target
        .estates
        .iter()
        .enumerate()
        .map(|(i, e)| run_context(cli, e, target.fleet.backend(i), pace))
        .collect();
    let mut apps = apps;
    for (app, ctx) in apps.iter_mut().zip(&runners) {
        if let Some(ctx) = ctx {
            app.unfinished = unfinished(ctx)?;
        }
    }
    let mut state = FleetApp::new(apps, now);
    state.read_only = cli.read_only;
    let (poll_tx, poll_rx) = mpsc::unbounded_channel();
    let (input_tx, input_rx) = mpsc::unbounded_channel();
    let control = PollControl::default();
    let settings = target
        .estates
        .iter()
        .map(|e| (e.poll_interval(), e.call_timeout.0))
        .collect();
    let open = poll::fleet::spawn_fleet(target.fleet.clone(), settings, control.clone(), poll_tx);
    let opts = drconsole::runbook::HeadlessOptions {
        dry_run: cli.dry_run,
        audit_path: cli.audit_log.clone(),
        state_dir: cli.state_dir.clone(),
        pace: fleet::pace_of(cli, &target),
        ..Default::default()
    };
    let event_loop = FleetLoop::new(
        input_rx,
        poll_rx,
        control,
        target.simulators.clone(),
        fleet::members(&target),
        opts,
        drconsole::runbook::batch::DEFAULT_CONCURRENCY,
        theme,
    )
    .with_open(open)
    .with_runners(runners);
    run_fleet_interactive(event_loop, input_tx, &mut state)
        .await
        .map_err(|e| Failure::io(format!("the terminal: {e:#}")))
}

/// Writes a command's output. A reader that went away (`| head`) is not a failure: the
/// command's outcome stands.
/// `completions` and `man`: text generated from the command line's definitions.
fn generated(command: &Command) -> Result<i32, Failure> {
    let bytes = match command {
        Command::Completions { shell } => drconsole::manual::completions(*shell),
        Command::Man { command } => {
            drconsole::manual::man_page(command.as_deref()).map_err(Failure::usage)?
        }
        _ => return Err(Failure::internal("not a generated text")),
    };
    let text = String::from_utf8(bytes).map_err(Failure::internal)?;
    print_out(&text)?;
    Ok(exit::OK)
}

pub(crate) fn print_out(text: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Failure::io(format!("writing to standard output: {e}")))
        }
        _ => Ok(()),
    }
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

async fn console(cli: &Cli, target: Target, theme: Theme) -> Result<(), Failure> {
    let mut app = App::new(
        target.estate.clone(),
        target.backend.mode().label(),
        target.simulator.is_some(),
        Instant::now(),
    );
    app.read_only = cli.read_only;
    app.dry_run = cli.dry_run;
    let runner = run_context(
        cli,
        &target.estate,
        target.backend.clone(),
        pace_of(cli, &target),
    );
    if let Some(ctx) = &runner {
        app.unfinished = unfinished(ctx)?;
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
        evaluations: Some(drconsole::evaluate::schedule::console(
            Arc::new(target.estate.clone()),
            target.backend.clone(),
        )),
        chores: Default::default(),
    };
    console::run_interactive(event_loop, input_tx, &mut app)
        .await
        .map_err(|e| Failure::io(format!("the terminal: {e:#}")))
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

/// Runbook timeouts follow the simulator's clock when it runs faster than real time.
/// What `drconsole run` was told (its flags and the global ones), for one estate or several.
fn run_options(cli: &Cli, pace: Pace) -> HeadlessOptions {
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

fn pace_of(cli: &Cli, target: &Target) -> Pace {
    match &target.simulator {
        Some(_) => Pace {
            scale: cli.sim_speed,
        },
        None => Pace::REAL,
    }
}

pub(crate) fn summary(path: &str, e: &Estate) -> String {
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
        e.dns
            .as_ref()
            .map(|d| format!(
                "{} ({}{})",
                d.record,
                d.mode.as_str(),
                if d.is_alias() { ", alias" } else { "" }
            ))
            .unwrap_or_else(|| "none".into()),
        e.health_checks.len(),
        e.alarms.len(),
        if e.runbooks.is_empty() {
            "defaults (failover, reprotect, failback)".to_string()
        } else {
            e.runbooks.keys().cloned().collect::<Vec<_>>().join(", ")
        },
    )
}
