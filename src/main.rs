use std::io::IsTerminal;

use color_eyre::config::HookBuilder;

use drconsole::cli::{Cli, Command, Invocation};
use drconsole::config;
use drconsole::exit::{self, Failure};

#[path = "approve_cmd.rs"]
mod approve_cmd;
mod console_cmd;
mod estate_cmd;
#[path = "fleet_cmd.rs"]
mod fleet;
#[path = "init_cmd.rs"]
mod init_cmd;
mod run_cmd;
mod text_cmd;

// What the commands on several estates share with those on one.
use console_cmd::{console_theme, fleet_console};
use run_cmd::run_options;
use text_cmd::{evidence_command, generated, print_out, summary};

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
    estate_cmd::dispatch(&cli, paths.into_iter().next()).await
}
