//! The commands that print text made from local files alone: the estate summary of `check`,
//! `completions` and `man`, `audit verify` and `report`; and how any command's text reaches
//! standard output.

use std::io::Write;

use drconsole::cli::{Cli, Command};
use drconsole::config::Estate;
use drconsole::exit::{self, Failure};

/// `drconsole audit verify` and `drconsole report`: the audit log and the run journals.
pub(crate) fn evidence_command(cli: &Cli, command: &Command) -> Result<i32, Failure> {
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

/// `completions` and `man`: text generated from the command line's definitions.
pub(crate) fn generated(command: &Command) -> Result<i32, Failure> {
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

/// Writes a command's output. A reader that went away (`| head`) is not a failure: the
/// command's outcome stands.
pub(crate) fn print_out(text: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Failure::io(format!("writing to standard output: {e}")))
        }
        _ => Ok(()),
    }
}

/// What `check` prints about a valid estate file.
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
