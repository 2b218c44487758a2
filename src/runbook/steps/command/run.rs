//! Running the program: spawned without a shell, its output given to the log as it comes,
//! killed past its timeout, and its exit judged.

use std::collections::VecDeque;
use std::process::Stdio;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::Instant;

use super::process::{forward, kill_group};
use crate::backend::{Action, ActionOutcome};
use crate::runbook::api::Level;
use crate::runbook::error::StepError;

/// Lines of output kept for the error of a program that fails.
const LAST_LINES: usize = 5;

/// Runs a [`Action::RunCommand`] for at most `limit`, each line of its output given to `log`
/// as it comes. Exit 0 is success; anything else is an error with the status and the last
/// lines.
pub async fn run_command(
    action: &Action,
    limit: Duration,
    log: &(dyn Fn(Level, String) + Send + Sync),
) -> Result<ActionOutcome, StepError> {
    let Action::RunCommand {
        program,
        args,
        env,
        dir,
    } = action
    else {
        return Err(StepError::Failed(format!(
            "not a command: {}",
            action.describe()
        )));
    };
    let began = Instant::now();
    let mut cmd = tokio::process::Command::new(program);
    cmd.args(args)
        .envs(env)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    #[cfg(unix)]
    cmd.process_group(0);
    let mut child = cmd
        .spawn()
        .map_err(|e| StepError::Failed(format!("{program} could not be started: {e}")))?;
    log(
        Level::Info,
        format!("started {program} (pid {})", child.id().unwrap_or(0)),
    );
    let (tx, mut rx) = mpsc::unbounded_channel();
    let readers = [
        child
            .stdout
            .take()
            .map(|o| forward(o, "stdout", tx.clone())),
        child
            .stderr
            .take()
            .map(|e| forward(e, "stderr", tx.clone())),
    ];
    drop(tx);
    let mut last: VecDeque<String> = VecDeque::new();
    let mut keep = |stream: &str, line: String| {
        log(Level::Info, format!("{stream}: {line}"));
        if last.len() == LAST_LINES {
            last.pop_front();
        }
        last.push_back(line);
    };
    let deadline = began + limit;
    let mut status = None;
    let mut open = true;
    let mut timed_out = false;
    while status.is_none() {
        tokio::select! {
            line = rx.recv(), if open => match line {
                Some((stream, line)) => keep(stream, line),
                None => open = false,
            },
            s = child.wait() => {
                status = Some(s.map_err(|e| StepError::Failed(format!("{program}: {e}")))?);
            }
            _ = tokio::time::sleep_until(deadline) => {
                timed_out = true;
                kill_group(&mut child);
                status = Some(child.wait().await.map_err(|e| StepError::Failed(format!("{program}: {e}")))?);
            }
        }
    }
    // What it wrote before it ended; a descendant still holding the pipes open is not waited
    // for past a second.
    let drain_until = Instant::now() + Duration::from_secs(1);
    while open {
        match tokio::time::timeout_at(drain_until, rx.recv()).await {
            Ok(Some((stream, line))) => keep(stream, line),
            _ => open = false,
        }
    }
    for r in readers.into_iter().flatten() {
        r.abort();
    }
    let took = crate::timefmt::secs(began.elapsed().as_secs());
    let status = status.expect("set by the loop");
    let tail = || {
        if last.is_empty() {
            "no output".to_string()
        } else {
            format!("last lines: {}", Vec::from(last.clone()).join(" ⏎ "))
        }
    };
    if timed_out {
        return Err(StepError::Failed(format!(
            "{program} still running after {}: killed; {}",
            humantime::format_duration(limit),
            tail()
        )));
    }
    if status.success() {
        return Ok(ActionOutcome {
            summary: format!("{program} exited 0 after {took}"),
            change_id: None,
        });
    }
    let how = match status.code() {
        Some(c) => format!("exited with code {c}"),
        None => {
            #[cfg(unix)]
            {
                use std::os::unix::process::ExitStatusExt;
                format!("killed by signal {}", status.signal().unwrap_or(0))
            }
            #[cfg(not(unix))]
            {
                "ended without an exit code".to_string()
            }
        }
    };
    Err(StepError::Failed(format!(
        "{program} {how} after {took}; {}",
        tail()
    )))
}
