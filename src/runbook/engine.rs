//! The runbook engine: a tokio task per run that plans, asks, acts and verifies, step by step.
//!
//! The caller (the TUI's action pane, or [`super::run_headless`]) never waits on it: it reads
//! [`RunEvent`]s from an unbounded channel whenever it likes and sends [`RunCommand`]s back.
//! Confirmation gating lives here, not in the UI: nothing is called before a `Confirm`, and an
//! irreversible step is refused unless the typed text is the target region's AWS name.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use futures::future::join_all;
use serde::{Deserialize, Serialize};
use serde_json::json;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::audit::AuditLog;
use super::journal::{Journal, Metrics, RunOutcome, StepRecord, StepStatus, TimelineEntry};
use super::plan::{self, Pace, Reader, StepError, StepMemo, StepPlan, Verdict};
use super::spec::{Condition, RunbookSpec, StepKind, StepSpec, assign_ids, side_name};
use crate::backend::{Action, Backend};
use crate::config::Estate;
use crate::model::Side;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RunMode {
    /// Confirmed steps call AWS.
    Live,
    /// Every step is planned and shown; nothing is called.
    DryRun,
    /// No run may start.
    ReadOnly,
}

/// Everything a run needs. `pace` is [`Pace::REAL`] except for a simulator on a fast clock.
#[derive(Clone)]
pub struct RunContext {
    pub estate: Arc<Estate>,
    pub backend: Arc<dyn Backend>,
    pub mode: RunMode,
    pub audit_path: PathBuf,
    pub state_dir: PathBuf,
    pub pace: Pace,
    /// Recorded with every confirmation; [`super::audit::os_user`] by default.
    pub user: String,
}

impl RunContext {
    pub fn new(estate: Arc<Estate>, backend: Arc<dyn Backend>, mode: RunMode) -> RunContext {
        RunContext {
            estate,
            backend,
            mode,
            audit_path: super::audit::default_audit_path(),
            state_dir: super::audit::default_state_dir(),
            pace: Pace::REAL,
            user: super::audit::os_user(),
        }
    }
}

/// What the operator decides, sent to a running engine.
#[derive(Debug, Clone, PartialEq)]
pub enum RunCommand {
    /// Go ahead with the step awaiting confirmation. An irreversible step needs
    /// `typed_region` equal to its target region's AWS name (e.g. `us-west-2`).
    Confirm { typed_region: Option<String> },
    /// Preflight the failed (or awaiting) step again and ask again.
    Retry,
    /// Leave the step (or the failed steps of a group) undone; the reason is logged.
    Skip { reason: String },
    /// Stop the run here. Nothing already done is undone.
    Abort,
}

/// One planned call, as listed in a confirmation prompt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlannedCall {
    pub step: String,
    pub call: String,
    pub describe: String,
    pub irreversible: bool,
}

/// What a step (or a parallel group) will do, shown before the operator confirms it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfirmPrompt {
    /// The step or group awaiting confirmation.
    pub step: String,
    pub title: String,
    pub calls: Vec<PlannedCall>,
    /// One line per step: `title: current → target`.
    pub changes: Vec<String>,
    pub warnings: Vec<String>,
    /// Set when a call is irreversible: the AWS region name to type back.
    pub type_to_confirm: Option<String>,
    /// A manual step's instruction.
    pub instruction: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepView {
    pub id: String,
    pub title: String,
    pub parent: Option<String>,
    pub optional: bool,
    pub status: StepStatus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Info,
    Warn,
    Error,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogLine {
    pub utc: chrono::DateTime<Utc>,
    /// Seconds since the run started (estate time).
    pub at: f64,
    pub level: Level,
    pub step: Option<String>,
    pub text: String,
}

impl std::fmt::Display for LogLine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let level = match self.level {
            Level::Info => "",
            Level::Warn => "WARN ",
            Level::Error => "ERROR ",
        };
        write!(f, "[{:>7}] ", super::report::secs(self.at))?;
        if let Some(s) = &self.step {
            write!(f, "{s}: ")?;
        }
        write!(f, "{level}{}", self.text)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunSummary {
    pub run_id: String,
    pub runbook: String,
    pub outcome: RunOutcome,
    pub rto: Option<Duration>,
    pub metrics: Metrics,
    pub skipped: Vec<String>,
    pub journal: PathBuf,
    pub report: Option<PathBuf>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum RunEvent {
    Started {
        run_id: String,
        runbook: String,
        mode: RunMode,
        resumed: bool,
        journal: PathBuf,
        steps: Vec<StepView>,
    },
    /// A step (or group) changed state.
    Step(StepView),
    /// Nothing happens until a [`RunCommand`] arrives.
    AwaitingConfirmation(ConfirmPrompt),
    /// A step failed: retry, skip (with a reason) or abort.
    AwaitingDecision {
        step: String,
        error: String,
        /// Every failed step is `optional`.
        optional: bool,
        /// The failure is the primary being unreachable.
        needs_primary: bool,
    },
    Log(LogLine),
    Finished(RunSummary),
}

#[derive(Debug)]
pub enum RunError {
    ReadOnly,
    UnknownRunbook(String),
    Invalid(String),
    Io(String),
    AlreadyFinished(String),
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunError::ReadOnly => f.write_str("read-only mode: runbooks cannot be run"),
            RunError::UnknownRunbook(n) => write!(f, "no runbook named {n:?}"),
            RunError::Invalid(m) => write!(f, "invalid runbook: {m}"),
            RunError::Io(m) => f.write_str(m),
            RunError::AlreadyFinished(id) => write!(f, "run {id} has already finished"),
        }
    }
}

impl std::error::Error for RunError {}

/// A run in progress. Dropping it does not stop the run; `commands` closing aborts it at the
/// next point where it needs a decision.
pub struct RunHandle {
    pub run_id: String,
    pub journal: PathBuf,
    pub events: mpsc::UnboundedReceiver<RunEvent>,
    pub commands: mpsc::UnboundedSender<RunCommand>,
    pub task: JoinHandle<RunSummary>,
}

/// Starts the runbook called `name` (written in the estate file, or a generated default).
/// Must be called inside a tokio runtime.
pub fn start(ctx: RunContext, name: &str) -> Result<RunHandle, RunError> {
    let spec = super::defaults::resolve(&ctx.estate, name)
        .ok_or_else(|| RunError::UnknownRunbook(name.to_string()))?;
    start_spec(ctx, name, spec)
}

/// Starts a runbook given as data (e.g. a sequential variant of another).
pub fn start_spec(
    ctx: RunContext,
    name: &str,
    mut spec: RunbookSpec,
) -> Result<RunHandle, RunError> {
    if ctx.mode == RunMode::ReadOnly {
        return Err(RunError::ReadOnly);
    }
    spec.validate(&ctx.estate).map_err(RunError::Invalid)?;
    assign_ids(&mut spec.steps, "");
    let now = Utc::now();
    let run_id = format!(
        "{}-{}-{:04x}",
        now.format("%Y%m%dT%H%M%SZ"),
        name.chars()
            .map(|c| if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            })
            .collect::<String>(),
        now.timestamp_subsec_nanos() as u64 % 0x10000
    );
    let mut steps = Vec::new();
    for s in &spec.steps {
        steps.push(record(s, None));
        if let StepKind::Parallel { steps: children } = &s.kind {
            let parent = s.common.id.clone();
            steps.extend(children.iter().map(|c| record(c, parent.clone())));
        }
    }
    let journal = Journal {
        version: 1,
        run_id,
        runbook: name.to_string(),
        estate: ctx.estate.name.clone(),
        dry_run: ctx.mode == RunMode::DryRun,
        started_at: now,
        updated_at: now,
        elapsed: 0.0,
        spec,
        steps,
        timeline: Vec::new(),
        metrics: Metrics::default(),
        outcome: None,
        report: None,
    };
    launch(ctx, journal, false)
}

/// Resumes an unfinished run from its journal (see [`Journal::find_unfinished`]). Finished
/// steps stay finished; the step in flight is preflighted again, which finds its target state
/// if its change had completed, and does nothing more.
pub fn resume(ctx: RunContext, journal: Journal) -> Result<RunHandle, RunError> {
    if ctx.mode == RunMode::ReadOnly {
        return Err(RunError::ReadOnly);
    }
    if journal.outcome.is_some() {
        return Err(RunError::AlreadyFinished(journal.run_id));
    }
    launch(ctx, journal, true)
}

fn record(s: &StepSpec, parent: Option<String>) -> StepRecord {
    StepRecord {
        id: s.common.id.clone().unwrap_or_default(),
        title: s.title(),
        kind: s.kind_name().to_string(),
        optional: s.common.optional,
        parent,
        status: StepStatus::Pending,
        started: None,
        finished: None,
        memo: StepMemo::default(),
        verify_overhead: None,
    }
}

fn launch(ctx: RunContext, mut journal: Journal, resumed: bool) -> Result<RunHandle, RunError> {
    let audit = AuditLog::open(&ctx.audit_path)
        .map_err(|e| RunError::Io(format!("audit log {}: {e}", ctx.audit_path.display())))?;
    let path = journal.path_in(&ctx.state_dir);
    // Time lost while the console was down counts, as far as the wall clock can tell.
    let mut base = journal.elapsed;
    if resumed && ctx.pace.scale == 1.0 {
        base += (Utc::now() - journal.updated_at).num_milliseconds().max(0) as f64 / 1000.0;
    }
    journal.elapsed = base;
    journal
        .save(&path)
        .map_err(|e| RunError::Io(format!("journal {}: {e}", path.display())))?;
    let (etx, erx) = mpsc::unbounded_channel();
    let (ctx_tx, crx) = mpsc::unbounded_channel();
    let rec = Arc::new(Recorder {
        journal: Mutex::new(journal.clone()),
        audit,
        events: etx,
        path: path.clone(),
        start: Instant::now(),
        base,
        pace: ctx.pace,
    });
    let reader = Reader {
        backend: ctx.backend.clone(),
        estate: ctx.estate.clone(),
        pace: ctx.pace,
    };
    let engine = Engine {
        ctx: ctx.clone(),
        reader,
        rec,
        cmds: crx,
        cmds_open: true,
        resumed,
    };
    let run_id = journal.run_id.clone();
    let task = tokio::spawn(engine.run());
    Ok(RunHandle {
        run_id,
        journal: path,
        events: erx,
        commands: ctx_tx,
        task,
    })
}

/// Owns the journal; every state change goes through it to the journal file, the audit log
/// and the event channel, in that order.
struct Recorder {
    journal: Mutex<Journal>,
    audit: AuditLog,
    events: mpsc::UnboundedSender<RunEvent>,
    path: PathBuf,
    start: Instant,
    base: f64,
    pace: Pace,
}

impl Recorder {
    fn now(&self) -> f64 {
        self.base + self.pace.estate(self.start.elapsed()).as_secs_f64()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Journal> {
        self.journal.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn run_id(&self) -> String {
        self.lock().run_id.clone()
    }

    fn emit(&self, e: RunEvent) {
        let _ = self.events.send(e);
    }

    fn save(&self, j: &mut Journal) {
        j.elapsed = self.now();
        j.updated_at = Utc::now();
        if let Err(e) = j.save(&self.path) {
            let line = self.line(
                Level::Error,
                None,
                format!("cannot write the journal {}: {e}", self.path.display()),
            );
            self.emit(RunEvent::Log(line));
        }
    }

    fn line(&self, level: Level, step: Option<&str>, text: String) -> LogLine {
        LogLine {
            utc: Utc::now(),
            at: self.now(),
            level,
            step: step.map(str::to_string),
            text,
        }
    }

    /// A line for the live log and the audit log.
    fn log(&self, level: Level, step: Option<&str>, text: impl Into<String>) {
        let text = text.into();
        self.audit(step, "log", json!({"level": level, "text": text}));
        let line = self.line(level, step, text);
        self.emit(RunEvent::Log(line));
    }

    fn audit(&self, step: Option<&str>, event: &str, fields: serde_json::Value) {
        let run_id = self.run_id();
        if let Err(e) = self.audit.write(&run_id, step, event, fields) {
            let line = self.line(
                Level::Error,
                step,
                format!(
                    "cannot write the audit log {}: {e}",
                    self.audit.path().display()
                ),
            );
            self.emit(RunEvent::Log(line));
        }
    }

    fn view(r: &StepRecord) -> StepView {
        StepView {
            id: r.id.clone(),
            title: r.title.clone(),
            parent: r.parent.clone(),
            optional: r.optional,
            status: r.status.clone(),
        }
    }

    fn set(&self, id: &str, status: StepStatus) {
        let now = self.now();
        let view = {
            let mut j = self.lock();
            let Some(r) = j.step_mut(id) else { return };
            if r.status == status {
                return;
            }
            if r.started.is_none() && !matches!(status, StepStatus::Pending) {
                r.started = Some(now);
            }
            if status.is_final() {
                r.finished = Some(now);
            }
            r.status = status.clone();
            let view = Recorder::view(r);
            let text = match status.note() {
                Some(n) => format!("{}: {n}", status.label()),
                None => status.label().to_string(),
            };
            j.timeline.push(TimelineEntry {
                at: now,
                utc: Utc::now(),
                step: Some(id.to_string()),
                text,
            });
            self.save(&mut j);
            view
        };
        let mut fields = json!({"state": view.status.label()});
        if let Some(n) = view.status.note() {
            fields["note"] = json!(n);
        }
        self.audit(Some(id), "state", fields);
        self.emit(RunEvent::Step(view));
    }

    fn status(&self, id: &str) -> Option<StepStatus> {
        self.lock().step(id).map(|r| r.status.clone())
    }

    fn memo(&self, id: &str) -> StepMemo {
        self.lock()
            .step(id)
            .map(|r| r.memo.clone())
            .unwrap_or_default()
    }

    fn update<F: FnOnce(&mut Journal)>(&self, f: F) {
        let mut j = self.lock();
        f(&mut j);
        self.save(&mut j);
    }
}

enum Flow {
    Next,
    Abort(String),
}

enum Decision {
    Go,
    Retry,
    Skip(String),
    Abort(String),
}

struct Engine {
    ctx: RunContext,
    reader: Reader,
    rec: Arc<Recorder>,
    cmds: mpsc::UnboundedReceiver<RunCommand>,
    cmds_open: bool,
    resumed: bool,
}

/// The result of working one step: done (with a note), or failed.
type Worked = (String, Result<String, StepError>);

impl Engine {
    async fn run(mut self) -> RunSummary {
        let (spec, run_id, runbook, views) = {
            let j = self.rec.lock();
            (
                j.spec.clone(),
                j.run_id.clone(),
                j.runbook.clone(),
                j.steps.iter().map(Recorder::view).collect::<Vec<_>>(),
            )
        };
        self.rec.audit(
            None,
            if self.resumed {
                "run_resumed"
            } else {
                "run_started"
            },
            json!({"runbook": runbook, "mode": self.ctx.mode, "user": self.ctx.user,
                   "estate": self.ctx.estate.name, "backend": self.ctx.backend.mode()}),
        );
        self.rec.emit(RunEvent::Started {
            run_id: run_id.clone(),
            runbook: runbook.clone(),
            mode: self.ctx.mode,
            resumed: self.resumed,
            journal: self.rec.path.clone(),
            steps: views,
        });
        self.rec.log(
            Level::Info,
            None,
            format!(
                "{} runbook {runbook} ({}){}",
                if self.resumed { "resuming" } else { "starting" },
                spec.description.clone().unwrap_or_default(),
                if self.ctx.mode == RunMode::DryRun {
                    " as a dry run: no AWS call will be made"
                } else {
                    ""
                }
            ),
        );
        let mut outcome = RunOutcome::Completed;
        for step in &spec.steps {
            let id = step.common.id.clone().unwrap_or_default();
            if self.rec.status(&id).is_some_and(|s| s.is_final()) {
                continue;
            }
            if let Flow::Abort(reason) = self.run_unit(step).await {
                outcome = RunOutcome::Aborted { reason };
                break;
            }
        }
        self.finish(outcome)
    }

    fn finish(&self, outcome: RunOutcome) -> RunSummary {
        let report_path;
        let summary = {
            let mut j = self.rec.lock();
            j.outcome = Some(outcome.clone());
            report_path = j.report_path_in(&self.ctx.state_dir);
            j.report = Some(report_path.clone());
            j.elapsed = self.rec.now();
            j.updated_at = Utc::now();
            let text = super::report::render(&j);
            let report = match std::fs::write(&report_path, text) {
                Ok(()) => Some(report_path.clone()),
                Err(_) => None,
            };
            j.report = report.clone();
            self.rec.save(&mut j);
            RunSummary {
                run_id: j.run_id.clone(),
                runbook: j.runbook.clone(),
                outcome: outcome.clone(),
                rto: j.metrics.rto().map(Duration::from_secs_f64),
                metrics: j.metrics.clone(),
                skipped: j
                    .steps
                    .iter()
                    .filter(|s| matches!(s.status, StepStatus::Skipped { .. }))
                    .map(|s| s.id.clone())
                    .collect(),
                journal: self.rec.path.clone(),
                report,
            }
        };
        let text = match &outcome {
            RunOutcome::Completed => "run completed".to_string(),
            RunOutcome::Aborted { reason } => format!("run aborted: {reason}"),
        };
        self.rec.audit(
            None,
            "run_finished",
            json!({"outcome": outcome, "report": summary.report}),
        );
        self.rec.log(
            if matches!(outcome, RunOutcome::Completed) {
                Level::Info
            } else {
                Level::Warn
            },
            None,
            match &summary.report {
                Some(p) => format!("{text}; report written to {}", p.display()),
                None => format!(
                    "{text}; the report could not be written to {}",
                    report_path.display()
                ),
            },
        );
        self.rec.emit(RunEvent::Finished(summary.clone()));
        summary
    }

    /// Runs one top-level step, or a parallel group as one unit with one confirmation.
    async fn run_unit(&mut self, unit: &StepSpec) -> Flow {
        let unit_id = unit.common.id.clone().unwrap_or_default();
        let group = matches!(unit.kind, StepKind::Parallel { .. });
        let members: Vec<StepSpec> = match &unit.kind {
            StepKind::Parallel { steps } => steps.clone(),
            _ => vec![unit.clone()],
        };
        let id_of = |s: &StepSpec| s.common.id.clone().unwrap_or_default();
        loop {
            let todo: Vec<&StepSpec> = members
                .iter()
                .filter(|s| !self.rec.status(&id_of(s)).is_some_and(|st| st.is_final()))
                .collect();
            if todo.is_empty() {
                if group {
                    let skipped = members
                        .iter()
                        .filter(|s| {
                            matches!(self.rec.status(&id_of(s)), Some(StepStatus::Skipped { .. }))
                        })
                        .count();
                    let dry = self.ctx.mode == RunMode::DryRun;
                    self.rec.set(
                        &unit_id,
                        if dry {
                            StepStatus::DryRun {
                                note: "group planned".into(),
                            }
                        } else if skipped > 0 {
                            StepStatus::Done {
                                note: format!("done, {skipped} step(s) skipped"),
                            }
                        } else {
                            StepStatus::Done {
                                note: "all steps done".into(),
                            }
                        },
                    );
                }
                return Flow::Next;
            }
            if group {
                self.rec.set(&unit_id, StepStatus::Preflight);
            }
            for s in &todo {
                self.rec.set(&id_of(s), StepStatus::Preflight);
            }
            let plans = join_all(todo.iter().map(|s| {
                let reader = self.reader.clone();
                let memo = self.rec.memo(&id_of(s));
                async move { plan::preflight(s, &memo, &reader).await }
            }))
            .await;

            let mut work: Vec<(&StepSpec, StepPlan)> = Vec::new();
            let mut failed: Vec<(String, StepError)> = Vec::new();
            for (s, res) in todo.iter().zip(plans) {
                let id = id_of(s);
                match res {
                    Err(e) => failed.push((id, e)),
                    Ok(p) => {
                        for w in &p.warnings {
                            self.rec.log(Level::Warn, Some(&id), w.clone());
                        }
                        if let StepKind::Check { .. } = s.kind {
                            self.rec.log(
                                Level::Info,
                                Some(&id),
                                format!("checks pass: {}", p.current),
                            );
                            self.rec.set(
                                &id,
                                StepStatus::Done {
                                    note: if p.warnings.is_empty() {
                                        "checks pass".into()
                                    } else {
                                        format!("checks pass, {} warning(s)", p.warnings.len())
                                    },
                                },
                            );
                            note_done(&self.rec, &self.ctx.estate, s);
                            continue;
                        }
                        if p.actions.is_empty() && p.instruction.is_none() {
                            let memo = self.rec.memo(&id);
                            match plan::verify(s, &memo, &self.reader).await {
                                Ok(Verdict::Done(d)) => {
                                    self.rec.log(
                                        Level::Info,
                                        Some(&id),
                                        format!("already at target, no call made: {d}"),
                                    );
                                    self.rec.set(
                                        &id,
                                        StepStatus::Done {
                                            note: format!("already at target ({d})"),
                                        },
                                    );
                                    note_done(&self.rec, &self.ctx.estate, s);
                                    continue;
                                }
                                Ok(Verdict::Pending(d)) => {
                                    self.rec.log(
                                        Level::Info,
                                        Some(&id),
                                        format!(
                                            "nothing to change; waiting for the target state: {d}"
                                        ),
                                    );
                                }
                                Err(e) => {
                                    failed.push((id, e));
                                    continue;
                                }
                            }
                        }
                        work.push((s, p));
                    }
                }
            }

            if self.ctx.mode == RunMode::DryRun {
                for (s, p) in &work {
                    let id = id_of(s);
                    for a in &p.actions {
                        self.rec.log(
                            Level::Info,
                            Some(&id),
                            format!("dry-run: would call {}", a.describe()),
                        );
                    }
                    let note = if p.actions.is_empty() {
                        format!("would wait for: {}", p.target)
                    } else {
                        format!("{} call(s): {} → {}", p.actions.len(), p.current, p.target)
                    };
                    self.rec.set(&id, StepStatus::DryRun { note });
                }
                for (id, e) in &failed {
                    self.rec.log(
                        Level::Warn,
                        Some(id),
                        format!("dry-run: preflight fails now: {}", e.message),
                    );
                    self.rec.set(
                        id,
                        StepStatus::DryRun {
                            note: format!("preflight fails now: {}", e.message),
                        },
                    );
                }
                continue;
            }

            if !failed.is_empty() {
                match self.fail_gate(&unit_id, group, &members, failed).await {
                    Decision::Abort(r) => return Flow::Abort(r),
                    _ => continue,
                }
            }

            let needs_yes = work
                .iter()
                .any(|(_, p)| !p.actions.is_empty() || p.instruction.is_some());
            if needs_yes {
                let prompt = self.prompt(unit, &work);
                if group {
                    self.rec.set(&unit_id, StepStatus::AwaitingConfirmation);
                }
                for (s, _) in &work {
                    self.rec.set(&id_of(s), StepStatus::AwaitingConfirmation);
                }
                match self.confirm_gate(prompt).await {
                    Decision::Go => {}
                    Decision::Retry => continue,
                    Decision::Abort(r) => return Flow::Abort(r),
                    Decision::Skip(reason) => {
                        for s in &todo {
                            let id = id_of(s);
                            if !self.rec.status(&id).is_some_and(|st| st.is_final()) {
                                self.skip(&id, &reason);
                            }
                        }
                        continue;
                    }
                }
            }

            if group {
                self.rec.set(&unit_id, StepStatus::Running);
            }
            let results = {
                let jobs = join_all(work.iter().map(|(s, p)| {
                    let rec = self.rec.clone();
                    let reader = self.reader.clone();
                    let user = self.ctx.user.clone();
                    let (s, p) = ((*s).clone(), p.clone());
                    async move { execute(rec, reader, user, s, p).await }
                }));
                tokio::pin!(jobs);
                loop {
                    tokio::select! {
                        r = &mut jobs => break Some(r),
                        cmd = self.cmds.recv(), if self.cmds_open => match cmd {
                            Some(RunCommand::Abort) => break None,
                            Some(other) => self.rec.log(Level::Info, Some(&unit_id), format!("ignored {other:?} while the step runs (only abort applies now)")),
                            None => self.cmds_open = false,
                        }
                    }
                }
            };
            let Some(results) = results else {
                let reason = format!("aborted by {} while {} was running", self.ctx.user, unit_id);
                self.rec
                    .audit(Some(&unit_id), "abort", json!({"user": self.ctx.user}));
                for (s, _) in &work {
                    let id = id_of(s);
                    if !self.rec.status(&id).is_some_and(|st| st.is_final()) {
                        self.rec.set(
                            &id,
                            StepStatus::Failed {
                                error: "aborted while running".into(),
                            },
                        );
                    }
                }
                return Flow::Abort(reason);
            };
            let mut failed = Vec::new();
            for (id, res) in results {
                match res {
                    Ok(_) => {}
                    Err(e) => failed.push((id, e)),
                }
            }
            if !failed.is_empty()
                && let Decision::Abort(r) = self.fail_gate(&unit_id, group, &members, failed).await
            {
                return Flow::Abort(r);
            }
        }
    }

    fn skip(&self, id: &str, reason: &str) {
        self.rec.audit(
            Some(id),
            "skip",
            json!({"reason": reason, "user": self.ctx.user}),
        );
        self.rec.log(
            Level::Warn,
            Some(id),
            format!("skipped by {}: {reason}", self.ctx.user),
        );
        self.rec.set(
            id,
            StepStatus::Skipped {
                reason: reason.to_string(),
            },
        );
    }

    fn prompt(&self, unit: &StepSpec, work: &[(&StepSpec, StepPlan)]) -> ConfirmPrompt {
        let mut calls = Vec::new();
        let mut changes = Vec::new();
        let mut warnings = Vec::new();
        let mut type_to_confirm = None;
        let mut instruction = None;
        for (s, p) in work {
            let id = s.common.id.clone().unwrap_or_default();
            for a in &p.actions {
                if a.irreversible() && type_to_confirm.is_none() {
                    let side = a.side().unwrap_or(Side::Standby);
                    type_to_confirm = Some(self.ctx.estate.region(side).region.to_string());
                }
                calls.push(PlannedCall {
                    step: id.clone(),
                    call: a.api_call().to_string(),
                    describe: a.describe(),
                    irreversible: a.irreversible(),
                });
            }
            changes.push(format!("{}: {} → {}", s.title(), p.current, p.target));
            warnings.extend(p.warnings.iter().map(|w| format!("{id}: {w}")));
            if p.instruction.is_some() {
                instruction = p.instruction.clone();
            }
        }
        ConfirmPrompt {
            step: unit.common.id.clone().unwrap_or_default(),
            title: unit.title(),
            calls,
            changes,
            warnings,
            type_to_confirm,
            instruction,
        }
    }

    /// Drops commands sent before the question was asked: a stray key press must not
    /// confirm a step the operator has not seen yet.
    fn drain(&mut self, step: &str) {
        while let Ok(cmd) = self.cmds.try_recv() {
            self.rec.log(
                Level::Info,
                Some(step),
                format!("ignored {cmd:?}: sent before the question was asked"),
            );
        }
    }

    async fn next_command(&mut self) -> Option<RunCommand> {
        if !self.cmds_open {
            return None;
        }
        let c = self.cmds.recv().await;
        if c.is_none() {
            self.cmds_open = false;
        }
        c
    }

    async fn confirm_gate(&mut self, prompt: ConfirmPrompt) -> Decision {
        let step = prompt.step.clone();
        self.drain(&step);
        for c in &prompt.calls {
            self.rec.log(
                Level::Info,
                Some(&c.step),
                format!(
                    "plan: {}{}",
                    c.describe,
                    if c.irreversible {
                        " (IRREVERSIBLE)"
                    } else {
                        ""
                    }
                ),
            );
        }
        self.rec.log(
            Level::Info,
            Some(&step),
            match &prompt.type_to_confirm {
                Some(r) => {
                    format!("awaiting confirmation: type {r} to confirm the irreversible call")
                }
                None => "awaiting confirmation".into(),
            },
        );
        self.rec
            .emit(RunEvent::AwaitingConfirmation(prompt.clone()));
        loop {
            let Some(cmd) = self.next_command().await else {
                return Decision::Abort(
                    "the command channel closed while awaiting confirmation".into(),
                );
            };
            match cmd {
                RunCommand::Confirm { typed_region } => {
                    if let Some(want) = &prompt.type_to_confirm
                        && typed_region.as_deref().map(str::trim) != Some(want.as_str())
                    {
                        self.rec.audit(
                            Some(&step),
                            "confirm_refused",
                            json!({"user": self.ctx.user, "typed": typed_region, "expected": want}),
                        );
                        self.rec.log(
                            Level::Warn,
                            Some(&step),
                            format!(
                                "not confirmed: the irreversible call needs the region name {want} typed back, got {:?}",
                                typed_region.unwrap_or_default()
                            ),
                        );
                        continue;
                    }
                    self.rec.audit(
                        Some(&step),
                        "confirm",
                        json!({"user": self.ctx.user, "typed": typed_region,
                               "calls": prompt.calls.iter().map(|c| c.describe.clone()).collect::<Vec<_>>(),
                               "instruction": prompt.instruction}),
                    );
                    self.rec.log(
                        Level::Info,
                        Some(&step),
                        format!("confirmed by {}", self.ctx.user),
                    );
                    return Decision::Go;
                }
                RunCommand::Retry => {
                    self.rec.log(Level::Info, Some(&step), "preflight again");
                    return Decision::Retry;
                }
                RunCommand::Skip { reason } => {
                    if reason.trim().is_empty() {
                        self.rec.log(
                            Level::Warn,
                            Some(&step),
                            "skip refused: a reason is required",
                        );
                        continue;
                    }
                    return Decision::Skip(reason);
                }
                RunCommand::Abort => {
                    self.rec
                        .audit(Some(&step), "abort", json!({"user": self.ctx.user}));
                    return Decision::Abort(format!("aborted by {} at {step}", self.ctx.user));
                }
            }
        }
    }

    async fn fail_gate(
        &mut self,
        unit_id: &str,
        group: bool,
        members: &[StepSpec],
        failed: Vec<(String, StepError)>,
    ) -> Decision {
        for (id, e) in &failed {
            self.rec
                .audit(Some(id), "error", json!({"error": e.message}));
            self.rec
                .log(Level::Error, Some(id), format!("failed: {}", e.message));
            self.rec.set(
                id,
                StepStatus::Failed {
                    error: e.message.clone(),
                },
            );
        }
        let error = failed
            .iter()
            .map(|(id, e)| {
                if group {
                    format!("{id}: {}", e.message)
                } else {
                    e.message.clone()
                }
            })
            .collect::<Vec<_>>()
            .join("; ");
        if group {
            self.rec.set(
                unit_id,
                StepStatus::Failed {
                    error: error.clone(),
                },
            );
        }
        let optional = failed.iter().all(|(id, _)| {
            members
                .iter()
                .any(|m| m.common.id.as_deref() == Some(id.as_str()) && m.common.optional)
        });
        let needs_primary = failed.iter().any(|(_, e)| e.needs_primary);
        self.drain(unit_id);
        self.rec.emit(RunEvent::AwaitingDecision {
            step: unit_id.to_string(),
            error: error.clone(),
            optional,
            needs_primary,
        });
        loop {
            let Some(cmd) = self.next_command().await else {
                return Decision::Abort("the command channel closed after a failure".into());
            };
            match cmd {
                RunCommand::Retry => {
                    self.rec
                        .audit(Some(unit_id), "retry", json!({"user": self.ctx.user}));
                    self.rec.log(
                        Level::Info,
                        Some(unit_id),
                        format!("retry requested by {}", self.ctx.user),
                    );
                    return Decision::Retry;
                }
                RunCommand::Skip { reason } => {
                    if reason.trim().is_empty() {
                        self.rec.log(
                            Level::Warn,
                            Some(unit_id),
                            "skip refused: a reason is required",
                        );
                        continue;
                    }
                    for (id, _) in &failed {
                        self.skip(id, &reason);
                    }
                    return Decision::Skip(reason);
                }
                RunCommand::Abort => {
                    self.rec
                        .audit(Some(unit_id), "abort", json!({"user": self.ctx.user}));
                    return Decision::Abort(format!(
                        "aborted by {} after {unit_id} failed: {error}",
                        self.ctx.user
                    ));
                }
                RunCommand::Confirm { .. } => {
                    self.rec.log(
                        Level::Info,
                        Some(unit_id),
                        "the step failed: retry, skip (with a reason) or abort",
                    );
                }
            }
        }
    }
}

/// Makes a confirmed step's calls, then waits until AWS shows its target state.
async fn execute(
    rec: Arc<Recorder>,
    reader: Reader,
    user: String,
    s: StepSpec,
    p: StepPlan,
) -> Worked {
    let id = s.common.id.clone().unwrap_or_default();
    if p.instruction.is_some() {
        rec.audit(Some(&id), "acknowledged", json!({"user": user}));
        let note = format!("acknowledged by {user}");
        rec.set(&id, StepStatus::Done { note: note.clone() });
        return (id, Ok(note));
    }
    if !p.actions.is_empty() {
        rec.set(&id, StepStatus::Running);
    }
    for a in &p.actions {
        if let Err(e) = act(&rec, &reader, &id, a, &p).await {
            return (id, Err(e));
        }
    }
    rec.set(&id, StepStatus::Verifying);
    let timeout = s
        .common
        .timeout
        .map(|t| t.0)
        .unwrap_or_else(|| plan::default_timeout(&s));
    let res = verify_until(&rec, &reader, &s, &id, timeout).await;
    if let Ok(note) = &res {
        // Marked done here, not when the whole group ends, so each step's time is its own.
        note_done(&rec, &reader.estate, &s);
        rec.set(&id, StepStatus::Done { note: note.clone() });
    }
    (id, res)
}

async fn act(
    rec: &Recorder,
    reader: &Reader,
    id: &str,
    a: &Action,
    p: &StepPlan,
) -> Result<(), StepError> {
    rec.audit(
        Some(id),
        "call",
        json!({"call": a.api_call(), "describe": a.describe(), "action": a}),
    );
    rec.log(Level::Info, Some(id), format!("calling {}", a.describe()));
    match reader.act(a).await {
        Ok(out) => {
            rec.audit(
                Some(id),
                "result",
                json!({"call": a.api_call(), "summary": out.summary, "change_id": out.change_id}),
            );
            rec.log(Level::Info, Some(id), format!("ok: {}", out.summary));
            let now = rec.now();
            let d = a.describe();
            rec.update(|j| {
                if matches!(
                    a,
                    Action::PromoteReplica { .. }
                        | Action::GlobalFailover { .. }
                        | Action::GlobalSwitchover { .. }
                ) {
                    j.metrics.rpo_lag = p.lag;
                    j.metrics.promoted_at = Some(now);
                }
                if let Some(r) = j.step_mut(id) {
                    r.memo.calls_done.push(d);
                    if out.change_id.is_some() {
                        r.memo.change_id = out.change_id.clone();
                    }
                }
            });
            Ok(())
        }
        Err(e) => {
            rec.audit(
                Some(id),
                "call_error",
                json!({"call": a.api_call(), "error": e.message}),
            );
            Err(e)
        }
    }
}

async fn verify_until(
    rec: &Recorder,
    reader: &Reader,
    s: &StepSpec,
    id: &str,
    timeout: Duration,
) -> Result<String, StepError> {
    let tick = reader.estate.poll_interval().min(Duration::from_secs(1));
    let began = Instant::now();
    let deadline = began + reader.pace.wall(timeout);
    let mut last_detail = String::new();
    let mut last_miss: Option<f64> = None;
    let mut last_err_primary: bool;
    loop {
        let read_at = rec.now();
        let memo = rec.memo(id);
        match plan::verify(s, &memo, reader).await {
            Ok(Verdict::Done(d)) => {
                let now = rec.now();
                let overhead = now - last_miss.unwrap_or(read_at);
                rec.update(|j| {
                    if let Some(r) = j.step_mut(id) {
                        r.verify_overhead = Some(overhead);
                    }
                });
                rec.log(Level::Info, Some(id), format!("verified: {d}"));
                return Ok(d);
            }
            Ok(Verdict::Pending(d)) => {
                last_miss = Some(read_at);
                last_err_primary = false;
                if d != last_detail {
                    rec.log(Level::Info, Some(id), format!("waiting: {d}"));
                    last_detail = d;
                }
            }
            Err(e) => {
                last_miss = Some(read_at);
                // A read that fails while verifying is reported, not fatal: the next one may work.
                if e.message != last_detail {
                    rec.log(
                        Level::Warn,
                        Some(id),
                        format!("read failed while verifying: {}", e.message),
                    );
                    last_detail = e.message.clone();
                }
                last_err_primary = e.needs_primary;
            }
        }
        if Instant::now() >= deadline {
            return Err(StepError {
                message: format!(
                    "timed out after {} waiting for the target state (last seen: {last_detail})",
                    humantime::format_duration(timeout)
                ),
                needs_primary: last_err_primary,
            });
        }
        tokio::time::sleep(reader.pace.wall(tick)).await;
    }
}

/// Records what the report needs when a step reaches its target.
fn note_done(rec: &Recorder, estate: &Estate, s: &StepSpec) {
    let now = rec.now();
    let healthy_side = match &s.kind {
        StepKind::Wait {
            until: Condition::HealthCheckHealthy(h),
        } => side_name(h).or_else(|| {
            estate
                .health_checks
                .iter()
                .find(|c| &c.id == h)
                .map(|c| c.region)
        }),
        StepKind::Wait {
            until: Condition::RegionHealthy(side),
        } => Some(*side),
        _ => None,
    };
    rec.update(|j| {
        if let StepKind::MoveDns { to } = &s.kind {
            j.metrics.dns_moved_at = Some(now);
            j.metrics.dns_side = Some(*to);
        }
        if let Some(side) = healthy_side {
            j.metrics.healthy_at.entry(side).or_insert(now);
        }
    });
}
