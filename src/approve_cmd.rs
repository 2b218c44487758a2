//! `drconsole approve RUN_ID STEP`: the approver's side of a second operator's approval.

use std::io::{BufRead, IsTerminal, Write};
use std::sync::Arc;

use drconsole::backend::Backend;
use drconsole::cli::{Cli, Command};
use drconsole::config::Estate;
use drconsole::exit::Failure;
use drconsole::model::Side;
use drconsole::runbook::approval::command::Approve;
use drconsole::runbook::approval::{self, Operator};

pub async fn run(cli: &Cli, estate: Estate, backend: Arc<dyn Backend>) -> Result<i32, Failure> {
    let Some(Command::Approve { run_id, step, plan }) = &cli.command else {
        return Err(Failure::usage("not an approve command"));
    };
    match &estate.coordination {
        None => {
            return Err(Failure::usage(format!(
                "estate {} has no [coordination]: no step of it waits for another operator's \
                 approval",
                estate.name
            )));
        }
        Some(c) if !c.needs_approval() => {
            return Err(Failure::usage(format!(
                "estate {}: [coordination] approval is \"none\": no step waits for approval",
                estate.name
            )));
        }
        Some(_) => {}
    }
    let state_dir = cli
        .state_dir
        .clone()
        .unwrap_or_else(drconsole::runbook::default_state_dir);
    let simulated = backend.mode().is_simulation();
    let Some(store) = approval::open(&estate, &state_dir, simulated).await else {
        return Err(Failure::internal("the approval store could not be opened"));
    };
    // The principal the approver's standby credentials act as: another principal is another
    // operator even on the same user@host.
    let principal = backend.identity(Side::Standby).await.ok().map(|i| i.arn);
    let cmd = Approve {
        run_id: run_id.clone(),
        step: step.clone(),
        plan: plan.clone(),
        me: Operator::me(&drconsole::runbook::audit::os_user(), principal),
        audit_path: cli
            .audit_log
            .clone()
            .unwrap_or_else(drconsole::runbook::default_audit_path),
    };
    let terminal = std::io::stdin().is_terminal();
    let mut typed = |question: &str| -> Option<String> {
        if !terminal {
            return None;
        }
        print!("{question}");
        let _ = std::io::stdout().flush();
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).ok()?;
        Some(line)
    };
    let mut out = std::io::stdout();
    Ok(cmd.run(&store, &mut out, &mut typed).await)
}
