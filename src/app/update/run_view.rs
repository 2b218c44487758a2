//! Keys in the run view: scrolling the pane that has the keys, and the live log's step filter.

use super::PAGE;
use crate::app::keys::Command;
use crate::app::{App, Question, RunPane};

impl App {
    /// The live log's step filter moves on: from none to the active step (or the first), then
    /// to each following step, then back to none.
    pub(super) fn filter_log(&mut self) {
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
    pub(super) fn scroll_run(&mut self, command: Command) {
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
}
