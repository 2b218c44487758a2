//! Keys while the operator types: a region name, a skip reason, a log search, a lease's
//! holder, a step to approve or a finding for the report.

use super::Effect;
use crate::app::keys::{self, Edit};
use crate::app::{App, Typing};
use crate::runbook::RunCommand;

impl App {
    /// `n` on a finished run of this console: type a finding for its report.
    pub(super) fn start_finding(&mut self) {
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
}
