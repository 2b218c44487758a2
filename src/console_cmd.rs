//! The console: its theme and terminal checked before the screen is taken, then the dashboard
//! of one estate or the fleet overview of several, each with its pollers and its runners.

use std::io::IsTerminal;
use std::sync::Arc;
use std::time::Instant;

use tokio::sync::mpsc;

use drconsole::app::App;
use drconsole::cli::Cli;
use drconsole::console::{self, Loop};
use drconsole::exit::Failure;
use drconsole::poll::{self, PollControl, PollSettings};
use drconsole::runbook::RunContext;
use drconsole::ui::theme::Theme;

use crate::estate_cmd::Target;
use crate::fleet;
use crate::run_cmd::{pace_of, run_context, unfinished};

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

/// The dashboard on one estate.
pub(crate) async fn console(cli: &Cli, target: Target, theme: Theme) -> Result<(), Failure> {
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
