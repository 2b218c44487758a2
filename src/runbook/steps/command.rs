//! `command` — run a program the team already has (`./scripts/test-dr.sh`), on this machine.
//!
//! - inputs: `program` (a path, or a name looked up in `PATH`), `args` (list), `env` (table of
//!   strings, added to drconsole's own environment), `dir` (working directory); the step's
//!   `timeout` is how long the program may run. A relative `program` (one with a `/`) and a
//!   relative `dir` start from the estate file's directory, which is also the default `dir`
//!   (the current directory when there is no file)
//! - calls: the program itself, never through a shell (write `program = "sh"`, `args = ["-c",
//!   "..."]` for one); its standard output and error go to the live log line by line as they
//!   come. Not an AWS call: it runs for real on the simulator too
//! - waits for: the program to exit
//! - default timeout: 5 minutes; past it the program (and its process group) is killed
//! - fails when: the program cannot be found or started, exits with any status but 0, is
//!   killed by a signal, or outlives the timeout; the error gives the status and its last lines
//!
//! A program is not assumed idempotent: the plan says that confirming runs it, and that a
//! retry runs it again. Its start is journaled before it is spawned, so a run stopped while it
//! ran asks again on resume, never re-runs it silently; one that exited 0 is not run again.

use std::collections::{BTreeMap, VecDeque};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::once::{self, Once};
use super::{Kind, StepCx, StepKind};
use crate::backend::{Action, ActionOutcome};
use crate::config::Estate;
use crate::model::Side;
use crate::runbook::api::Level;
use crate::runbook::error::StepError;
use crate::runbook::plan::{StepPlan, Verdict};

/// Lines of output kept for the error of a program that fails.
const LAST_LINES: usize = 5;
/// Longest line written to the log; the rest is cut.
const MAX_LINE: usize = 400;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Command {
    pub program: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub env: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dir: Option<String>,
}

impl Kind for Command {
    const NAME: &'static str = "command";
}

/// Where relative paths start: the estate file's directory, else the current directory.
fn base(estate: &Estate) -> PathBuf {
    estate
        .base_dir
        .clone()
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_else(|| PathBuf::from("."))
}

fn under(base: &Path, p: &str) -> PathBuf {
    let p = Path::new(p);
    let full = if p.is_absolute() {
        p.to_path_buf()
    } else {
        base.join(p)
    };
    // `./scripts/x` under `/estate` is `/estate/scripts/x`, as the operator reads it.
    full.components().collect()
}

impl Command {
    /// The action as it will run: `program` and `dir` resolved.
    fn action(&self, estate: &Estate) -> Result<Action, StepError> {
        let base = base(estate);
        let dir = match &self.dir {
            Some(d) => under(&base, d),
            None => base.clone(),
        };
        if !dir.is_dir() {
            return Err(StepError::missing(format!(
                "working directory {} does not exist",
                dir.display()
            )));
        }
        let program = if self.program.contains('/') {
            let p = under(&base, &self.program);
            if !p.is_file() {
                return Err(StepError::missing(format!(
                    "program {} does not exist",
                    p.display()
                )));
            }
            p.display().to_string()
        } else {
            let found = std::env::var_os("PATH")
                .map(|path| std::env::split_paths(&path).any(|d| d.join(&self.program).is_file()))
                .unwrap_or(false);
            if !found {
                return Err(StepError::missing(format!(
                    "program {:?} is not found in PATH",
                    self.program
                )));
            }
            self.program.clone()
        };
        Ok(Action::RunCommand {
            program,
            args: self.args.clone(),
            env: self.env.clone(),
            dir: dir.display().to_string(),
        })
    }
}

#[async_trait]
impl StepKind for Command {
    fn title(&self) -> String {
        let mut t = format!("run {}", self.program);
        for a in &self.args {
            t.push(' ');
            t.push_str(a);
        }
        t
    }

    fn validate(&self, _estate: &Estate) -> Result<(), String> {
        if self.program.trim().is_empty() {
            return Err("expected a program to run in `program`, found an empty string".into());
        }
        if let Some(d) = &self.dir
            && d.trim().is_empty()
        {
            return Err("expected a directory in `dir`, found an empty string".into());
        }
        if let Some(k) = self
            .env
            .keys()
            .find(|k| k.is_empty() || k.contains('=') || k.contains('\0'))
        {
            return Err(format!(
                "expected environment variable names in `env`, found {k:?}"
            ));
        }
        Ok(())
    }

    fn consent_from_state(&self) -> bool {
        true
    }
    fn default_timeout(&self) -> Duration {
        Duration::from_secs(5 * 60)
    }

    /// No region: the program runs here.
    fn sides(&self, _estate: &Estate) -> Vec<Side> {
        Vec::new()
    }

    async fn preflight(&self, cx: &StepCx<'_>) -> Result<StepPlan, StepError> {
        let action = self.action(cx.estate())?;
        Ok(once::plan(
            cx,
            action,
            Once {
                done: "ran in this run, exit 0",
                not_done: "not run",
                target: "exit 0",
                target_done: "exit 0",
                twice: "a program may not be safe to run twice: confirming runs it, and a retry runs it again"
                    .into(),
                in_flight: "it was started before the run stopped and how it ended is unknown: confirming runs it again",
            },
        ))
    }

    async fn verify(&self, cx: &StepCx<'_>) -> Result<Verdict, StepError> {
        let action = self.action(cx.estate())?;
        Ok(once::verify(cx, &action, "exit 0", "not run"))
    }
}

/// A line fit for the log: no control characters, at most [`MAX_LINE`] characters.
fn clean(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut line: String = text
        .trim_end_matches(['\n', '\r'])
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if line.chars().count() > MAX_LINE {
        line = line.chars().take(MAX_LINE).collect::<String>() + "…";
    }
    line
}

fn forward<R: AsyncRead + Unpin + Send + 'static>(
    from: R,
    stream: &'static str,
    to: mpsc::UnboundedSender<(&'static str, String)>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut r = BufReader::new(from);
        let mut buf = Vec::new();
        loop {
            buf.clear();
            match r.read_until(b'\n', &mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    if to.send((stream, clean(&buf))).is_err() {
                        break;
                    }
                }
            }
        }
    })
}

/// Kills the program and what it started (its process group).
fn kill_group(child: &mut tokio::process::Child) {
    if let Some(pid) = child.id() {
        let _ = std::process::Command::new("kill")
            .args(["-KILL", "--", &format!("-{pid}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
    let _ = child.start_kill();
}

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
