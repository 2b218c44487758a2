//! Keys about another operator's run: following the run that holds the lock, taking an
//! expired lease over, approving its step, and leaving it.

use super::Effect;
use crate::app::keys::Command;
use crate::app::{App, Question, Typing};

impl App {
    /// A refused run offers to follow the holder's (`y`); a followed run takes no decision,
    /// and `Esc` stops following it. `None`: the command is not about following.
    pub(super) fn follow_command(&mut self, command: Command) -> Option<Option<Effect>> {
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
}
