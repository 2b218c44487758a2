//! Runbook keys: opening the runbook list, starting the picked runbook, and answering the
//! question the engine asks (confirm, retry, skip, abort).

use super::Effect;
use crate::app::keys::Command;
use crate::app::{App, MIN_CONFIRM, PickItem, Question, RunView, Typing};
use crate::model::Side;
use crate::runbook::RunCommand;

impl App {
    /// Runbook commands. In read-only mode none of them does anything.
    pub(super) fn run_command(&mut self, command: Command) -> Option<Effect> {
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

    /// `y` on a screen too small to show the question whole: refused, and said.
    pub(super) fn refuse_small_screen(&mut self) {
        let (w, h) = self.screen.unwrap_or_default();
        self.set_notice(
            format!(
                "terminal too small to confirm ({w}×{h}): at least {}×{} shows the whole question",
                MIN_CONFIRM.0, MIN_CONFIRM.1
            ),
            self.now,
        );
    }
}
