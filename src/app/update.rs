//! Applying messages to the app state: poll results and commands from keys.

use std::time::Instant;

use super::keys::{self, Command, Edit};
use super::{App, LAG_HISTORY, MIN_CONFIRM, Panel, PickItem, Question, RunPane, RunView, Typing};
use crate::model::{IdentityError, Lag, Scope, Side, merge_identity};
use crate::poll::{PollEvent, Reading};
use crate::runbook::RunCommand;

/// Lines a page scroll moves.
const PAGE: usize = 10;

impl App {
    pub fn apply_poll(&mut self, event: PollEvent) {
        match event {
            PollEvent::Started { scope, at } => match scope {
                Scope::Region(side) => self.region_mut(side).started(at),
                Scope::Global => self.global.started(at),
            },
            PollEvent::Finished { scope, at, result } => match scope {
                Scope::Region(side) => {
                    let lag = match &result {
                        Ok(Reading::Region(reading)) => Some(
                            reading
                                .database
                                .as_ref()
                                .and_then(|d| d.as_ref().ok())
                                .map(|d| d.lag)
                                .unwrap_or(Lag::NoData),
                        ),
                        _ => None,
                    };
                    crate::poll::apply_region(self.region_mut(side), result, at);
                    self.refresh_posture();
                    // The sparkline follows the replica: the side standing by, as read now.
                    if let Some(lag) = lag
                        && side == self.replica_side()
                    {
                        self.push_lag(lag);
                    }
                }
                Scope::Global => crate::poll::apply_global(&mut self.global, result, at),
            },
            PollEvent::Identity { side, result } => {
                let known = self.identities.remove(&side);
                let read = merge_identity(known, result.map_err(IdentityError::from));
                self.identities.insert(side, read);
            }
        }
        self.refresh_posture();
        self.dirty = true;
    }

    fn push_lag(&mut self, lag: Lag) {
        if self.lag_history.len() == LAG_HISTORY {
            self.lag_history.pop_front();
        }
        self.lag_history.push_back(lag);
    }

    /// Applies a command from the key table. Returns side effects the loop must perform.
    pub fn apply_command(&mut self, command: Command) -> Option<Effect> {
        self.dirty = true;
        let idx = self.focus.index();
        if self.show_help && !matches!(command, Command::Help | Command::Quit) {
            self.show_help = false;
            return None;
        }
        match command {
            Command::Quit => self.should_quit = true,
            Command::Help => self.show_help = !self.show_help,
            Command::Refresh => return Some(Effect::Refresh),
            Command::TogglePause => {
                self.paused = !self.paused;
                return Some(Effect::Pause(self.paused));
            }
            Command::NextPanel | Command::PrevPanel if self.run_view() => {
                if let Some(run) = self.run.as_mut() {
                    run.pane = if command == Command::NextPanel {
                        run.pane.next()
                    } else {
                        run.pane.prev()
                    };
                }
            }
            Command::Up
            | Command::Down
            | Command::PageUp
            | Command::PageDown
            | Command::Top
            | Command::Bottom
                if self.run_view() =>
            {
                self.scroll_run(command)
            }
            Command::NextPanel => self.focus = self.focus.next(),
            Command::PrevPanel => self.focus = self.focus.prev(),
            Command::Up => self.scroll[idx] = self.scroll[idx].saturating_sub(1),
            Command::Down => self.scroll[idx] = (self.scroll[idx] + 1).min(self.content_len()),
            Command::PageUp => self.scroll[idx] = self.scroll[idx].saturating_sub(PAGE),
            Command::PageDown => {
                self.scroll[idx] = (self.scroll[idx] + PAGE).min(self.content_len())
            }
            Command::Top => self.scroll[idx] = 0,
            Command::Bottom => self.scroll[idx] = self.content_len(),
            Command::Fault(f) if self.simulation => return Some(Effect::Fault(f)),
            Command::Fault(_) => {}
            Command::ToggleView => match self.run {
                Some(_) => self.dashboard_in_run = !self.dashboard_in_run,
                None => self.set_notice("no run to show".into(), self.now),
            },
            Command::FilterLog => self.filter_log(),
            Command::SearchLog => match &self.run {
                Some(run) => {
                    self.dashboard_in_run = false;
                    self.typing = Some(Typing::Search(run.log.search.clone().unwrap_or_default()));
                }
                None => self.set_notice("no run log to search".into(), self.now),
            },
            Command::Cancel
                if self.run_view()
                    && self.picker.is_none()
                    && self.run.as_mut().is_some_and(|r| r.log.clear_filters()) => {}
            Command::Runbooks
            | Command::Confirm
            | Command::Retry
            | Command::Skip
            | Command::Abort
            | Command::Cancel
            | Command::Approve
            | Command::ToggleDrill
            | Command::Finding
            | Command::Select => return self.run_command(command),
        }
        None
    }

    /// Runbook commands. In read-only mode none of them does anything.
    fn run_command(&mut self, command: Command) -> Option<Effect> {
        if self.read_only {
            return None;
        }
        let question = self.run.as_ref().and_then(|r| r.question.clone());
        if let Some(effect) = self.follow_command(command) {
            return effect;
        }
        match command {
            Command::Runbooks if self.run_active() => {
                self.set_notice(
                    "a run is in progress: finish or abort it first".into(),
                    self.now,
                );
            }
            Command::Runbooks => {
                if self.refuse_live_run() {
                    return None;
                }
                if let Some(why) = self.runbook_refusal() {
                    self.set_notice(
                        format!("dry run: plans only, no call; a live run would be refused: {why}"),
                        self.now,
                    );
                }
                self.picker = Some(self.open_picker());
            }
            Command::Select => {
                let picker = self.picker.take()?;
                // The accounts may have been read again while the list was open.
                if self.refuse_live_run() {
                    return None;
                }
                let item = picker.items.get(picker.selected)?.clone();
                // A resumed run stays what it started as: its journal says.
                let drill = match &item {
                    PickItem::Resume { .. } => self.unfinished.as_ref().is_some_and(|j| j.drill),
                    PickItem::Start(_) => picker.drill,
                };
                let sides = picker.info.get(picker.selected).map(|i| i.sides.clone());
                let unverified = crate::model::refusal_on(
                    &self.accounts(),
                    sides.as_deref().unwrap_or(&Side::BOTH),
                );
                if let Some(why) = unverified.filter(|_| !self.dry_run) {
                    self.set_notice(format!("runbooks refused: {why}"), self.now);
                    return None;
                }
                return Some(Effect::StartRun { item, drill });
            }
            Command::ToggleDrill => self.toggle_drill(),
            Command::Finding => self.start_finding(),
            Command::Confirm
                if matches!(question, Some(Question::Confirm(_)))
                    && !self.screen_fits_confirm() =>
            {
                self.refuse_small_screen()
            }
            Command::Confirm => match question {
                Some(Question::Confirm(prompt)) => match prompt.type_to_confirm {
                    Some(_) => self.typing = Some(Typing::Region(String::new())),
                    None => {
                        return Some(Effect::Run(RunCommand::Confirm { typed_region: None }));
                    }
                },
                _ => self.set_notice("nothing is waiting for confirmation".into(), self.now),
            },
            Command::Retry => match question {
                Some(Question::Decide { .. }) => return Some(Effect::Run(RunCommand::Retry)),
                _ => self.set_notice("no failed step to retry".into(), self.now),
            },
            Command::Skip => match question {
                Some(Question::Approval { .. }) => self.set_notice(
                    "the step is confirmed and waits for another operator's approval: A aborts"
                        .into(),
                    self.now,
                ),
                Some(_) => self.typing = Some(Typing::SkipReason(String::new())),
                None => self.set_notice("no step is waiting to be skipped".into(), self.now),
            },
            Command::Approve => self.set_notice(
                "a approves another operator's step: follow their run first (their step waits \
                 for approval); your own step needs someone else"
                    .into(),
                self.now,
            ),
            Command::Abort if self.run_active() => return Some(Effect::Run(RunCommand::Abort)),
            Command::Abort => {}
            Command::Cancel
                if self.picker.take().is_none()
                    && self.run.as_ref().is_some_and(RunView::finished) =>
            {
                self.run = None;
            }
            _ => {}
        }
        None
    }

    /// `d` in the runbook list: the run about to start is a drill, or again a real incident.
    /// A resumed run keeps what it started as.
    fn toggle_drill(&mut self) {
        let Some(picker) = self.picker.as_mut() else {
            let key = keys::key_of(Command::Runbooks);
            self.set_notice(
                format!("a run is marked a drill before it starts: {key}, then d in the list"),
                self.now,
            );
            return;
        };
        if let Some(PickItem::Resume { .. }) = picker.items.get(picker.selected) {
            let was = if self.unfinished.as_ref().is_some_and(|j| j.drill) {
                "a drill"
            } else {
                "a real incident"
            };
            self.set_notice(
                format!("a resumed run stays what it started as: {was}"),
                self.now,
            );
            return;
        }
        picker.drill = !picker.drill;
    }

    /// `n` on a finished run of this console: type a finding for its report.
    fn start_finding(&mut self) {
        let why = match &self.run {
            None => Some("no run: a finding is added to a finished run's report"),
            Some(r) if r.is_following() => {
                Some("a finding goes into your own run's report, not a followed one")
            }
            Some(r) if r.summary.is_none() => {
                Some("findings are added once the run has finished (its report written)")
            }
            Some(r) if r.run_id.is_empty() => Some("this run has no report"),
            Some(_) => None,
        };
        match why {
            Some(why) => self.set_notice(why.into(), self.now),
            None => {
                self.dashboard_in_run = false;
                self.typing = Some(Typing::Finding(String::new()));
            }
        }
    }

    /// A refused run offers to follow the holder's (`y`); a followed run takes no decision,
    /// and `Esc` stops following it. `None`: the command is not about following.
    fn follow_command(&mut self, command: Command) -> Option<Option<Effect>> {
        let run = self.run.as_ref()?;
        if let Some(crate::runbook::lock::Refusal::Held {
            holder,
            shared,
            expired,
        }) = &run.locked
        {
            if command == Command::Confirm && self.picker.is_none() {
                return Some(Some(Effect::Follow(holder.clone(), *shared)));
            }
            if command == Command::Retry && *expired && self.picker.is_none() {
                self.typing = Some(Typing::TakeOver(String::new()));
                return Some(None);
            }
            return None;
        }
        if !run.is_following() {
            return None;
        }
        match command {
            Command::Cancel if self.picker.is_none() => {
                self.run = None;
                Some(Some(Effect::Unfollow))
            }
            Command::Approve if matches!(run.question, Some(Question::Approval { .. })) => {
                self.typing = Some(Typing::Approve(String::new()));
                Some(None)
            }
            Command::Confirm | Command::Retry | Command::Skip | Command::Abort => {
                self.set_notice(
                    "following another operator's run: read-only (Esc stops following)".into(),
                    self.now,
                );
                Some(None)
            }
            Command::Runbooks if !run.finished() => {
                self.set_notice(
                    "following another operator's run: Esc first, then x".into(),
                    self.now,
                );
                Some(None)
            }
            _ => None,
        }
    }

    /// Whether a live run must not start on the accounts as read (said in the footer). A dry
    /// run calls nothing: it may plan whatever the accounts.
    /// Credentials in the wrong account refuse every runbook at once; a pin that cannot be
    /// verified is judged when a runbook starts, on the regions that runbook calls.
    fn refuse_live_run(&mut self) -> bool {
        let wrong = crate::model::refusal_on(&self.accounts(), &[]);
        match wrong.filter(|_| !self.dry_run) {
            Some(why) => {
                self.set_notice(format!("runbooks refused: {why}"), self.now);
                true
            }
            None => false,
        }
    }

    /// A key while the operator is typing a region name or a skip reason.
    pub fn type_key(&mut self, key: crossterm::event::KeyEvent) -> Option<Effect> {
        use crossterm::event::KeyCode;
        self.dirty = true;
        let typing = self.typing.as_mut()?;
        match keys::lookup_edit(&key) {
            Some(Edit::Cancel) => self.typing = None,
            Some(Edit::Erase) => {
                typing.text_mut().pop();
            }
            Some(Edit::Quit) => self.should_quit = true,
            None => {
                if let KeyCode::Char(c) = key.code {
                    typing.text_mut().push(c);
                }
            }
            Some(Edit::Submit)
                if matches!(typing, Typing::Region(_)) && !self.screen_fits_confirm() =>
            {
                self.refuse_small_screen()
            }
            Some(Edit::Submit) => {
                let command = match self.typing.take()? {
                    Typing::Region(text) => RunCommand::Confirm {
                        typed_region: Some(text.trim().to_string()),
                    },
                    Typing::SkipReason(text) => RunCommand::Skip {
                        reason: text.trim().to_string(),
                    },
                    Typing::TakeOver(text) => {
                        return Some(Effect::TakeOver(text.trim().to_string()));
                    }
                    Typing::Approve(text) => RunCommand::Approve {
                        step: text.trim().to_string(),
                    },
                    Typing::Finding(text) => {
                        let text = text.trim().to_string();
                        let run_id = self.run.as_ref().map(|r| r.run_id.clone())?;
                        if text.is_empty() {
                            self.set_notice(
                                "a finding needs some text: nothing added".into(),
                                self.now,
                            );
                            return None;
                        }
                        return Some(Effect::Finding { run_id, text });
                    }
                    Typing::Search(text) => {
                        if let Some(run) = self.run.as_mut() {
                            let text = text.trim().to_string();
                            run.log.search = (!text.is_empty()).then_some(text);
                            run.log.scroll = 0;
                        }
                        return None;
                    }
                };
                return Some(Effect::Run(command));
            }
        }
        None
    }

    /// A key while the runbook picker is open.
    pub fn pick_key(&mut self, command: Command) -> Option<Effect> {
        let picker = self.picker.as_mut()?;
        self.dirty = true;
        match command {
            Command::Up => picker.selected = picker.selected.saturating_sub(1),
            Command::Down => {
                picker.selected = (picker.selected + 1).min(picker.items.len().saturating_sub(1))
            }
            Command::Select
            | Command::Cancel
            | Command::Runbooks
            | Command::Quit
            | Command::ToggleDrill => {
                return self.run_command(command).or_else(|| {
                    if command == Command::Quit {
                        self.should_quit = true;
                    }
                    None
                });
            }
            _ => {}
        }
        None
    }

    /// `y` on a screen too small to show the question whole: refused, and said.
    fn refuse_small_screen(&mut self) {
        let (w, h) = self.screen.unwrap_or_default();
        self.set_notice(
            format!(
                "terminal too small to confirm ({w}×{h}): at least {}×{} shows the whole question",
                MIN_CONFIRM.0, MIN_CONFIRM.1
            ),
            self.now,
        );
    }

    /// The live log's step filter moves on: from none to the active step (or the first), then
    /// to each following step, then back to none.
    fn filter_log(&mut self) {
        let Some(run) = self.run.as_mut() else {
            self.set_notice("no run log to filter".into(), self.now);
            return;
        };
        self.dashboard_in_run = false;
        let ids: Vec<&str> = run.steps.iter().map(|s| s.id.as_str()).collect();
        let asked = run.question.as_ref().map(|q| match q {
            Question::Confirm(p) => p.step.as_str(),
            Question::Decide { step, .. } => step.as_str(),
            Question::Approval { wait, .. } => wait.step.as_str(),
        });
        let next = match &run.log.step {
            None => asked.or(run.active_step()).or(ids.first().copied()),
            Some(cur) => ids
                .iter()
                .position(|i| i == cur)
                .and_then(|p| ids.get(p + 1).copied()),
        };
        run.log.step = next.map(str::to_string);
        run.log.scroll = 0;
    }

    /// A scroll key in the run view moves the pane that has the keys.
    fn scroll_run(&mut self, command: Command) {
        let Some(run) = self.run.as_mut() else { return };
        let (pos, max) = match run.pane {
            RunPane::Prompt => (&mut run.prompt_scroll, run.prompt_max.unwrap_or(usize::MAX)),
            RunPane::Log => {
                let len = run.log.len();
                (&mut run.log.scroll, len)
            }
            RunPane::Steps => {
                let len = run.steps.len();
                let at = run.steps_scroll.get_or_insert(0);
                (at, len)
            }
        };
        // The log counts back from the newest line: up goes further back.
        let back = run.pane == RunPane::Log;
        let up = |p: usize, n: usize| p.saturating_sub(n);
        let down = |p: usize, n: usize| p.saturating_add(n).min(max);
        *pos = match (command, back) {
            (Command::Up, false) | (Command::Down, true) => up(*pos, 1),
            (Command::Down, false) | (Command::Up, true) => down(*pos, 1),
            (Command::PageUp, false) | (Command::PageDown, true) => up(*pos, PAGE),
            (Command::PageDown, false) | (Command::PageUp, true) => down(*pos, PAGE),
            (Command::Top, false) | (Command::Bottom, true) => 0,
            _ => max,
        };
    }

    /// Rows the focused panel can scroll through.
    fn content_len(&self) -> usize {
        match self.focus {
            Panel::Services => self.estate.services().len(),
            Panel::Asgs => self.estate.asgs.len(),
            Panel::Health => {
                self.estate.health_checks.len()
                    + self.estate.alarms.len()
                    + 2 * self.estate.target_groups.len()
            }
            Panel::Replication | Panel::Readiness => 0,
        }
    }

    pub fn set_notice(&mut self, text: String, now: Instant) {
        self.notice = Some((text, now));
        self.dirty = true;
    }
}

/// Work the event loop does on the app's behalf.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Refresh,
    Pause(bool),
    Fault(crate::backend::sim::Fault),
    /// Start (or resume) the picked runbook; `drill`: as a drill, not a real incident.
    StartRun {
        item: PickItem,
        drill: bool,
    },
    /// Add a finding to a finished run's report (audited, both reports written again), off
    /// the UI thread.
    Finding {
        run_id: String,
        text: String,
    },
    /// A decision for the running engine.
    Run(RunCommand),
    /// Follow, read-only, the run that holds the estate's run lock (as the refusal named it).
    Follow(Box<crate::runbook::lock::Holder>, bool),
    /// Stop following it.
    Unfollow,
    /// Start the refused run again, taking over the expired lease of the `user@host` typed.
    TakeOver(String),
}
